package io.integcov.cli.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.integcov.storage.Checksums;
import io.integcov.storage.FileStorage;
import io.integcov.storage.Manifest;
import io.integcov.testing.GoTools;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code integcov collect --from file://...} over coverage files written by a real {@code go build -cover} binary. */
class CollectCommandTest {
    @TempDir
    static Path work;
    static Path covapp;

    @TempDir
    Path storageRoot;

    @BeforeAll
    static void buildCovapp() throws Exception {
        covapp = GoTools.buildCovapp(work.resolve("bin"));
    }

    @Test
    void downloadsEveryRunFlatAndPrintsTheMergedPercent() throws Exception {
        Path runA = runCovapp("a", "-work", "3");
        Path runB = runCovapp("b", "-work", "30");
        upload(runA, "ns/pod-a/app/run-1", true);
        upload(runB, "ns/pod-b/app/run-1", true);
        Path out = work.resolve("out-merged");

        Result result = collect("--from", "file://" + storageRoot, "-o", out.toString());

        assertEquals(0, result.exitCode, result.err);
        double expected = GoTools.coveragePercent(runA, runB);
        assertTrue(result.out.contains("coverage: " + expected + "% of statements")
                || result.out.contains(String.format("coverage: %.1f%% of statements", expected)), result.out);
        assertTrue(expected > GoTools.coveragePercent(runA), "the second run must add coverage");
        assertEquals(GoTools.coveragePercent(out), expected);
        try (Stream<Path> files = Files.list(out)) {
            assertTrue(files.allMatch(f -> f.getFileName().toString().startsWith("cov")), "flat dir of coverage files");
        }
    }

    @Test
    void corruptFileIsRejectedReportedAndTheRestStillCollected() throws Exception {
        upload(runCovapp("c", "-work", "5"), "ns/pod-c/app/run-1", true);
        upload(runCovapp("d", "-work", "15"), "ns/pod-d/app/run-1", true);
        Path counters = onlyFile(storageRoot.resolve("ns/pod-d/app/run-1"), "covcounters.");
        byte[] bytes = Files.readAllBytes(counters);
        bytes[bytes.length - 1] ^= 0x5a;
        Files.write(counters, bytes);
        Path out = work.resolve("out-corrupt");

        Result result = collect("--from", "file://" + storageRoot, "-o", out.toString());

        assertEquals(1, result.exitCode, result.err);
        assertTrue(result.err.contains(counters.getFileName() + " is corrupt"), result.err);
        assertTrue(Files.exists(out.resolve("rejected/ns/pod-d/app/run-1").resolve(counters.getFileName())));
        assertTrue(result.out.contains("coverage:"), "the good run is still measured: " + result.out);
    }

    @Test
    void uncommittedRunIsUsedWithAWarningOrFailsWhenStrict() throws Exception {
        upload(runCovapp("e", "-work", "5"), "ns/pod-e/app/run-1", false);

        Result lenient = collect("--from", "file://" + storageRoot, "-o", work.resolve("out-lenient").toString());
        Result strict = collect("--from", "file://" + storageRoot, "-o", work.resolve("out-strict").toString(),
                "--strict");

        assertEquals(0, lenient.exitCode, lenient.err);
        assertTrue(lenient.err.contains("warning: ns/pod-e/app/run-1 has no integcov-manifest.json"), lenient.err);
        assertTrue(lenient.out.contains("coverage:"), lenient.out);
        assertEquals(1, strict.exitCode, strict.err);
        assertTrue(strict.err.contains("error: ns/pod-e/app/run-1 has no integcov-manifest.json"), strict.err);
    }

