package io.integcov.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.integcov.storage.Manifest;
import io.integcov.testing.GoTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code integcov install DIR} (JVM build: jar + launcher), then the installed wrapper used as the webhook does. */
class InstallIT {
    private static Path covapp;

    @TempDir
    Path tmp;

    @BeforeAll
    static void build(@TempDir Path build) throws Exception {
        covapp = GoTools.buildCovapp(build);
    }

    private Path install() throws Exception {
        Path bin = tmp.resolve("volume/bin");
        Path dir = Files.createDirectories(tmp.resolve("install"));
        WrapperProcess install = WrapperProcess.in(dir).start("install", bin.toString());
        assertEquals(0, install.waitFor(), install.describe());
        return bin;
    }

    @Test
    void installsAWorldReadableExecutableWrapper() throws Exception {
        Path bin = install();
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(bin)));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(bin.resolve("integcov"))));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(bin.resolve("integcov.jar"))));
        assertEquals(Files.size(WrapperProcess.jar()), Files.size(bin.resolve("integcov.jar")));
        try (Stream<Path> files = Files.list(bin)) {
            assertEquals(List.of("integcov", "integcov.jar"), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        // installing again over an existing install works (init containers restart)
        install();
    }

    @Test
    void installedWrapperRunsTheAppUploadsAndForwardsSigterm() throws Exception {
        Path bin = install();
        Path store = tmp.resolve("store");
        Path cov = Files.createDirectories(tmp.resolve("covdata"));
        Path ready = tmp.resolve("ready");
        Path runDir = Files.createDirectories(tmp.resolve("run"));
        WrapperProcess wrapper = WrapperProcess.in(runDir).env("GOCOVERDIR", cov.toString())
                .env("INTEGCOV_STORAGE", "file://" + store).env("INTEGCOV_POD_NAMESPACE", "ns")
                .env("INTEGCOV_POD_NAME", "pod").env("INTEGCOV_CONTAINER", "c")
                .startCommand(List.of(bin.resolve("integcov").toString(), "run", "--", covapp.toString(),
                        "-serve", "127.0.0.1:0", "-ready", ready.toString(), "-exit", "3"));
        wrapper.awaitFile(ready);
        wrapper.signal("TERM"); // the launcher execs java, so this is the wrapper JVM

        assertEquals(3, wrapper.waitFor(), wrapper.describe());
        assertTrue(wrapper.stdout().contains("covapp: got terminated"), wrapper.describe());
        Path run;
        try (Stream<Path> runs = Files.list(store.resolve("ns/pod/c"))) {
            run = runs.findFirst().orElseThrow();
        }
        assertEquals(3, Manifest.fromJson(Files.readAllBytes(run.resolve(Manifest.FILE_NAME))).exitCode());
        Files.delete(run.resolve(Manifest.FILE_NAME));
        assertTrue(GoTools.coveragePercent(run) > 0);
    }
}
