package io.integcov.cli.run;

import io.integcov.cli.Log;
import io.integcov.storage.Manifest;
import io.integcov.storage.Storage;
import io.integcov.storage.StorageUrl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

/** After the child exits: GOCOVERDIR files to {@code <url>/<ns>/<pod>/<container>/<run-id>/}, then the manifest. */
final class CoverageUpload {
    static final int PARALLELISM = 8;

    private CoverageUpload() {
    }

    /** Logs every problem instead of throwing: the wrapper's exit code is the child's whatever happens here. */
    static void run(RunSettings settings, String runId, int exitCode, Instant startedAt, Instant exitedAt,
                    Instant deadline) {
        Path dir = Path.of(settings.coverDir());
        List<String> names;
        try (Stream<Path> files = Files.list(dir)) {
            names = files.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
                    .filter(UploadPlan::shouldUpload).sorted().toList();
        } catch (IOException e) {
            Log.info("cannot list GOCOVERDIR " + dir + ": " + e);
            return;
        }
        if (names.isEmpty()) {
            Log.info("no coverage files in GOCOVERDIR " + dir + " (was the program built with go build -cover?)");
        }
        Instant begin = Instant.now();
        String prefix = UploadPlan.keyPrefix(settings, runId);
        try (Storage storage = Storage.open(settings.storageUrl())) {
            String target = storage.url() + "/" + prefix;
            Uploader uploader = new Uploader(storage, PARALLELISM);
            // keep a little time for the manifest after the files
            Duration budget = Duration.between(begin, deadline);
            Duration reserve = budget.dividedBy(5).compareTo(Duration.ofSeconds(3)) < 0 ? budget.dividedBy(5) : Duration.ofSeconds(3);
            Uploader.Result result = uploader.uploadFiles(dir, names, prefix, deadline.minus(reserve));
            Manifest manifest = UploadPlan.manifest(settings, runId, exitCode, startedAt, exitedAt, Instant.now(),
                    result.uploaded(), result.failed());
            String manifestError = uploader.putBytes(StorageUrl.join(prefix, Manifest.FILE_NAME), manifest.toJson(), deadline);
            long millis = Duration.between(begin, Instant.now()).toMillis();
            if (!result.failed().isEmpty()) {
                Log.info(result.failed().size() + " of " + names.size() + " coverage files not uploaded to " + target
                        + " (first error: " + result.firstError() + ")");
            }
            if (manifestError == null) {
                Log.info("uploaded " + result.uploaded().size() + " coverage files (" + manifest.totalBytes()
                        + " bytes) and " + Manifest.FILE_NAME + " to " + target + " in " + millis + " ms");
            } else {
                Log.info("could not write " + Manifest.FILE_NAME + " to " + target + ": " + manifestError);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            Log.info("coverage upload to " + settings.storageUrl() + " failed: " + e.getMessage());
        }
    }
}
