package io.integcov.cli.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.integcov.storage.FileStorage;
import io.integcov.storage.Manifest;
import io.integcov.storage.PermanentStorageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UploaderTest {
    @TempDir
    Path tmp;

    /** A real FileStorage whose put fails with the given exception the first {@code failures} times per key. */
    private static final class FlakyStorage extends ForwardingStorage {
        final int failures;
        final IOException error;
        final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();

        FlakyStorage(Path root, int failures, IOException error) {
            super(root);
            this.failures = failures;
            this.error = error;
        }

        @Override
        public void put(String key, Path file) throws IOException {
            if (attempts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet() <= failures) {
                throw error;
            }
            delegate.put(key, file);
        }

        @Override
        public void putBytes(String key, byte[] data) throws IOException {
            if (attempts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet() <= failures) {
                throw error;
            }
            delegate.putBytes(key, data);
        }
    }

    private List<String> writeFiles(int count) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("cov"));
        for (int i = 0; i < count; i++) {
            Files.writeString(dir.resolve("covcounters." + i), "data-" + i);
        }
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void uploadsAllFilesInParallelWithSizesAndChecksums() throws Exception {
        List<String> names = writeFiles(20);
        FileStorage storage = new FileStorage(tmp.resolve("store"));
        Uploader.Result result = new Uploader(storage, 4).uploadFiles(tmp.resolve("cov"), names, "ns/p/c/r",
                Instant.now().plusSeconds(60));

        assertEquals(List.of(), result.failed());
        assertNull(result.firstError());
        assertEquals(20, result.uploaded().size());
        for (Manifest.FileEntry entry : result.uploaded()) {
            byte[] stored = storage.get("ns/p/c/r/" + entry.name());
            assertArrayEquals(Files.readAllBytes(tmp.resolve("cov").resolve(entry.name())), stored);
            assertEquals(stored.length, entry.size());
            assertEquals(Uploader.describe(tmp.resolve("cov").resolve(entry.name())), entry);
        }
    }

    @Test
    void retriesTransientFailures() throws Exception {
        List<String> names = writeFiles(3);
        FlakyStorage storage = new FlakyStorage(tmp.resolve("store"), 2, new IOException("connection refused"));
        Uploader uploader = new Uploader(storage, 8);
        Uploader.Result result = uploader.uploadFiles(tmp.resolve("cov"), names, "r", Instant.now().plusSeconds(60));

        assertEquals(List.of(), result.failed());
        assertEquals(3, result.uploaded().size());
        assertTrue(result.firstError().contains("connection refused"), result.firstError());
        assertEquals(Map.of("r/covcounters.0", 3, "r/covcounters.1", 3, "r/covcounters.2", 3), storage.attempts.entrySet()
                .stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get())));
        assertNull(uploader.putBytes("r/" + Manifest.FILE_NAME, "{}".getBytes(StandardCharsets.UTF_8),
                Instant.now().plusSeconds(60)));
        assertEquals("{}", new String(storage.get("r/" + Manifest.FILE_NAME), StandardCharsets.UTF_8));
    }

    @Test
    void permanentFailuresAreNotRetried() throws Exception {
        List<String> names = writeFiles(2);
        FlakyStorage storage = new FlakyStorage(tmp.resolve("store"), Integer.MAX_VALUE,
                new PermanentStorageException("HTTP 404: no such bucket", null));
        Uploader uploader = new Uploader(storage, 2);
        Uploader.Result result = uploader.uploadFiles(tmp.resolve("cov"), names, "r", Instant.now().plusSeconds(600));

        assertEquals(names, result.failed());
        assertEquals(List.of(), result.uploaded());
        assertTrue(storage.attempts.values().stream().allMatch(n -> n.get() == 1), storage.attempts.toString());
        String error = uploader.putBytes("r/m", new byte[1], Instant.now().plusSeconds(600));
        assertTrue(error.contains("no such bucket"), error);
    }

    @Test
    void givesUpAtTheDeadline() throws Exception {
        List<String> names = writeFiles(2);
        FlakyStorage storage = new FlakyStorage(tmp.resolve("store"), Integer.MAX_VALUE, new IOException("unreachable"));
        Uploader.Result result = new Uploader(storage, 2).uploadFiles(tmp.resolve("cov"), names, "r",
                Instant.now().plusMillis(1500));

        assertEquals(names, result.failed());
        assertTrue(storage.attempts.values().stream().allMatch(n -> n.get() > 1), "retried: " + storage.attempts);
        assertEquals(List.of(), storage.list(""));
    }

    @Test
    void crc32cOfAKnownVector() throws Exception {
        Path file = Files.writeString(tmp.resolve("check"), "123456789");
        assertEquals(new Manifest.FileEntry("check", 9, 0xE3069283L), Uploader.describe(file));
    }
}
