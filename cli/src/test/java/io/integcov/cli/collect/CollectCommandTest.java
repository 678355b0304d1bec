package io.integcov.cli.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.integcov.cli.IntegcovCommand;
import io.integcov.testing.GoTools;
import io.integcov.testing.RepoRoot;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code integcov collect --from file://...} over coverage files written by a real {@code go build -cover} binary. */
class CollectCommandTest {
    private static final Pattern TOTAL = Pattern.compile("(?m)^total\\s+(\\d+)\\s+(\\d+)\\s+([0-9.]+)%$");
    private static final String CAPTURE = "ns/e2e/uid-1";

    @TempDir
    static Path work;
    static CovappRuns covapp;

    @TempDir
    Path storageRoot;

    @BeforeAll
    static void buildCovapp() throws Exception {
        covapp = new CovappRuns(GoTools.buildCovapp(work.resolve("bin")), work);
    }

    @Test
    void downloadsEveryRunFlatAndPrintsThePerPackageTable() throws Exception {
        Path runA = covapp.run("-work", "3");
        Path runB = covapp.run("-work", "30");
        upload(runA, CAPTURE + "/pod-a/app/run-1", true);
        upload(runB, CAPTURE + "/pod-b/app/run-1", true);
        Path out = work.resolve("out-merged");

        Result result = collect("--from", "file://" + storageRoot, "-o", out.toString());

        assertEquals(0, result.exitCode, result.err);
        double expected = GoTools.coveragePercent(runA, runB);
        assertTrue(expected > GoTools.coveragePercent(runA), "the second run must add coverage");
        assertEquals(expected, totalPercent(result.out), 0.05, result.out);
        assertTrue(result.out.contains("integcov.io/testapps/covapp "), result.out);
        assertEquals(GoTools.coveragePercent(out), expected);
        assertTrue(result.err.contains("merged 2 runs from 1 capture below file://" + storageRoot), result.err);
        try (Stream<Path> files = Files.list(out)) {
            assertTrue(files.allMatch(f -> f.getFileName().toString().startsWith("cov")), "flat dir of coverage files");
        }
    }

    @Test
    void fromMergesEveryCaptureBelowTheUrlAndSaysHowMany() throws Exception {
        upload(covapp.run("-work", "3"), "ns/e2e/uid-1/pod-a/app/run-1", true);
        upload(covapp.run("-work", "30"), "ns/e2e/uid-2/pod-a/app/run-1", true);
        upload(covapp.run("-work", "30"), "other/smoke/uid-3/pod-z/app/run-9", true);

        Result all = collect("--from", "file://" + storageRoot, "-o", work.resolve("out-all").toString());
        Result one = collect("--from", "file://" + storageRoot + "/ns/e2e/uid-2", "-o",
                work.resolve("out-one").toString());

        assertEquals(0, all.exitCode, all.err);
        assertTrue(all.err.contains("merged 3 runs from 3 captures below file://" + storageRoot), all.err);
        assertEquals(0, one.exitCode, one.err);
        assertTrue(one.err.contains("merged 1 runs from 1 capture below file://" + storageRoot + "/ns/e2e/uid-2"),
                one.err);
    }

    @Test
    void acceptsManifestsWithAndWithoutTheCaptureFields() throws Exception {
        upload(covapp.run("-work", "3"), CAPTURE + "/pod-a/app/run-1", true);
        CovappRuns.upload(storageRoot, covapp.run("-work", "30"), CAPTURE + "/pod-b/app/run-1", true, false);
        Path report = work.resolve("mixed.json");

        Result result = collect("--from", "file://" + storageRoot, "-o", work.resolve("out-mixed").toString(),
                "--json", report.toString());

        assertEquals(0, result.exitCode, result.err);
        JsonNode runs = new ObjectMapper().readTree(report.toFile()).path("runs");
        assertEquals("wrap", runs.get(0).path("mode").asText());
        assertTrue(runs.get(1).path("mode").isNull(), runs.toString());
        assertEquals("e2e", runs.get(1).path("capture").asText(), "taken from the key when the manifest lacks it");
        assertEquals("uid-1", runs.get(1).path("captureUid").asText());
    }

