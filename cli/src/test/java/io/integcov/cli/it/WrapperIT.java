package io.integcov.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.integcov.storage.Manifest;
import io.integcov.testing.FakeGcs;
import io.integcov.testing.GoTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code integcov run} as a real subprocess wrapping covapp built with {@code go build -cover}, uploading to a real
 * fake-gcs-server or to file://; coverage checked with {@code go tool covdata percent}.
 */
class WrapperIT {
    private static final String BUCKET = "coverage";
    private static Path covapp;
    private static FakeGcs gcs;

    @TempDir
    Path tmp;

    @BeforeAll
    static void setUp(@TempDir Path build) throws Exception {
        covapp = GoTools.buildCovapp(build);
        gcs = FakeGcs.start(BUCKET);
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (gcs != null) {
            gcs.stop();
        }
    }

    // ---- helpers

    private Path coverDir() throws IOException {
        return Files.createDirectories(tmp.resolve("covdata"));
    }

    private WrapperProcess gcsWrapper(String prefix, String endpoint) throws IOException {
        return WrapperProcess.in(tmp).env("GOCOVERDIR", coverDir().toString())
                .env("INTEGCOV_STORAGE", "gs://" + BUCKET + "/" + prefix)
                .env("STORAGE_EMULATOR_HOST", endpoint)
                .env("INTEGCOV_POD_NAMESPACE", "ns-1").env("INTEGCOV_POD_NAME", "pod-1").env("INTEGCOV_CONTAINER", "app");
    }

    private WrapperProcess fileWrapper(Path store) throws IOException {
        return WrapperProcess.in(tmp).env("GOCOVERDIR", coverDir().toString()).env("INTEGCOV_STORAGE", "file://" + store)
                .env("INTEGCOV_POD_NAMESPACE", "ns-1").env("INTEGCOV_POD_NAME", "pod-1").env("INTEGCOV_CONTAINER", "app");
    }

    /** One run's objects in the bucket under {@code prefix/ns-1/pod-1/app/<run-id>/}, by file name. */
    private static Map<String, FakeGcs.StoredObject> gcsRun(String prefix) throws Exception {
        List<FakeGcs.StoredObject> objects = gcs.objects(BUCKET).stream()
                .filter(o -> o.name().startsWith(prefix + "/ns-1/pod-1/app/")).toList();
        Set<String> runDirs = objects.stream().map(o -> o.name().substring(0, o.name().lastIndexOf('/')))
                .collect(Collectors.toSet());
        assertEquals(1, runDirs.size(), "one run-id directory: " + objects);
        return objects.stream().collect(Collectors.toMap(o -> o.name().substring(o.name().lastIndexOf('/') + 1),
                o -> o, (a, b) -> a, TreeMap::new));
    }

