package io.integcov.cli.collect;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.integcov.storage.Manifest;
import io.integcov.storage.Storage;
import io.integcov.storage.Storage.StoredObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
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
            download(storage, keyPrefix);
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

    private void download(Storage storage, String keyPrefix) throws IOException {
        Files.createDirectories(output);
        List<UploadedRuns.Run> runs = UploadedRuns.group(storage.list(keyPrefix));
        if (runs.isEmpty()) {
            errors.add("no coverage uploads found under " + storage.url() + "/" + keyPrefix);
            return;
        }
        Map<String, Long> crcByOutputName = new HashMap<>();
        int files = 0;
        for (UploadedRuns.Run run : runs) {
            Map<String, Long> expectedCrc = new HashMap<>();
            if (run.committed()) {
                Manifest manifest = Manifest.fromJson(storage.get(run.manifest().key()));
                errors.addAll(UploadedRuns.problems(run, manifest));
                if (manifest.files() != null) {
                    manifest.files().forEach(entry -> expectedCrc.put(entry.name(), entry.crc32c()));
                }
            } else {
                String message = run.dir() + " has no " + Manifest.FILE_NAME
                        + " (upload not committed: the wrapper may have been killed); its files are used anyway";
                if (strict) {
                    errors.add(message);
                } else {
                    progress("warning: %s", message);
                }
            }
            for (StoredObject file : run.coverageFiles()) {
                files += downloadOne(storage, run, file, expectedCrc.get(file.name()), crcByOutputName) ? 1 : 0;
            }
        }
        progress("downloaded %d files from %d runs into %s", files, runs.size(), output);
    }

    /** Downloads into the flat output; a file whose checksum differs from its manifest goes to DIR/rejected/. */
    private boolean downloadOne(Storage storage, UploadedRuns.Run run, StoredObject file, Long expectedCrc,
            Map<String, Long> crcByOutputName) throws IOException {
        Path tmp = Files.createTempFile(output, ".download-", ".tmp");
        try {
            storage.download(file.key(), tmp);
            long crc = io.integcov.storage.Checksums.crc32c(tmp);
            if (expectedCrc != null && crc != expectedCrc) {
                Path rejected = Files.createDirectories(output.resolve("rejected").resolve(run.dir()));
                Files.move(tmp, rejected.resolve(file.name()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                errors.add(file.key() + " is corrupt (crc32c " + crc + ", manifest says " + expectedCrc
                        + "); kept in " + rejected);
                return false;
            }
            Long existing = crcByOutputName.get(file.name());
            if (existing != null && existing == crc) {
                return true; // same covmeta from another pod running the same binary
            }
            Set<String> taken = new TreeSet<>(crcByOutputName.keySet());
            String name = FlatNames.unclashed(file.name(), taken);
            Files.move(tmp, output.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            crcByOutputName.put(name, crc);
            return true;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private void printPercentAndTextfmt() throws IOException, InterruptedException {
        if (!errors.isEmpty() && errors.get(0).startsWith("no coverage uploads")) {
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