    @Test
    void corruptFileIsRejectedReportedAndTheRestStillCollected() throws Exception {
        upload(covapp.run("-work", "5"), CAPTURE + "/pod-c/app/run-1", true);
        upload(covapp.run("-work", "15"), CAPTURE + "/pod-d/app/run-1", true);
        Path counters = onlyFile(storageRoot.resolve(CAPTURE + "/pod-d/app/run-1"), "covcounters.");
        byte[] bytes = Files.readAllBytes(counters);
        bytes[bytes.length - 1] ^= 0x5a;
        Files.write(counters, bytes);
        Path out = work.resolve("out-corrupt");
        Path report = work.resolve("corrupt.json");

        Result result = collect("--from", "file://" + storageRoot, "-o", out.toString(), "--json", report.toString());

        assertEquals(1, result.exitCode, result.err);
        assertTrue(result.err.contains(counters.getFileName() + " is corrupt"), result.err);
        assertTrue(Files.exists(out.resolve("rejected/" + CAPTURE + "/pod-d/app/run-1").resolve(counters.getFileName())));
        assertTrue(TOTAL.matcher(result.out).find(), "the good run is still measured: " + result.out);
        JsonNode json = new ObjectMapper().readTree(report.toFile());
        assertEquals(1, json.path("corrupt").size(), json.toString());
        assertEquals(counters.getFileName().toString(), json.path("corrupt").get(0).path("file").asText());
        assertEquals(CAPTURE + "/pod-d/app/run-1", json.path("corrupt").get(0).path("run").asText());
        assertFalse(json.path("ok").asBoolean());
    }

    @Test
    void uncommittedRunIsUsedWithAWarningOrFailsWhenStrict() throws Exception {
        upload(covapp.run("-work", "5"), CAPTURE + "/pod-e/app/run-1", false);

        Result lenient = collect("--from", "file://" + storageRoot, "-o", work.resolve("out-lenient").toString());
        Result strict = collect("--from", "file://" + storageRoot, "-o", work.resolve("out-strict").toString(),
                "--strict");

        assertEquals(0, lenient.exitCode, lenient.err);
        assertTrue(lenient.err.contains("warning: " + CAPTURE + "/pod-e/app/run-1 has no integcov-manifest.json"),
                lenient.err);
        assertTrue(TOTAL.matcher(lenient.out).find(), lenient.out);
        assertEquals(1, strict.exitCode, strict.err);
        assertTrue(strict.err.contains("error: " + CAPTURE + "/pod-e/app/run-1 has no integcov-manifest.json"),
                strict.err);
    }

    @Test
    void filesTheManifestNamesButStorageLacksAreReportedMissing() throws Exception {
        upload(covapp.run("-work", "5"), CAPTURE + "/pod-m/app/run-1", true);
        Path counters = onlyFile(storageRoot.resolve(CAPTURE + "/pod-m/app/run-1"), "covcounters.");
        Files.delete(counters);
        Path report = work.resolve("missing.json");

        Result result = collect("--from", "file://" + storageRoot, "-o", work.resolve("out-missing").toString(),
                "--json", report.toString());

        assertEquals(1, result.exitCode, result.err);
        assertTrue(result.err.contains(counters.getFileName() + " is in the manifest but missing from storage"),
                result.err);
        JsonNode missing = new ObjectMapper().readTree(report.toFile()).path("missing");
        assertEquals(List.of(counters.getFileName().toString()), List.of(missing.get(0).path("file").asText()));
    }

