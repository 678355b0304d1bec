package io.integcov.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStorageTest {
    @TempDir
    Path tmp;

    @Test
    void putListGetDownload() throws Exception {
        Path src = Files.writeString(tmp.resolve("src"), "hello");
        try (Storage storage = Storage.open("file://" + tmp.resolve("store"))) {
            assertInstanceOf(FileStorage.class, storage);
            storage.put("ns/pod/c/run/covmeta.1", src);
            storage.putBytes("ns/pod/c/run/integcov-manifest.json", "{}".getBytes(StandardCharsets.UTF_8));
            storage.putBytes("ns/other/c/run/x", new byte[3]);

            assertEquals(List.of(new Storage.StoredObject("ns/pod/c/run/covmeta.1", 5),
                    new Storage.StoredObject("ns/pod/c/run/integcov-manifest.json", 2)), storage.list("ns/pod/"));
            assertEquals(3, storage.list("").size());
            assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), storage.get("ns/pod/c/run/covmeta.1"));
            Path target = tmp.resolve("downloaded");
            storage.download("ns/pod/c/run/covmeta.1", target);
            assertEquals("hello", Files.readString(target));
            assertEquals("file://" + tmp.resolve("store"), storage.url());
        }
    }

    @Test
    void overwriteReplacesAndLeavesNoTempFiles() throws Exception {
        FileStorage storage = new FileStorage(tmp);
        storage.putBytes("a/b", "one".getBytes(StandardCharsets.UTF_8));
        storage.putBytes("a/b", "two".getBytes(StandardCharsets.UTF_8));
        assertEquals("two", new String(storage.get("a/b"), StandardCharsets.UTF_8));
        try (Stream<Path> files = Files.list(tmp.resolve("a"))) {
            assertEquals(List.of("b"), files.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void listingSkipsWritesInProgressOfTheJavaSideAndOfTheAgent() throws Exception {
        FileStorage storage = new FileStorage(tmp);
        storage.putBytes("ns/pod/c/run/covmeta.1", new byte[2]);
        Path run = tmp.resolve("ns/pod/c/run");
        // what the agent's atomicfile.Write and AtomicFiles.replace have on disk before their rename
        Files.write(run.resolve(".covcounters.1.2.3.4071826491.tmp"), new byte[7]);
        Files.write(run.resolve(AtomicFiles.TEMP_PREFIX + "123" + AtomicFiles.TEMP_SUFFIX), new byte[7]);
        assertEquals(List.of(new Storage.StoredObject("ns/pod/c/run/covmeta.1", 2)), storage.list("ns/"));
    }

    @Test
    void listOfMissingRootIsEmpty() throws Exception {
        assertEquals(List.of(), new FileStorage(tmp.resolve("absent")).list(""));
    }

    @Test
    void keysMayNotEscapeTheRoot() {
        FileStorage storage = new FileStorage(tmp.resolve("store"));
        assertThrows(IllegalArgumentException.class, () -> storage.putBytes("../evil", new byte[1]));
        assertThrows(IllegalArgumentException.class, () -> storage.get("a/../../evil"));
    }

    @Test
    void storedObjectName() {
        assertEquals("covmeta.1", new Storage.StoredObject("ns/pod/c/run/covmeta.1", 1).name());
    }
}
