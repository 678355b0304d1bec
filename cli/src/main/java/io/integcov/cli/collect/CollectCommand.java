package io.integcov.cli.collect;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.integcov.model.CaptureStorage;
import io.integcov.model.CoverageCapture;
import io.integcov.model.CoverageCaptureStatus;
import io.integcov.model.DefaultStore;
import io.integcov.storage.KeyLayout;
import io.integcov.storage.Storage;
import io.integcov.storage.UploadedRuns;
import io.integcov.storage.UploadedRuns.Problem;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code integcov collect}: the CI teardown step. Resolving the source (a capture's own prefix, or a URL), waiting,
 * downloading ({@link Downloader}) and reporting ({@link CoverageProfile}, {@link CollectReport}) are separate so that
 * each can be tested on its own; this class wires them and owns the exit code.
 */
@Command(name = "collect", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Download the Go coverage files uploaded by integcov into one flat directory (as `go tool"
                + " covdata -i` wants), verify them against their upload manifests, and report coverage per package.",
                "",
                "Exit codes: 0 everything collected and verified; 1 something missing or corrupt (all the rest is"
                        + " still downloaded and reported), storage unreadable, a report that could not be written"
                        + " (e.g. --html without the packages' source; the others are still written), coverage below"
                        + " --fail-under, or with --strict a gap in the capture; 2 bad usage.",
                ""},
        footerHeading = "%nExample: a GitHub Actions teardown step%n",
        footer = {
                "  - name: Coverage",
                "    if: always()",
                "    run: |",
                "      kubectl delete deployment --all -n shop --wait  # the agent uploads",
                "      integcov collect --capture shop/e2e --wait --timeout 5m \\",
                "        -o covdata --textfmt coverage.txt --html coverage.html \\",
                "        --json coverage.json --fail-under 70",
                "  - uses: actions/upload-artifact@v4",
                "    if: always()",
                "    with: {name: coverage, path: \"coverage.*\"}",
                "",
                "Without stopping the workloads (programs import integcov.io/agent/flush):",
                "  integcov collect --capture shop/e2e --flush -o covdata && kind delete cluster",
                "",
                "--capture NS/NAME reads only that capture's uploads, <url>/<ns>/<name>/<uid>/:",
                "a capture deleted and created again by the next CI run starts empty.",
                "--from URL reads everything below URL. Durations are Go's: 90s, 10m, 1h30m.",
                "GCS: application default credentials; STORAGE_EMULATOR_HOST for an emulator.",
                "A capture without spec.storage is read from the in-cluster default store through a",
                "port-forward (the kubeconfig is all it needs)."})
public final class CollectCommand implements Callable<Integer> {

    static final class Source {
        @Option(names = "--capture", paramLabel = "NAMESPACE/NAME",
                description = "Collect this CoverageCapture's uploads: its storage URL and uid come from the cluster"
                        + " (current kube context, or KUBECONFIG); without spec.storage, from the in-cluster default"
                        + " store, through a port-forward.")
        String capture;

        @Option(names = "--from", paramLabel = "URL",
                description = "Collect everything below a storage URL (gs://bucket/prefix or file:///dir), e.g. to"
                        + " merge several captures.")
        String url;
    }

