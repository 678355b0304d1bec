package io.integcov.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void writesIntoNewDirectoriesAndReplacesLeavingOnlyTheTarget() throws IOException {
        Path target = dir.resolve("a/b/file");
        AtomicFiles.writeString(target, "one");
        AtomicFiles.writeString(target, "two");
        assertEquals("two", Files.readString(target));
        assertEquals(List.of(target), entries(target.getParent()));
    }

    @Test
    void aFailureWhileWritingLeavesTheOldContentAndNoTempFile() throws IOException {
        Path target = dir.resolve("file");
        AtomicFiles.writeString(target, "old");
        IOException failure = new IOException("disk full");
        IOException thrown = assertThrows(IOException.class, () -> AtomicFiles.replace(target, temp -> {
            Files.writeString(temp, "half");
            throw failure;
        }));
        assertSame(failure, thrown);
        assertEquals("old", Files.readString(target));
        assertEquals(List.of(target), entries(dir));
    }

    @Test
    void aFailureBeforeTheFirstWriteCreatesNoTarget() {
        Path target = dir.resolve("never");
        assertThrows(IOException.class, () -> AtomicFiles.replace(target, temp -> {
            throw new IOException("source gone");
        }));
        assertFalse(Files.exists(target));
    }

    @Test
    void copiesAndAppliesTheAttributesToTheNewFile() throws IOException {
        Path source = Files.writeString(dir.resolve("source"), "secret");
        Path target = dir.resolve("out/key.pem");
        AtomicFiles.copy(source, target, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        assertEquals("secret", Files.readString(target));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
        AtomicFiles.copy(source, dir.resolve("plain"));
        assertEquals("secret", Files.readString(dir.resolve("plain")));
    }

    private static List<Path> entries(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.sorted().toList();
        }
    }
}