    @Test
    void unreadableManifestIsReportedAndItsFilesStillUsed() throws Exception {
        upload(runCovapp("g", "-work", "5"), "ns/pod-g/app/run-1", true);
        Files.writeString(storageRoot.resolve("ns/pod-g/app/run-1/integcov-manifest.json"), "{\"version\": 1, \"fil");
        Path out = work.resolve("out-bad-manifest");

        Result result = collect("--from", "file://" + storageRoot, "-o", out.toString());

        assertEquals(1, result.exitCode, result.err);
        assertTrue(result.err.contains("ns/pod-g/app/run-1/integcov-manifest.json is not a valid manifest"), result.err);
        assertTrue(result.out.contains("coverage:"), result.out);
    }

    @Test
    void writesTextProfile() throws Exception {
        upload(runCovapp("f", "-work", "5"), "ns/pod-f/app/run-1", true);
        Path profile = work.resolve("cover.out");

        Result result = collect("--from", "file://" + storageRoot, "-o", work.resolve("out-text").toString(),
                "--textfmt", profile.toString());

        assertEquals(0, result.exitCode, result.err);
        List<String> lines = Files.readAllLines(profile);
        assertEquals("mode: set", lines.get(0));
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("integcov.io/testapps/covapp/main.go:")), lines.toString());
    }

    @Test
    void emptyStorageIsAClearError() throws Exception {
        Result result = collect("--from", "file://" + storageRoot, "-o", work.resolve("out-empty").toString());
        assertEquals(1, result.exitCode);
        assertTrue(result.err.contains("no coverage uploads found under file://" + storageRoot), result.err);
    }

    @Test
    void badUsageIsExplained() throws Exception {
        Result badUrl = collect("--from", "s3://bucket", "-o", work.resolve("out-bad").toString());
        Result both = collect("--from", "file:///x", "--capture", "ns/name", "-o", "x");
        Result waitWithoutCapture = collect("--from", "file:///x", "--wait", "-o", "x");
        Result badCapture = collect("--capture", "justaname", "-o", "x");

        assertEquals(2, badUrl.exitCode);
        assertTrue(badUrl.err.contains("unsupported scheme 's3'"), badUrl.err);
        assertEquals(2, both.exitCode);
        assertTrue(both.err.contains("mutually exclusive"), both.err);
        assertEquals(2, waitWithoutCapture.exitCode);
        assertTrue(waitWithoutCapture.err.contains("--wait needs --capture"), waitWithoutCapture.err);
        assertEquals(2, badCapture.exitCode);
        assertTrue(badCapture.err.contains("--capture must be NAMESPACE/NAME"), badCapture.err);
    }

    private static Path runCovapp(String name, String... args) throws Exception {
        Path dir = Files.createDirectories(work.resolve("covdata-" + name));
        List<String> command = new ArrayList<>(List.of(covapp.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("GOCOVERDIR", dir.toString());
        Process process = builder.start();
        process.getInputStream().readAllBytes();
        assertEquals(0, process.waitFor());
        return dir;
    }

    /** Stores a covdata dir as the wrapper does: the files, then (when committed) the manifest. */
    private void upload(Path covdata, String runDir, boolean commit) throws IOException {
        FileStorage storage = new FileStorage(storageRoot);
        List<Manifest.FileEntry> entries = new ArrayList<>();
        try (Stream<Path> files = Files.list(covdata)) {
            for (Path file : files.sorted().toList()) {
                storage.put(runDir + "/" + file.getFileName(), file);
                entries.add(new Manifest.FileEntry(file.getFileName().toString(), Files.size(file),
                        Checksums.crc32c(file)));
            }
        }
        if (commit) {
            String[] parts = runDir.split("/");
            storage.putBytes(runDir + "/" + Manifest.FILE_NAME, new Manifest(Manifest.CURRENT_VERSION, parts[0],
                    parts[1], parts[2], parts[3], 0, null, null, null, null, entries, null).toJson());
        }
    }

    private static Path onlyFile(Path dir, String prefix) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith(prefix)).findFirst().orElseThrow();
        }
    }

    record Result(int exitCode, String out, String err) {
    }

    private static Result collect(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = new CommandLine(new CollectCommand());
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        return new Result(exitCode, out.toString(), err.toString());
    }
}
