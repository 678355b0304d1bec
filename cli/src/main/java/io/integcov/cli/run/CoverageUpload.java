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

    /** What the child's run was: recorded in the manifest. */
    record Run(RunSettings settings, String runId, int exitCode, Instant startedAt, Instant exitedAt) {
    }

    private CoverageUpload() {
    }

    /** Opens the storage and uploads; logs every problem instead of throwing (the exit code is the child's anyway). */
    static void run(Run run, Instant deadline) {
        try (Storage storage = Storage.open(run.settings().storageUrl())) {
            upload(storage, run, deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            Log.info("coverage upload to " + run.settings().storageUrl() + " failed: " + e.getMessage());
        }
    }

    /** Uploads the files, then the manifest naming what was uploaded and what failed; returns that manifest. */
    static Manifest upload(Storage storage, Run run, Instant deadline) throws IOException, InterruptedException {
        Path dir = Path.of(run.settings().coverDir());
        List<String> names;
        try (Stream<Path> files = Files.list(dir)) {
            names = files.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
                    .filter(UploadPlan::shouldUpload).sorted().toList();
        }
        if (names.isEmpty()) {
            Log.info("no coverage files in GOCOVERDIR " + dir + " (was the program built with go build -cover?)");
        }
        Instant begin = Instant.now();
        String prefix = UploadPlan.keyPrefix(run.settings(), run.runId());
        String target = storage.url() + "/" + prefix;
        Uploader uploader = new Uploader(storage, PARALLELISM);
        Uploader.Result result = uploader.uploadFiles(dir, names, prefix, UploadPlan.filesDeadline(begin, deadline));
        if (!result.failed().isEmpty()) {
            Log.info(result.failed().size() + " of " + names.size() + " coverage files not uploaded to " + target
                    + " (first error: " + result.firstError() + ")");
        }
        Manifest manifest = UploadPlan.manifest(run.settings(), run.runId(), run.exitCode(), run.startedAt(),
                run.exitedAt(), Instant.now(), result.uploaded(), result.failed());
        String error = uploader.putBytes(StorageUrl.join(prefix, Manifest.FILE_NAME), manifest.toJson(), deadline);
        if (error != null) {
            Log.info("could not write " + Manifest.FILE_NAME + " to " + target + ": " + error);
        } else {
            Log.info("uploaded " + result.uploaded().size() + " coverage files (" + manifest.totalBytes() + " bytes) and "
                    + Manifest.FILE_NAME + " to " + target + " in " + Duration.between(begin, Instant.now()).toMillis() + " ms");
        }
        return manifest;
    }
}
