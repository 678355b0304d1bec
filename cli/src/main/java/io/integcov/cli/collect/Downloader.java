package io.integcov.cli.collect;

import io.integcov.storage.Checksums;
import io.integcov.storage.Manifest;
import io.integcov.storage.Storage;
import io.integcov.storage.Storage.StoredObject;
import io.integcov.storage.UploadedRuns;
import io.integcov.storage.UploadedRuns.Problem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * Downloads every upload run below a key prefix into one flat directory, checking each file against its run's
 * manifest. Manifests and files are fetched by a bounded pool ({@code parallel} requests at a time: coverage files
 * are small, so the time goes into round trips, not bandwidth). Nothing is dropped silently: problems are returned,
 * a corrupt file is kept in {@code DIR/rejected/<run dir>/}.
 */
final class Downloader {
    /** What a download gave: the runs (with their manifests when readable), problems, and warnings. */
    record Outcome(List<RunResult> runs, List<Problem> problems, List<String> errors, int files, long bytes) {
        boolean ok() {
            return problems.isEmpty() && errors.isEmpty();
        }
    }

    /** One run as downloaded; {@code manifest} is null when there was none or it could not be read. */
    record RunResult(UploadedRuns.Run run, Manifest manifest, int files, long bytes) {
    }

    private final Storage storage;
    private final Path output;
    private final boolean strict;
    private final int parallel;
    private final Consumer<String> log;
    private final IntFunction<Progress> progressFor;
    private final List<Problem> problems = Collections.synchronizedList(new ArrayList<>());
    private final List<String> errors = Collections.synchronizedList(new ArrayList<>());
    /** CRC-32C of every file in the output directory, by name; guarded by itself. */
    private final Map<String, Long> crcByOutputName = new HashMap<>();

    /**
     * @param strict runs without a manifest are errors (else warnings; their files are used either way)
     * @param log receives warning and summary lines
     * @param progressFor makes the progress display for a given number of files
     */
    Downloader(Storage storage, Path output, boolean strict, int parallel, Consumer<String> log,
            IntFunction<Progress> progressFor) {
        this.storage = storage;
        this.output = output;
        this.strict = strict;
        this.parallel = parallel;
        this.log = log;
        this.progressFor = progressFor;
    }

    /** Lists {@code keyPrefix} and downloads what it holds; a listing failure is an IOException. */
    Outcome downloadAll(String keyPrefix) throws IOException, InterruptedException {
        Files.createDirectories(output);
        List<UploadedRuns.Run> runs = UploadedRuns.group(storage.list(keyPrefix));
        if (runs.isEmpty()) {
            errors.add("no coverage uploads found under " + storage.url() + "/" + keyPrefix);
            return new Outcome(List.of(), List.copyOf(problems), List.copyOf(errors), 0, 0);
        }
        ExecutorService pool = Executors.newFixedThreadPool(parallel, runnable -> {
            Thread thread = new Thread(runnable, "integcov-download");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<Manifest>> manifests = new ArrayList<>();
            for (UploadedRuns.Run run : runs) {
                manifests.add(pool.submit(() -> readManifest(run)));
            }
            List<Manifest> manifestByRun = new ArrayList<>();
            for (Future<Manifest> manifest : manifests) {
                manifestByRun.add(get(manifest));
            }

            int total = runs.stream().mapToInt(run -> run.coverageFiles().size()).sum();
            Progress progress = progressFor.apply(total);
            List<List<Future<Long>>> downloads = new ArrayList<>();
            for (int i = 0; i < runs.size(); i++) {
                UploadedRuns.Run run = runs.get(i);
                Map<String, Long> expectedCrc = new HashMap<>();
                Manifest manifest = manifestByRun.get(i);
                if (manifest != null && manifest.files() != null) {
                    manifest.files().forEach(entry -> expectedCrc.put(entry.name(), entry.crc32c()));
                }
                List<Future<Long>> files = new ArrayList<>();
                for (StoredObject file : run.coverageFiles()) {
                    files.add(pool.submit(() -> {
                        long size = download(run, file, expectedCrc.get(file.name()));
                        progress.fileDone(Math.max(size, 0));
                        return size;
                    }));
                }
                downloads.add(files);
            }
            List<RunResult> results = new ArrayList<>();
            int files = 0;
            long bytes = 0;
            for (int i = 0; i < runs.size(); i++) {
                int runFiles = 0;
                long runBytes = 0;
                for (Future<Long> download : downloads.get(i)) {
                    Long size = get(download);
                    if (size != null && size >= 0) {
                        runFiles++;
                        runBytes += size;
                    }
                }
                files += runFiles;
                bytes += runBytes;
                results.add(new RunResult(runs.get(i), manifestByRun.get(i), runFiles, runBytes));
            }
            progress.finish();
            return new Outcome(results, List.copyOf(problems), List.copyOf(errors), files, bytes);
        } finally {
            pool.shutdownNow();
        }
    }

    /** The result of a task; a storage error in it is recorded (the task's own file is then missing), not thrown. */
    private <T> T get(Future<T> future) throws InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof UncheckedIOException io ? io.getCause() : e.getCause();
            errors.add(String.valueOf(cause.getMessage() == null ? cause : cause.getMessage()));
            return null;
        }
    }

    /** The run's manifest, or null (and a problem or warning) when it has none or it cannot be read. */
    private Manifest readManifest(UploadedRuns.Run run) throws IOException {
        if (!run.committed()) {
            String message = run.dir() + " has no " + Manifest.FILE_NAME
                    + " (upload not committed: the agent may have been killed); its files are used anyway";
            if (strict) {
                problems.add(new Problem(Problem.Kind.MISSING, run.dir(), Manifest.FILE_NAME, message));
            } else {
                log.accept("warning: " + message);
            }
            return null;
        }
        Manifest manifest;
        try {
            manifest = Manifest.fromJson(storage.get(run.manifest().key()));
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            problems.add(new Problem(Problem.Kind.CORRUPT, run.dir(), Manifest.FILE_NAME, run.manifest().key()
                    + " is not a valid manifest (" + e.getOriginalMessage() + "); the run's files are used unverified"));
            return null;
        }
        problems.addAll(UploadedRuns.problems(run, manifest));
        return manifest;
    }

    /** The file's size when it is in the output directory (under its own or a clash-free name), -1 when rejected. */
    private long download(UploadedRuns.Run run, StoredObject file, Long expectedCrc) throws IOException {
        Path tmp = Files.createTempFile(output, ".download-", ".tmp");
        try {
            storage.download(file.key(), tmp);
            long crc = Checksums.crc32c(tmp);
            long size = Files.size(tmp);
            if (expectedCrc != null && crc != expectedCrc) {
                Path rejected = Files.createDirectories(output.resolve("rejected").resolve(run.dir()));
                Files.move(tmp, rejected.resolve(file.name()), StandardCopyOption.REPLACE_EXISTING);
                problems.add(new Problem(Problem.Kind.CORRUPT, run.dir(), file.name(), file.key() + " is corrupt (crc32c "
                        + crc + ", manifest says " + expectedCrc + "); kept in " + rejected));
                return -1;
            }
            synchronized (crcByOutputName) {
                Long existing = crcByOutputName.get(file.name());
                if (existing != null && existing == crc) {
                    return size; // the same covmeta from another pod running the same binary
                }
                String name = FlatNames.unclashed(file.name(), crcByOutputName.keySet());
                Files.move(tmp, output.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                crcByOutputName.put(name, crc);
            }
            return size;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
