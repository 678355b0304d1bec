package io.integcov.cli.run;

import io.integcov.cli.Log;
import io.integcov.storage.Checksums;
import io.integcov.storage.Manifest;
import io.integcov.storage.PermanentStorageException;
import io.integcov.storage.Storage;
import io.integcov.storage.StorageUrl;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/** Puts files into a {@link Storage} in parallel, each with retries (exponential backoff) until a deadline. */
public final class Uploader {
    public record Result(List<Manifest.FileEntry> uploaded, List<String> failed, String firstError) {
    }

    interface IoAction {
        void run() throws IOException;
    }

    private final Storage storage;
    private final int parallelism;
    private final AtomicReference<String> firstError = new AtomicReference<>();
    private final AtomicBoolean retrying = new AtomicBoolean();

    public Uploader(Storage storage, int parallelism) {
        this.storage = storage;
        this.parallelism = parallelism;
    }

    /** Uploads {@code dir/name} to {@code keyPrefix/name} for each name; what is not done by the deadline is failed. */
    public Result uploadFiles(Path dir, List<String> names, String keyPrefix, Instant deadline)
            throws InterruptedException {
        Map<String, Manifest.FileEntry> done = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(parallelism, names.size())), task -> {
            Thread thread = new Thread(task, "integcov-upload");
            thread.setDaemon(true);
            return thread;
        });
        for (String name : names) {
            pool.execute(() -> {
                Path file = dir.resolve(name);
                try {
                    Manifest.FileEntry entry = describe(file);
                    if (withRetries(name, () -> storage.put(StorageUrl.join(keyPrefix, name), file), deadline) == null) {
                        done.put(name, entry);
                    }
                } catch (IOException e) {
                    firstError.compareAndSet(null, name + ": " + e.getMessage());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        pool.shutdown();
        if (!pool.awaitTermination(Math.max(0, Duration.between(Instant.now(), deadline).toMillis()), TimeUnit.MILLISECONDS)) {
            pool.shutdownNow();
            firstError.compareAndSet(null, "upload deadline reached");
        }
        Map<String, Manifest.FileEntry> snapshot = Map.copyOf(done);
        List<String> failed = new ArrayList<>();
        for (String name : names) {
            if (!snapshot.containsKey(name)) {
                failed.add(name);
            }
        }
        return new Result(List.copyOf(snapshot.values()), failed, firstError.get());
    }

    /** Puts bytes with retries until the deadline; returns null on success, else the last error. */
    public String putBytes(String key, byte[] data, Instant deadline) throws InterruptedException {
        return withRetries(key, () -> storage.putBytes(key, data), deadline);
    }

    /** Runs the action until it succeeds (returns null), fails permanently or the deadline nears (returns the error). */
    private String withRetries(String what, IoAction action, Instant deadline) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                action.run();
                return null;
            } catch (IOException | RuntimeException e) {
                String error = what + ": " + e.getMessage();
                firstError.compareAndSet(null, error);
                Duration delay = UploadPlan.backoff(attempt, ThreadLocalRandom.current().nextDouble());
                if (isPermanent(e) || Instant.now().plus(delay).isAfter(deadline)) {
                    return error + (attempt > 1 ? " (after " + attempt + " attempts)" : "");
                }
                if (!retrying.getAndSet(true)) {
                    Log.info("upload failed, retrying until " + deadline + ": " + error);
                }
                Thread.sleep(delay.toMillis());
            }
        }
    }

    /** Failures that the same call would hit again: no point retrying them. */
    static boolean isPermanent(Exception e) {
        return e instanceof PermanentStorageException || e instanceof AccessDeniedException
                || e instanceof NoSuchFileException || e instanceof IllegalArgumentException;
    }

    /** Name, size and CRC-32C (as the manifest records them) of a local file. */
    static Manifest.FileEntry describe(Path file) throws IOException {
        return new Manifest.FileEntry(file.getFileName().toString(), Files.size(file), Checksums.crc32c(file));
    }
}
