package io.integcov.cli.run;

import io.integcov.cli.Log;
import io.integcov.storage.StorageUrl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code integcov run -- CMD ARGS}: the in-pod wrapper. */
@Command(name = "run", description = {
        "Runs CMD at once (inherited stdio, full environment), forwards signals to it and exits with its exit code "
                + "(128+N if signal N killed it). Afterwards uploads every file in GOCOVERDIR except tmp.* to "
                + "$INTEGCOV_STORAGE/<namespace>/<pod>/<container>/<run-id>/ and then integcov-manifest.json.",
        "Environment: INTEGCOV_STORAGE (gs://bucket/prefix or file:///dir; unset: no upload), GOCOVERDIR, "
                + "INTEGCOV_POD_NAMESPACE, INTEGCOV_POD_NAME, INTEGCOV_CONTAINER, INTEGCOV_UPLOAD_TIMEOUT (seconds; "
                + "default: INTEGCOV_GRACE_PERIOD (else 30) less 5 s, from the first SIGTERM, else from exit), "
                + "STORAGE_EMULATOR_HOST."})
public final class RunCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "CMD", description = "the program and its arguments (after --)")
    List<String> command;

    public RunCommand() {
    }

    public RunCommand(List<String> command) {
        this.command = command;
    }

    /**
     * The child command when {@code args} is a plain {@code run [--] CMD ...}, else null (help, errors: picocli).
     * Lets {@code main} skip picocli's start-up cost so the child starts sooner.
     */
    public static List<String> fastPath(String[] args) {
        if (args.length < 2 || !args[0].equals("run")) {
            return null;
        }
        int first = args[1].equals("--") ? 2 : args[1].startsWith("-") ? -1 : 1;
        return first < 0 || first >= args.length ? null : List.of(args).subList(first, args.length);
    }

    @Override
    public Integer call() {
        SignalForwarder signals = SignalForwarder.install(SignalSender.detect());
        Instant startedAt = Instant.now();
        Process child;
        try {
            child = new ProcessBuilder(command).inheritIO().start();
        } catch (IOException e) {
            Log.info("cannot start " + command.get(0) + ": " + e.getMessage());
            return e.getMessage() != null && e.getMessage().contains("error=13") ? 126 : 127;
        }
        signals.attach(child.toHandle());

        // Everything below runs while the child does, or after it; nothing here may change the exit code.
        RunSettings settings = null;
        try {
            settings = RunSettings.fromEnv(System.getenv(), command, readFirstLine("/proc/sys/kernel/hostname"),
                    readFirstLine("/var/run/secrets/kubernetes.io/serviceaccount/namespace"));
            settings.warnings().forEach(Log::info);
            settings = checkStorage(settings) ? settings : null;
        } catch (RuntimeException e) {
            Log.info("internal error, coverage data is not uploaded: " + e);
        }
        int exitCode = waitFor(child);
        Instant exitedAt = Instant.now();
        try {
            if (settings != null && checkCoverDir(settings)) {
                Instant deadline = UploadPlan.deadline(settings.uploadTimeout(), settings.gracePeriod(), exitedAt,
                        signals.firstTermAt());
                String runId = UploadPlan.runId(startedAt, ThreadLocalRandom.current().nextInt());
                upload(new CoverageUpload.Run(settings, runId, exitCode, startedAt, exitedAt), deadline);
            }
        } catch (RuntimeException e) {
            Log.info("internal error, coverage upload abandoned: " + e);
        }
        return exitCode;
    }

    /** Runs the upload in a daemon thread, abandoning it shortly after the deadline even if a request hangs. */
    private static void upload(CoverageUpload.Run run, Instant deadline) {
        Thread thread = new Thread(() -> CoverageUpload.run(run, deadline), "integcov-upload-main");
        thread.setDaemon(true);
        thread.start();
        try {
            thread.join(Math.max(1, Duration.between(Instant.now(), deadline).toMillis() + 1000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            Log.info("coverage upload did not finish before its deadline; giving up");
        }
    }

    /** Logs why there will be no upload, if so. Runs while the child runs. */
    private static boolean checkStorage(RunSettings settings) {
        if (settings.storageUrl() == null) {
            Log.info("INTEGCOV_STORAGE is not set; coverage data is not uploaded");
            return false;
        }
        try {
            StorageUrl.parse(settings.storageUrl());
        } catch (IllegalArgumentException e) {
            Log.info("INTEGCOV_STORAGE: " + e.getMessage() + "; coverage data is not uploaded");
            return false;
        }
        return true;
    }

    private static boolean checkCoverDir(RunSettings settings) {
        if (settings.coverDir() == null) {
            Log.info("GOCOVERDIR is not set; no coverage data to upload");
            return false;
        }
        if (!Files.isDirectory(Path.of(settings.coverDir()))) {
            Log.info("GOCOVERDIR " + settings.coverDir() + " is not a directory; no coverage data to upload");
            return false;
        }
        return true;
    }

    private static int waitFor(Process child) {
        while (true) {
            try {
                return child.waitFor();
            } catch (InterruptedException e) {
                // keep waiting: the wrapper must outlive the child
            }
        }
    }

    private static String readFirstLine(String file) {
        try {
            List<String> lines = Files.readAllLines(Path.of(file));
            return lines.isEmpty() ? null : lines.get(0).trim();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