    @ArgGroup(multiplicity = "1")
    Source source;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR",
            description = "Directory to download into (created if missing); `go tool covdata -i DIR` reads it.")
    Path output;

    @Option(names = "--wait", description = "With --capture: first wait until the pods it injected have finished and"
            + " their uploads are committed.")
    boolean waitForPods;

    @Option(names = "--flush", description = "With --capture: first run `integcov-agent flush` (pods/exec) in every"
            + " running pod it injected, so programs that keep running upload their counters now (they must import"
            + " integcov.io/agent/flush and be built with -covermode=atomic). A failed flush is an error (exit 1);"
            + " the rest is still collected.")
    boolean flush;

    @Option(names = "--timeout", defaultValue = "10m", paramLabel = "DURATION", converter = GoDuration.class,
            description = "How long --wait waits, and --flush waits for the flushes (default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--textfmt", paramLabel = "FILE",
            description = "Write the text profile (go test -coverprofile format) to FILE.")
    Path textfmt;

    @Option(names = "--html", paramLabel = "FILE",
            description = "Write the HTML report of `go tool cover -html` to FILE. The packages' source comes from"
                    + " the module of --source, the Go module around the current directory, or the Go module cache;"
                    + " when some is found nowhere, that is an error (exit 1) and the other reports are still written.")
    Path html;

    @Option(names = "--source", paramLabel = "DIR",
            description = "A directory of the Go module the binaries were built from, for --html (looked up before"
                    + " the current directory's module and the module cache).")
    Path sourceDir;

    @Option(names = "--json", paramLabel = "FILE",
            description = "Write a JSON report to FILE: totals, per package, per pod and run, missing and corrupt"
                    + " files, errors.")
    Path json;

    @Option(names = "--fail-under", paramLabel = "PERCENT",
            description = "Exit 1 when total statement coverage is below PERCENT.")
    Double failUnder;

    @Option(names = "--parallel", defaultValue = "16", paramLabel = "N",
            description = "Downloads at a time (default ${DEFAULT-VALUE}).")
    int parallel;

    @Option(names = "--strict", description = "Treat runs without a manifest (upload not committed) as missing, and"
            + " with --capture fail (exit 1) when a pod it matched was never injected or an injected pod committed no"
            + " upload (without --strict these are warnings).")
    boolean strict;

    @Option(names = "--default-store", defaultValue = DefaultStore.URL, paramLabel = "URL",
            description = "With --capture: the storage URL of the in-cluster default store, used by captures without"
                    + " spec.storage (default ${DEFAULT-VALUE}, as deploy/ installs it).")
    String defaultStoreUrl;

    @Option(names = "--default-store-service", defaultValue = DefaultStore.NAMESPACE + "/" + DefaultStore.SERVICE,
            paramLabel = "NAMESPACE/NAME",
            description = "With --capture: the default store's Service, reached through a port-forward of the Kubernetes"
                    + " API (default ${DEFAULT-VALUE}).")
    String defaultStoreService;

    /** How the default store is reached from here; tests substitute a store they run. */
    StoreForwarder forwarder = new ServicePortForwarder();

    /** The Kubernetes client and the port-forward of a --capture run, closed when the run ends (last opened first). */
    private final Deque<AutoCloseable> opened = new ArrayDeque<>();

    @Spec
    CommandSpec spec;

    /** Stderr is a terminal: redraw one progress line instead of printing periodic lines. */
    boolean terminal = Terminal.stderrIsTerminal();

    /** Where --html looks for the current directory's Go module (a field so that tests can name another). */
    Path currentDir = Path.of("").toAbsolutePath();

    /** The Go module cache for --html; null: {@code go env GOMODCACHE}. */
    Path moduleCache;

    private static final Duration TERMINAL_PROGRESS_EVERY = Duration.ofMillis(100);

    /** How often a plain progress line is printed when stderr is not a terminal. */
    Duration plainProgressEvery = Duration.ofSeconds(5);

    private final List<String> errors = new ArrayList<>();

    /**
     * Where to read from: the storage URL, the emulator host that reaches it (the default store's port-forward; null:
     * as STORAGE_EMULATOR_HOST says), the key prefix below it, for a capture its name and uid, and its status once
     * its pods are done (what was matched, injected and should have uploaded).
     */
    record Target(String url, String emulatorHost, String keyPrefix, String capture, String captureUid,
            CoverageCaptureStatus status) {
    }

    @Override
    public Integer call() throws Exception {
        try {
            return collect();
        } finally {
            closeOpened();
        }
    }

    private Integer collect() throws Exception {
        if (waitForPods && source.capture == null) {
            throw usageError("--wait needs --capture");
        }
        if (flush && source.capture == null) {
            throw usageError("--flush needs --capture");
        }
        if (parallel < 1) {
            throw usageError("--parallel must be at least 1");
        }
        if (failUnder != null && (failUnder < 0 || failUnder > 100)) {
            throw usageError("--fail-under must be a percentage between 0 and 100");
        }
        Target target = source.capture != null ? fromCapture() : new Target(source.url, null, "", null, null, null);
        long downloadStart = System.nanoTime();
        Downloader.Outcome outcome;
        try (Storage storage = openStorage(target)) {
            outcome = new Downloader(storage, output, strict, parallel, line -> log("%s", line),
                    total -> new Progress(err(), terminal, terminal ? TERMINAL_PROGRESS_EVERY : plainProgressEvery,
                            total)).downloadAll(target.keyPrefix());
        } catch (IOException e) {
            errors.add("cannot read " + target.url() + ": " + e.getMessage() + " (what was downloaded is in " + output
                    + ")");
            outcome = new Downloader.Outcome(List.of(), List.of(), List.of(), 0, 0);
        }
        errors.addAll(outcome.errors());
        List<UploadedRuns.Run> runs = outcome.runs().stream().map(Downloader.RunResult::run).toList();
        if (target.capture() != null) {
            Set<String> committed = runs.stream().filter(UploadedRuns.Run::committed)
                    .map(run -> KeyLayout.podContainerOf(run.dir())).collect(Collectors.toSet());
            for (String gap : CaptureGaps.of(target.status(), committed)) {
                if (strict) {
                    errors.add(gap);
                } else {
                    log("warning: %s", gap);
                }
            }
        }
        long captures = UploadedRuns.captureCount(runs);
        if (!runs.isEmpty()) {
            log("downloaded %d files (%s) from %d runs of %d capture%s into %s in %.1fs", outcome.files(),
                    Progress.humanBytes(outcome.bytes()), runs.size(), captures, captures == 1 ? "" : "s", output,
                    (System.nanoTime() - downloadStart) / 1e9);
            if (target.capture() == null) {
                log("merged %d runs from %d capture%s below %s", runs.size(), captures, captures == 1 ? "" : "s",
                        target.url());
            }
        }

        long reportStart = System.nanoTime();
        CoverageProfile profile = hasCoverageFiles() ? report() : null;
        if (profile != null) {
            log("merged and reported in %.1fs", (System.nanoTime() - reportStart) / 1e9);
        }
        Double percent = profile == null ? null : CollectReport.round(profile.total().percent());
        String underThreshold = null;
        if (failUnder != null) {
            if (percent == null) {
                underThreshold = "no coverage to compare with --fail-under " + failUnder;
            } else if (percent < failUnder) {
                underThreshold = String.format("total coverage %.1f%% is below --fail-under %s", percent, failUnder);
            }
        }
        boolean ok = errors.isEmpty() && outcome.problems().isEmpty() && underThreshold == null;
        if (json != null) {
            writeJson(target, (int) captures, profile, outcome, ok);
        }
        outcome.problems().forEach(problem -> err().println("integcov collect: error: " + problem.message()));
        errors.forEach(error -> err().println("integcov collect: error: " + error));
        if (underThreshold != null) {
            err().println("integcov collect: " + underThreshold);
        }
        err().flush();
        return ok ? 0 : 1;
    }

    private Target fromCapture() throws IOException {
        String[] parts = source.capture.split("/", 2);
        if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty() || parts[1].contains("/")) {
            throw usageError("--capture must be NAMESPACE/NAME, got '" + source.capture + "'");
        }
        KubernetesClient client = KubeClients.fromCurrentContext();
        opened.push(client);
        CapturePoller poller = new CapturePoller(client, parts[0], parts[1]);
        CoverageCapture capture = poller.capture();
        String uid = capture.getMetadata().getUid();
        if (uid == null || uid.isEmpty()) {
            throw new IllegalStateException("CoverageCapture " + source.capture + " has no metadata.uid");
        }
        // the Service's cluster address is of no use out here: the store is reached through a port-forward instead
        CaptureStorage where = new DefaultStore(defaultStoreUrl, DefaultStore.EMULATOR_HOST).storageOf(capture.getSpec());
        String emulatorHost = where.isDefaultStore() ? forwardToDefaultStore(client) : null;
        Target target = new Target(where.url(), emulatorHost, KeyLayout.capturePrefix(parts[0], parts[1], uid),
                source.capture, uid, null);
        log("collecting %s (uid %s) from %s/%s", source.capture, uid, target.url(), target.keyPrefix());
        if (flush) {
            flushPods(new Flusher(client, parts[0], parts[1], parallel));
        }
        if (waitForPods) {
            try (Storage storage = openStorage(target)) {
                waitUntilDone(poller, storage, target.keyPrefix());
            }
        }
        // the status once the pods are done (or flushed): which were never injected, which should have uploaded
        CoverageCapture now = flush || waitForPods ? poller.capture() : capture;
        return new Target(target.url(), target.emulatorHost(), target.keyPrefix(), source.capture, uid,
                now.getStatus());
    }

    /** Opens the port-forward to the default store's Service (closed when the run ends); its local host:port. */
    private String forwardToDefaultStore(KubernetesClient client) throws IOException {
        String[] service = defaultStoreService.split("/", 2);
        if (service.length != 2 || service[0].isEmpty() || service[1].isEmpty() || service[1].contains("/")) {
            throw usageError("--default-store-service must be NAMESPACE/NAME, got '" + defaultStoreService + "'");
        }
        StoreForwarder.Forward forward = forwarder.open(client, service[0], service[1]);
        opened.push(forward);
        log("the capture has no spec.storage: reading the default store through a port-forward to %s (%s)",
                forward.describe(), forward.hostPort());
        return forward.hostPort();
    }

    private void closeOpened() {
        while (!opened.isEmpty()) {
            try {
                opened.pop().close();
            } catch (Exception e) {
                log("warning: closing %s: %s", e.getClass().getSimpleName(), e.getMessage());
            }
        }
    }

    /** Runs the flushes and reports each on stderr; a failed one becomes an error (its counters are missing). */
    private void flushPods(Flusher flusher) {
        List<Flusher.Result> results;
        try {
            results = flusher.flushAll(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while flushing", e);
        }
        if (results.isEmpty()) {
            log("flush: no running pod of %s to flush", source.capture);
        }
        long failed = 0;
        for (Flusher.Result result : results) {
            if (result.ok()) {
                log("flushed %s", result.describe());
            } else {
                failed++;
                errors.add("flush failed in " + result.describe() + " (counters since its last upload are missing)");
                log("flush failed in %s", result.describe());
            }
        }
        if (!results.isEmpty()) {
            log("flushed %d of %d containers", results.size() - failed, results.size());
        }
    }

    private Storage openStorage(Target target) {
        String url = target.url();
        try {
            if (url.startsWith("gs:") && System.getProperty("http.maxConnections") == null) {
                // the JDK's HTTP keep-alive cache holds 5 connections per host by default: one per download thread
                System.setProperty("http.maxConnections", String.valueOf(parallel));
            }
            return Storage.openRetrying(url, Duration.ofSeconds(60), target.emulatorHost());
        } catch (IllegalArgumentException e) {
            throw usageError(e.getMessage());
        }
    }

    private ParameterException usageError(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    private void waitUntilDone(CapturePoller poller, Storage storage, String keyPrefix) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (true) {
            Set<String> committed;
            try {
                committed = UploadedRuns.group(storage.list(keyPrefix)).stream()
                        .filter(UploadedRuns.Run::committed)
                        .map(run -> KeyLayout.podContainerOf(run.dir()))
                        .collect(Collectors.toSet());
            } catch (IOException e) {
                throw new IllegalStateException("cannot list " + storage.url() + "/" + keyPrefix + ": "
                        + e.getMessage(), e);
            }
            List<String> pending = poller.pending(committed);
            if (pending.isEmpty()) {
                return;
            }
            String now = String.join("; ", pending);
            if (!now.equals(last)) {
                log("waiting: %s", now);
                last = now;
            }
            if (System.nanoTime() > deadline) {
                errors.add("gave up waiting after " + timeout.toString().substring(2).toLowerCase() + ": " + now
                        + " (collected what is there)");
                return;
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting", e);
            }
        }
    }

    /** Text profile, per-package table on stdout and HTML; null when go is missing or covdata fails. */
    private CoverageProfile report() throws IOException, InterruptedException {
        GoCommand go = new GoCommand();
        if (!go.available()) {
            String message = "`go` is not on PATH (set INTEGCOV_GO to use another), so no report; the files are in "
                    + output;
            if (textfmt != null || html != null || json != null || failUnder != null) {
                errors.add(message);
            } else {
                log("warning: %s", message);
            }
            return null;
        }
        Path profileFile = textfmt != null ? textfmt.toAbsolutePath()
                : Files.createTempFile("integcov-profile-", ".txt");
        try {
            GoCommand.Result text = go.run(null, "covdata", "textfmt", "-i", output.toAbsolutePath().toString(), "-o",
                    profileFile.toString());
            if (text.exitCode() != 0) {
                errors.add("go tool covdata textfmt failed: " + text.output().strip());
                return null;
            }
            CoverageProfile profile = CoverageProfile.read(profileFile);
            out().print(profile.table());
            out().flush();
            if (textfmt != null) {
                log("wrote %s", textfmt);
            }
            if (html != null) {
                writeHtml(go, profileFile);
            }
            return profile;
        } finally {
            if (textfmt == null) {
                Files.deleteIfExists(profileFile);
            }
        }
    }

    /**
     * {@code go tool cover -html} over the profile with each file named by its absolute path (see {@link CoverSources}):
     * the sources come from the module of --source, the module around the current directory, or the module cache.
     * Packages found nowhere are one error naming them and what would help; the other reports are written anyway.
     */
    private void writeHtml(GoCommand go, Path profileFile) throws IOException, InterruptedException {
        List<String> lines = Files.readAllLines(profileFile);
        List<CoverSources.Module> modules = new ArrayList<>();
        if (sourceDir != null) {
            CoverSources.Module module = CoverSources.enclosing(sourceDir).orElse(null);
            if (module == null) {
                errors.add("--source " + sourceDir + " is not inside a Go module (no go.mod there or above), so no "
                        + html);
                return;
            }
            modules.add(module);
        }
        CoverSources.enclosing(currentDir).ifPresent(modules::add);
        Path modCache = moduleCache;
        if (modCache == null) {
            String env = go.env("GOMODCACHE");
            modCache = env == null ? null : Path.of(env);
        }
        CoverSources.Resolution sources = CoverSources.resolve(CoverSources.packages(lines), modules, modCache);
        if (!sources.missing().isEmpty()) {
            errors.add("no " + html + ": --html needs the source of " + String.join(", ", sources.missing())
                    + "; run collect inside the Go module the binaries were built from, pass --source DIR (a directory"
                    + " of that module), or put the module into the module cache (go mod download MODULE@VERSION)");
            return;
        }
        Path absolute = Files.createTempFile("integcov-profile-html-", ".txt");
        try {
            Files.write(absolute, CoverSources.withAbsolutePaths(lines, sources.dirs()));
            GoCommand.Result cover = go.run(null, "cover", "-html=" + absolute, "-o", html.toAbsolutePath().toString());
            if (cover.exitCode() != 0) {
                errors.add("go tool cover -html failed: " + cover.output().strip());
            } else {
                log("wrote %s", html);
            }
        } finally {
            Files.deleteIfExists(absolute);
        }
    }

    private void writeJson(Target target, int captures, CoverageProfile profile, Downloader.Outcome outcome,
            boolean ok) throws IOException {
        String sourceText = target.keyPrefix().isEmpty() ? target.url() : target.url() + "/" + target.keyPrefix();
        new CollectReport(sourceText, target.capture(), target.captureUid(), captures,
                profile == null ? null : CollectReport.Totals.of(profile.total()),
                profile == null ? List.of() : CollectReport.packages(profile),
                outcome.runs().stream().map(CollectReport.RunRow::of).toList(),
                rows(outcome.problems(), Problem.Kind.MISSING),
                rows(outcome.problems(), Problem.Kind.CORRUPT),
                List.copyOf(errors), failUnder, ok).write(json);
        log("wrote %s", json);
    }

    private static List<CollectReport.ProblemRow> rows(List<Problem> problems, Problem.Kind kind) {
        return problems.stream().filter(p -> p.kind() == kind).map(CollectReport.ProblemRow::of).toList();
    }

    private boolean hasCoverageFiles() throws IOException {
        if (!Files.isDirectory(output)) {
            return false;
        }
        try (var files = Files.list(output)) {
            return files.anyMatch(file -> UploadedRuns.isCoverageFile(file.getFileName().toString()));
        }
    }

    private void log(String format, Object... args) {
        err().println("integcov collect: " + String.format(format, args));
        err().flush();
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }

    private PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