    @Test
    void unreadableManifestIsReportedAndItsFilesStillUsed() throws Exception {
        upload(covapp.run("-work", "5"), CAPTURE + "/pod-g/app/run-1", true);
        Files.writeString(storageRoot.resolve(CAPTURE + "/pod-g/app/run-1/integcov-manifest.json"),
                "{\"version\": 1, \"fil");

        Result result = collect("--from", "file://" + storageRoot, "-o", work.resolve("out-bad-manifest").toString());

        assertEquals(1, result.exitCode, result.err);
        assertTrue(result.err.contains(CAPTURE + "/pod-g/app/run-1/integcov-manifest.json is not a valid manifest"),
                result.err);
        assertTrue(TOTAL.matcher(result.out).find(), result.out);
    }

    @Test
    void writesTextProfileHtmlAndJsonThatAgreeWithTheTable() throws Exception {
        upload(covapp.run("-work", "5"), CAPTURE + "/pod-f/app/run-1", true);
        upload(covapp.run("-work", "50"), CAPTURE + "/pod-f/app/run-2", true);
        Path profile = work.resolve("cover.out");
        Path html = work.resolve("cover.html");
        Path report = work.resolve("cover.json");

        Result result = collect("--from", "file://" + storageRoot, "-o", work.resolve("out-text").toString(),
                "--textfmt", profile.toString(), "--html", html.toString(),
                "--source", RepoRoot.find().resolve("testapps/covapp").toString(), "--json", report.toString());

        assertEquals(0, result.exitCode, result.err);
        List<String> lines = Files.readAllLines(profile);
        assertEquals("mode: set", lines.get(0));
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("integcov.io/testapps/covapp/main.go:")), lines.toString());
        String page = Files.readString(html);
        assertTrue(page.contains("<html") && page.contains("main.go"), "go tool cover -html output");

        Matcher total = TOTAL.matcher(result.out);
        assertTrue(total.find(), result.out);
        JsonNode json = new ObjectMapper().readTree(report.toFile());
        assertEquals(Long.parseLong(total.group(1)), json.path("totals").path("statements").asLong());
        assertEquals(Long.parseLong(total.group(2)), json.path("totals").path("covered").asLong());
        assertEquals(Double.parseDouble(total.group(3)), json.path("totals").path("percent").asDouble());
        assertEquals("integcov.io/testapps/covapp", json.path("packages").get(0).path("name").asText());
        assertEquals(2, json.path("runs").size());
        assertEquals(List.of("pod-f", "app", "run-1", "ns"), List.of(json.path("runs").get(0).path("pod").asText(),
                json.path("runs").get(0).path("container").asText(), json.path("runs").get(0).path("runId").asText(),
                json.path("runs").get(0).path("namespace").asText()));
        assertTrue(json.path("runs").get(0).path("files").asInt() >= 2, json.toString());
        assertEquals(1, json.path("captures").asInt());
        assertTrue(json.path("ok").asBoolean());
    }

    /** --html from a directory of the module the binary was built from: no --source needed. */
    @Test
    void htmlFindsTheSourceInTheCurrentModule() throws Exception {
        upload(covapp.run("-work", "5"), CAPTURE + "/pod-h/app/run-1", true);
        Path html = work.resolve("cwd.html");

        Result result = collectIn(RepoRoot.find().resolve("testapps/covapp"), emptyModuleCache(), "--from",
                "file://" + storageRoot, "-o", work.resolve("out-cwd").toString(), "--html", html.toString());

        assertEquals(0, result.exitCode, result.err);
        assertTrue(Files.readString(html).contains("neverCalled"), "covapp's source in the page");
    }

    /** --html outside any module: the module's copy in the Go module cache is used. */
    @Test
    void htmlFindsTheSourceInTheModuleCache(@TempDir Path elsewhere) throws Exception {
        upload(covapp.run("-work", "5"), CAPTURE + "/pod-m/app/run-1", true);
        Path cache = elsewhere.resolve("mod");
        Path copy = Files.createDirectories(cache.resolve("integcov.io/testapps/covapp@v0.1.0"));
        for (String file : List.of("go.mod", "main.go")) {
            Files.copy(RepoRoot.find().resolve("testapps/covapp").resolve(file), copy.resolve(file));
        }
        Path html = work.resolve("modcache.html");

        Result result = collectIn(Files.createDirectories(elsewhere.resolve("ci")), cache, "--from",
                "file://" + storageRoot, "-o", work.resolve("out-modcache").toString(), "--html", html.toString());

        assertEquals(0, result.exitCode, result.err);
        String page = Files.readString(html);
        assertTrue(page.contains("neverCalled") && page.contains(copy.resolve("main.go").toString()), "from the cache");
    }

    /** No source anywhere: one error naming the package and what would help (exit 1); the other reports are written. */
    @Test
    void htmlWithoutTheSourceSaysWhatItNeedsAndTheOtherReportsAreWritten(@TempDir Path elsewhere) throws Exception {
        upload(covapp.run("-work", "5"), CAPTURE + "/pod-n/app/run-1", true);
        Path html = work.resolve("nosource.html");
        Path profile = work.resolve("nosource.out");
        Path report = work.resolve("nosource.json");

        Result result = collectIn(elsewhere, emptyModuleCache(), "--from", "file://" + storageRoot, "-o",
                work.resolve("out-nosource").toString(), "--html", html.toString(), "--textfmt", profile.toString(),
                "--json", report.toString());

        assertEquals(1, result.exitCode, result.err);
        assertTrue(result.err.contains("--html needs the source of integcov.io/testapps/covapp; run collect inside the"
                + " Go module the binaries were built from, pass --source DIR"), result.err);
        assertFalse(Files.exists(html));
        assertTrue(Files.readString(profile).startsWith("mode: set"));
        assertTrue(TOTAL.matcher(result.out).find(), result.out);
        assertFalse(new ObjectMapper().readTree(report.toFile()).path("ok").asBoolean());
    }

    private static Path emptyModuleCache() throws IOException {
        return Files.createDirectories(work.resolve("empty-module-cache"));
    }

    @Test
    void failUnderFailsOnlyBelowTheThreshold() throws Exception {
        upload(covapp.run("-work", "5"), CAPTURE + "/pod-t/app/run-1", true);
        double percent = GoTools.coveragePercent(covapp.run("-work", "5"));

        Result below = collect("--from", "file://" + storageRoot, "-o", work.resolve("out-fu1").toString(),
                "--fail-under", String.valueOf(percent + 0.5));
        Result above = collect("--from", "file://" + storageRoot, "-o", work.resolve("out-fu2").toString(),
                "--fail-under", String.valueOf(percent - 0.5));

        assertEquals(1, below.exitCode, below.err);
        assertTrue(below.err.contains(String.format("total coverage %.1f%% is below --fail-under", percent)),
                below.err);
        assertEquals(0, above.exitCode, above.err);
    }

    @Test
    void printsPlainProgressLinesWhenStderrIsNotATerminal() throws Exception {
        for (int i = 0; i < 4; i++) {
            upload(covapp.run("-work", String.valueOf(i)), CAPTURE + "/pod-p" + i + "/app/run-1", true);
        }
        CollectCommand command = new CollectCommand();
        command.terminal = false;
        command.plainProgressEvery = Duration.ZERO;

        Result result = run(new CommandLine(command), "--from", "file://" + storageRoot, "--parallel", "2", "-o",
                work.resolve("out-progress").toString());

        assertEquals(0, result.exitCode, result.err);
        assertTrue(Pattern.compile("(?m)^integcov collect: \\d+/8 files, ").matcher(result.err).find(), result.err);
        assertFalse(result.err.contains("\r"), "no terminal control characters in a log");
    }

    @Test
    void emptyStorageIsAClearError() throws Exception {
        Result result = collect("--from", "file://" + storageRoot, "-o", work.resolve("out-empty").toString());
        assertEquals(1, result.exitCode);
        assertTrue(result.err.contains("no coverage uploads found under file://" + storageRoot), result.err);
    }

    @Test
    void badUsageIsExplainedWithExitCode2() throws Exception {
        Result badUrl = collect("--from", "s3://bucket", "-o", work.resolve("out-bad").toString());
        Result both = collect("--from", "file:///x", "--capture", "ns/name", "-o", "x");
        Result waitWithoutCapture = collect("--from", "file:///x", "--wait", "-o", "x");
        Result flushWithoutCapture = collect("--from", "file:///x", "--flush", "-o", "x");
        Result badCapture = collect("--capture", "justaname", "-o", "x");
        Result badDuration = collect("--capture", "ns/name", "--wait", "--timeout", "10 minutes", "-o", "x");
        Result badThreshold = collect("--from", "file:///x", "--fail-under", "120", "-o", "x");

        assertEquals(2, badUrl.exitCode);
        assertTrue(badUrl.err.contains("unsupported scheme 's3'"), badUrl.err);
        assertEquals(2, both.exitCode);
        assertTrue(both.err.contains("mutually exclusive"), both.err);
        assertEquals(2, waitWithoutCapture.exitCode);
        assertTrue(waitWithoutCapture.err.contains("--wait needs --capture"), waitWithoutCapture.err);
        assertEquals(2, flushWithoutCapture.exitCode);
        assertTrue(flushWithoutCapture.err.contains("--flush needs --capture"), flushWithoutCapture.err);
        assertEquals(2, badCapture.exitCode);
        assertTrue(badCapture.err.contains("--capture must be NAMESPACE/NAME"), badCapture.err);
        assertEquals(2, badDuration.exitCode);
        assertTrue(badDuration.err.contains("'10 minutes' is not a duration; write it as Go does"), badDuration.err);
        assertEquals(2, badThreshold.exitCode);
        assertTrue(badThreshold.err.contains("--fail-under must be a percentage"), badThreshold.err);
    }

    @Test
    void helpShowsACompleteCiStep() {
        Result help = collect("--help");

        assertEquals(0, help.exitCode);
        for (String part : List.of("integcov collect --capture shop/e2e --wait --timeout 5m", "--fail-under 70",
                "--html coverage.html", "--json coverage.json", "actions/upload-artifact", "Exit codes: 0")) {
            assertTrue(help.out.contains(part), part + " in\n" + help.out);
        }
    }

    private void upload(Path covdata, String runDir, boolean commit) throws IOException {
        CovappRuns.upload(storageRoot, covdata, runDir, commit, true);
    }

    private static double totalPercent(String table) {
        Matcher total = TOTAL.matcher(table);
        assertTrue(total.find(), table);
        return Double.parseDouble(total.group(3));
    }

    private static Path onlyFile(Path dir, String prefix) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith(prefix)).findFirst().orElseThrow();
        }
    }

    record Result(int exitCode, String out, String err) {
    }

    /** Runs {@code integcov collect ARGS} as the binary does (same exception handling). */
    static Result collect(String... args) {
        return collectIn(null, null, args);
    }

    /** {@link #collect} as if run in {@code dir} with {@code moduleCache} as the Go module cache (null: the real ones). */
    static Result collectIn(Path dir, Path moduleCache, String... args) {
        CommandLine integcov = IntegcovCommand.commandLine();
        CollectCommand command = integcov.getSubcommands().get("collect").getCommand();
        if (dir != null) {
            command.currentDir = dir;
        }
        command.moduleCache = moduleCache;
        String[] all = new String[args.length + 1];
        all[0] = "collect";
        System.arraycopy(args, 0, all, 1, args.length);
        return run(integcov, all);
    }

    static Result run(CommandLine commandLine, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        return new Result(exitCode, out.toString(), err.toString());
    }
}
