package io.integcov.cli.collect;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.integcov.storage.Storage;
import io.integcov.storage.UploadedRuns;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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

@Command(name = "collect", mixinStandardHelpOptions = true,
        description = {"Download uploaded Go coverage files into one flat directory (as `go tool covdata -i` wants),",
                "verify them against their upload manifests, and print the coverage percent.",
                "Exit code 0 when everything verified, 1 when something is missing or corrupt (all the rest is still"
                        + " downloaded), 2 on bad usage."})
public final class CollectCommand implements Callable<Integer> {

    static final class Source {
        @Option(names = "--from", paramLabel = "URL", description = "Storage URL (gs://bucket/prefix or file:///dir).")
        String url;

        @Option(names = "--capture", paramLabel = "NAMESPACE/NAME",
                description = "Read the storage URL from this CoverageCapture and collect its namespace's uploads.")
        String capture;
    }

    @ArgGroup(multiplicity = "1")
    Source source;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR",
            description = "Directory to download into (created if missing).")
    Path output;

    @Option(names = "--wait", description = "With --capture: first wait until the pods it injected have finished and"
            + " their uploads are committed.")
    boolean waitForPods;

    @Option(names = "--timeout", defaultValue = "PT10M", paramLabel = "DURATION",
            description = "How long --wait waits, ISO-8601 (default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--textfmt", paramLabel = "FILE", description = "Also write the legacy text profile (go tool cover"
            + " format) to FILE.")
    Path textfmt;

    @Option(names = "--strict", description = "Treat runs without a manifest (upload not committed) as errors.")
    boolean strict;

    @Spec
    CommandSpec spec;

    private final List<String> errors = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (waitForPods && source.capture == null) {
            throw usageError("--wait needs --capture");
        }
        String url = source.url;
        String keyPrefix = "";
        if (source.capture != null) {
            String[] parts = source.capture.split("/", 2);
            if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
                throw usageError("--capture must be NAMESPACE/NAME, got '" + source.capture + "'");
            }
            try (KubernetesClient client = new KubernetesClientBuilder().build()) {
                CaptureWatcher watcher = new CaptureWatcher(client, parts[0], parts[1]);
                url = watcher.capture().getSpec().getStorage().getUrl();
                keyPrefix = parts[0] + "/";
                progress("collecting %s (storage %s)", source.capture, url);
                if (waitForPods) {
                    try (Storage storage = openStorage(url)) {
                        waitUntilDone(watcher, storage, keyPrefix);
                    }
                }
            } catch (IllegalArgumentException | KubernetesClientException e) {
                err().println("integcov collect: error: " + e.getMessage());
                return 1;
            }
        }
        try (Storage storage = openStorage(url)) {
            errors.addAll(new Downloader(storage, output, strict, line -> progress("%s", line)).downloadAll(keyPrefix));
        } catch (IOException e) {
            errors.add("cannot read " + url + ": " + e.getMessage() + " (what was downloaded is in " + output + ")");
        }
        printPercentAndTextfmt();
        errors.forEach(error -> err().println("integcov collect: error: " + error));
        return errors.isEmpty() ? 0 : 1;
    }

    private Storage openStorage(String url) {
        try {
            return Storage.open(url);
        } catch (IllegalArgumentException e) {
            throw usageError(e.getMessage());
        }
    }

    private ParameterException usageError(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    private void waitUntilDone(CaptureWatcher watcher, Storage storage, String keyPrefix) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (true) {
            Set<String> committedContainers = UploadedRuns.group(storage.list(keyPrefix)).stream()
                    .filter(UploadedRuns.Run::committed)
                    .map(run -> run.dir().substring(0, Math.max(0, run.dir().lastIndexOf('/'))))
                    .collect(Collectors.toSet());
            List<String> pending = watcher.pending(committedContainers);
            if (pending.isEmpty()) {
                return;
            }
            String now = String.join("; ", pending);
            if (!now.equals(last)) {
                progress("waiting: %s", now);
                last = now;
            }
            if (System.nanoTime() > deadline) {
                errors.add("gave up waiting after " + timeout + ": " + now + " (collected what is there)");
                return;
            }
            Thread.sleep(1000);
        }
    }

    private void printPercentAndTextfmt() throws IOException, InterruptedException {
        if (!hasCoverageFiles()) {
            return;
        }
        Covdata covdata = new Covdata();
        if (!covdata.available()) {
            String message = "`go` is not on PATH, so no percent" + (textfmt != null ? " and no --textfmt file" : "")
                    + "; the files are in " + output;
            if (textfmt != null) {
                errors.add(message);
            } else {
                progress("warning: %s", message);
            }
            return;
        }
        Covdata.Result percent = covdata.run("percent", "-i", output.toString());
        if (percent.exitCode() != 0) {
            errors.add("go tool covdata percent failed: " + percent.output().strip());
        } else {
            out().print(percent.output());
            out().flush();
        }
        if (textfmt != null) {
            Covdata.Result text = covdata.run("textfmt", "-i", output.toString(), "-o", textfmt.toString());
            if (text.exitCode() != 0) {
                errors.add("go tool covdata textfmt failed: " + text.output().strip());
            } else {
                progress("wrote %s", textfmt);
            }
        }
    }

    private boolean hasCoverageFiles() throws IOException {
        if (!Files.isDirectory(output)) {
            return false;
        }
        try (var files = Files.list(output)) {
            return files.anyMatch(file -> UploadedRuns.isCoverageFile(file.getFileName().toString()));
        }
    }

    private void progress(String format, Object... args) {
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