    /** Downloads a GCS run's coverage files (not the manifest) into a fresh dir for covdata. */
    private Path downloadGcsRun(Map<String, FakeGcs.StoredObject> run) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("downloaded"));
        for (FakeGcs.StoredObject object : run.values()) {
            if (!object.name().endsWith("/" + Manifest.FILE_NAME)) {
                Files.write(dir.resolve(object.name().substring(object.name().lastIndexOf('/') + 1)),
                        gcs.object(BUCKET, object.name()));
            }
        }
        return dir;
    }

    /** The single run directory below {@code store/ns-1/pod-1/app/}. */
    private static Path fileRun(Path store) throws IOException {
        try (Stream<Path> runs = Files.list(store.resolve("ns-1/pod-1/app"))) {
            List<Path> all = runs.toList();
            assertEquals(1, all.size(), "one run-id directory: " + all);
            return all.get(0);
        }
    }

    private static Set<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private static long crc32c(byte[] data) {
        CRC32C crc = new CRC32C();
        crc.update(data);
        return crc.getValue();
    }

    /** Checks a file:// run: manifest names exactly the other files, with their sizes and CRC-32C. */
    private static Manifest checkFileRun(Path run) throws IOException {
        Manifest manifest = Manifest.fromJson(Files.readAllBytes(run.resolve(Manifest.FILE_NAME)));
        Set<String> stored = names(run);
        stored.remove(Manifest.FILE_NAME);
        assertEquals(stored, manifest.files().stream().map(Manifest.FileEntry::name).collect(Collectors.toSet()));
        for (Manifest.FileEntry entry : manifest.files()) {
            byte[] data = Files.readAllBytes(run.resolve(entry.name()));
            assertEquals(data.length, entry.size(), entry.name());
            assertEquals(crc32c(data), entry.crc32c(), entry.name());
        }
        assertNull(manifest.failed());
        assertEquals(run.getFileName().toString(), manifest.runId());
        return manifest;
    }

    /** covapp run directly (no wrapper) with the same arguments, stopped with SIGTERM if it serves. */
    private double directCoverage(boolean serve, String... args) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("direct-covdata"));
        Path ready = tmp.resolve("direct-ready");
        List<String> command = new java.util.ArrayList<>(List.of(covapp.toString()));
        if (serve) {
            command.addAll(List.of("-ready", ready.toString()));
        }
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("direct-out").toFile());
        builder.environment().put("GOCOVERDIR", dir.toString());
        Process direct = builder.start();
        if (serve) {
            for (int i = 0; i < 3600 && !Files.exists(ready); i++) {
                Thread.sleep(50);
            }
            direct.destroy(); // SIGTERM
        }
        assertTrue(direct.waitFor(WrapperProcess.HANG_GUARD_SECONDS, TimeUnit.SECONDS));
        return GoTools.coveragePercent(dir);
    }

    // ---- tests

    @Test
    void sigtermIsForwardedAndUploadedCoverageEqualsADirectRun() throws Exception {
        Path ready = tmp.resolve("ready");
        WrapperProcess wrapper = gcsWrapper("sigterm", gcs.endpoint())
                .start("run", "--", covapp.toString(), "-serve", "127.0.0.1:0", "-ready", ready.toString(), "-exit", "7");
        wrapper.awaitFile(ready);
        wrapper.signal("TERM");

        assertEquals(7, wrapper.waitFor(), wrapper.describe());
        assertTrue(wrapper.stdout().contains("covapp: got terminated"), wrapper.describe());

        Map<String, FakeGcs.StoredObject> run = gcsRun("sigterm");
        assertTrue(run.keySet().stream().anyMatch(n -> n.startsWith("covmeta.")), run.toString());
        assertTrue(run.keySet().stream().anyMatch(n -> n.startsWith("covcounters.")), run.toString());
        double uploaded = GoTools.coveragePercent(downloadGcsRun(run));
        double direct = directCoverage(true, "-serve", "127.0.0.1:0", "-exit", "7");
        assertTrue(uploaded > 0, "coverage " + uploaded);
        assertEquals(direct, uploaded, "uploaded coverage equals a direct run's");

        FakeGcs.StoredObject manifestObject = run.get(Manifest.FILE_NAME);
        Manifest manifest = Manifest.fromJson(gcs.object(BUCKET, manifestObject.name()));
        assertEquals(7, manifest.exitCode());
        assertNull(manifest.signal());
        assertNull(manifest.failed());
        assertEquals(List.of("ns-1", "pod-1", "app"), List.of(manifest.namespace(), manifest.pod(), manifest.container()));
        assertTrue(manifestObject.name().endsWith("/" + manifest.runId() + "/" + Manifest.FILE_NAME), manifestObject.name());
        assertEquals(run.size() - 1, manifest.files().size());
        for (Manifest.FileEntry entry : manifest.files()) {
            FakeGcs.StoredObject object = run.get(entry.name());
            assertNotNull(object, entry.name());
            assertEquals(object.size(), entry.size(), entry.name());
            assertEquals(object.crc32c(), entry.crc32c(), "manifest crc32c equals the server's for " + entry.name());
            assertTrue(manifestObject.generation() > object.generation(), "manifest written after " + entry.name());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3})
    void exitCodeIsKept(int code) throws Exception {
        Path store = tmp.resolve("store");
        WrapperProcess wrapper = fileWrapper(store).start("run", "--", covapp.toString(), "-exit", String.valueOf(code));
        assertEquals(code, wrapper.waitFor(), wrapper.describe());
        Path run = fileRun(store);
        Manifest manifest = checkFileRun(run);
        assertEquals(code, manifest.exitCode());
        assertEquals(directCoverage(false, "-exit", String.valueOf(code)), GoTools.coveragePercent(run));
    }

    @Test
    void childKilledBySigkillGives137() throws Exception {
        Path store = tmp.resolve("store");
        Path ready = tmp.resolve("ready");
        WrapperProcess wrapper = fileWrapper(store)
                .start("run", "--", covapp.toString(), "-serve", "127.0.0.1:0", "-ready", ready.toString());
        wrapper.awaitFile(ready);
        List<ProcessHandle> children = wrapper.children();
        assertEquals(1, children.size(), children.toString());
        WrapperProcess.signal("KILL", children.get(0).pid());

        assertEquals(137, wrapper.waitFor(), wrapper.describe());
        Manifest manifest = checkFileRun(fileRun(store));
        assertEquals(137, manifest.exitCode());
        assertEquals(9, manifest.signal());
    }

    @Test
    void sighupIsForwardedAndKillsTheChildWith129() throws Exception {
        // covapp does not handle SIGHUP, so the Go runtime lets it kill the process
        Path ready = tmp.resolve("ready");
        WrapperProcess wrapper = WrapperProcess.in(tmp)
                .start("run", "--", covapp.toString(), "-serve", "127.0.0.1:0", "-ready", ready.toString());
        wrapper.awaitFile(ready);
        wrapper.signal("HUP");
        assertEquals(129, wrapper.waitFor(), wrapper.describe());
    }

    @Test
    void sigusr1IsForwarded() throws Exception {
        Path ready = tmp.resolve("ready");
        WrapperProcess wrapper = WrapperProcess.in(tmp)
                .start("run", "--", covapp.toString(), "-serve", "127.0.0.1:0", "-ready", ready.toString(), "-exit", "0");
        wrapper.awaitFile(ready);
        wrapper.signal("USR1");
        wrapper.awaitStdout("covapp: got user defined signal 1");
        wrapper.signal("INT");
        assertEquals(0, wrapper.waitFor(), wrapper.describe());
        assertTrue(wrapper.stdout().contains("covapp: got interrupt"), wrapper.describe());
    }

    @Test
    void environmentIsPreserved() throws Exception {
        String value = "a b=c \u00fc $HOME";
        WrapperProcess wrapper = WrapperProcess.in(tmp).env("MY_SETTING", value)
                .start("run", "--", covapp.toString(), "-print-env", "MY_SETTING");
        assertEquals(0, wrapper.waitFor(), wrapper.describe());
        assertTrue(wrapper.stdout().contains("MY_SETTING=" + value + "\n"), wrapper.describe());
        assertTrue(wrapper.stderr().contains("integcov: INTEGCOV_STORAGE is not set"), wrapper.describe());
    }

    @Test
    void storageDownThenUpIsRetried() throws Exception {
        try (FakeGcs late = FakeGcs.reserve()) {
            Path ready = tmp.resolve("ready");
            WrapperProcess wrapper = gcsWrapper("late", late.endpoint()).env("INTEGCOV_UPLOAD_TIMEOUT", "120")
                    .start("run", "--", covapp.toString(), "-ready", ready.toString(), "-exit", "5");
            wrapper.awaitFile(ready);
            wrapper.await(() -> wrapper.children().stream().noneMatch(c -> c.info().command().orElse("")
                    .endsWith("covapp")), "the app to exit");
            wrapper.awaitStderr("upload failed, retrying");
            late.startServer(BUCKET);

            assertEquals(5, wrapper.waitFor(), wrapper.describe());
            List<FakeGcs.StoredObject> objects = late.objects(BUCKET);
            assertTrue(objects.stream().anyMatch(o -> o.name().endsWith("/" + Manifest.FILE_NAME)), objects.toString());
            Path dir = Files.createDirectories(tmp.resolve("late-download"));
            for (FakeGcs.StoredObject object : objects) {
                if (!object.name().endsWith(Manifest.FILE_NAME)) {
                    Files.write(dir.resolve(object.name().substring(object.name().lastIndexOf('/') + 1)),
                            late.object(BUCKET, object.name()));
                }
            }
            assertEquals(directCoverage(false, "-ready", tmp.resolve("direct-ready").toString(), "-exit", "5"),
                    GoTools.coveragePercent(dir));
        }
    }

    @Test
    void storageNeverUpKeepsTheExitCode() throws Exception {
        FakeGcs never = FakeGcs.reserve();
        WrapperProcess wrapper = gcsWrapper("never", never.endpoint()).env("INTEGCOV_UPLOAD_TIMEOUT", "4")
                .start("run", "--", covapp.toString(), "-exit", "4");
        assertEquals(4, wrapper.waitFor(), wrapper.describe());
        String err = wrapper.stderr();
        assertTrue(err.contains("upload failed, retrying"), err);
        // how far it got before the deadline depends on the machine: the file uploads gave up, or the hard stop hit
        assertTrue(err.contains("coverage files not uploaded") || err.contains("did not finish before its deadline"), err);
        assertFalse(err.contains("integcov: uploaded"), err);
    }

    @Test
    void missingBucketFailsFastAndKeepsTheExitCode() throws Exception {
        WrapperProcess wrapper = WrapperProcess.in(tmp).env("GOCOVERDIR", coverDir().toString())
                .env("INTEGCOV_STORAGE", "gs://no-such-bucket/x").env("STORAGE_EMULATOR_HOST", gcs.endpoint())
                .start("run", "--", covapp.toString(), "-exit", "6");
        assertEquals(6, wrapper.waitFor(), wrapper.describe());
        assertTrue(wrapper.stderr().contains("HTTP 404"), wrapper.describe());
    }

    @Test
    void fileStorageSkipsGoTempFilesAndUploadsTheRest() throws Exception {
        Path cov = coverDir();
        Files.writeString(cov.resolve("tmp.covcounters.partial"), "being written");
        Files.writeString(cov.resolve("notes.txt"), "other file");
        Path store = tmp.resolve("store");
        WrapperProcess wrapper = fileWrapper(store).start("run", "--", covapp.toString(), "-work", "30");
        assertEquals(0, wrapper.waitFor(), wrapper.describe());

        Path run = fileRun(store);
        Set<String> stored = names(run);
        assertTrue(stored.contains("notes.txt"), stored.toString());
        assertFalse(stored.stream().anyMatch(n -> n.startsWith("tmp.")), stored.toString());
        assertTrue(stored.stream().anyMatch(n -> n.startsWith("covcounters.")), stored.toString());
        checkFileRun(run);
        Files.delete(run.resolve("notes.txt"));
        assertEquals(directCoverage(false, "-work", "30"), GoTools.coveragePercent(run));
    }

    @ParameterizedTest
    @ValueSource(strings = {"s3://bucket/x", "gs:///x", "file://relative/dir", "::"})
    void badStorageUrlIsLoggedAndTheAppStillRuns(String url) throws Exception {
        WrapperProcess wrapper = WrapperProcess.in(tmp).env("GOCOVERDIR", coverDir().toString())
                .env("INTEGCOV_STORAGE", url).start("run", "--", covapp.toString(), "-exit", "3");
        assertEquals(3, wrapper.waitFor(), wrapper.describe());
        assertTrue(wrapper.stdout().contains("covapp: classified"), wrapper.describe());
        assertTrue(wrapper.stderr().contains("integcov: INTEGCOV_STORAGE: storage URL '" + url + "'"), wrapper.describe());
        assertTrue(wrapper.stderr().contains("coverage data is not uploaded"), wrapper.describe());
    }

    @Test
    void missingCoverDirIsLogged() throws Exception {
        WrapperProcess wrapper = fileWrapper(tmp.resolve("store")).env("GOCOVERDIR", tmp.resolve("absent").toString())
                .start("run", "--", covapp.toString(), "-exit", "0");
        assertEquals(0, wrapper.waitFor(), wrapper.describe());
        assertTrue(wrapper.stderr().contains("is not a directory; no coverage data to upload"), wrapper.describe());
        assertFalse(Files.exists(tmp.resolve("store")));
    }

    @Test
    void unknownCommandExits127() throws Exception {
        WrapperProcess wrapper = WrapperProcess.in(tmp).start("run", "--", tmp.resolve("no-such-program").toString());
        assertEquals(127, wrapper.waitFor(), wrapper.describe());
        assertTrue(wrapper.stderr().contains("integcov: cannot start"), wrapper.describe());
    }

    @Test
    void runWithoutDoubleDashAndHelp() throws Exception {
        WrapperProcess run = WrapperProcess.in(tmp).start("run", covapp.toString(), "-exit", "3");
        assertEquals(3, run.waitFor(), run.describe());

        Path helpDir = Files.createDirectories(tmp.resolve("help"));
        WrapperProcess help = WrapperProcess.in(helpDir).start("--help");
        assertEquals(0, help.waitFor(), help.describe());
        assertTrue(help.stdout().contains("run") && help.stdout().contains("install"), help.describe());

        Path usageDir = Files.createDirectories(tmp.resolve("usage"));
        WrapperProcess usage = WrapperProcess.in(usageDir).start("run");
        assertEquals(2, usage.waitFor(), usage.describe());
        assertTrue(usage.stderr().contains("CMD"), usage.describe());
        assertEquals("", new String(Files.readAllBytes(usageDir.resolve("stdout")), StandardCharsets.UTF_8));
    }
}
