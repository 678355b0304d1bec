package io.integcov.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecutablesTest {
    @TempDir
    Path dir;

    @Test
    void theFirstExecutableFileOnThePathWins() throws IOException {
        Path notExecutable = Files.createDirectories(dir.resolve("a"));
        Files.writeString(notExecutable.resolve("tool"), "");
        Path directory = Files.createDirectories(dir.resolve("b/tool"));
        Path first = executable(dir.resolve("c/tool"));
        executable(dir.resolve("d/tool"));
        String path = String.join(File.pathSeparator, notExecutable.toString(), directory.getParent().toString(),
                first.getParent().toString(), dir.resolve("d").toString());
        assertEquals(Optional.of(first), Executables.onPath("tool", path));
    }

    @Test
    void nothingWhenNoEntryHasIt() {
        assertEquals(Optional.empty(), Executables.onPath("tool", dir.toString() + File.pathSeparator));
        assertEquals(Optional.empty(), Executables.onPath("tool", null));
    }

    @Test
    void theRepositoryRootHasTheMarkersAndItsModulesDoNot() {
        Path root = RepoRoot.find();
        assertTrue(RepoRoot.isRoot(root), root.toString());
        assertTrue(!RepoRoot.isRoot(root.resolve("testing")), "a module is not the root");
    }

    private static Path executable(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "#!/bin/sh\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }
}
