package io.integcov.cli.collect;

import io.integcov.storage.Checksums;
import io.integcov.storage.Manifest;
import io.integcov.storage.Storage;
import io.integcov.storage.Storage.StoredObject;
import io.integcov.storage.UploadedRuns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Downloads every upload run below a key prefix into one flat directory, checking each file against its run's
 * manifest. Nothing is dropped silently: problems are returned as errors, a corrupt file is kept in
 * {@code DIR/rejected/<run dir>/}.
 */
final class Downloader {
    private final Storage storage;
    private final Path output;
    private final boolean strict;
    private final Consumer<String> progress;
    private final List<String> errors = new ArrayList<>();
    /** CRC-32C of every file in the output directory, by name. */
    private final Map<String, Long> crcByOutputName = new HashMap<>();

    /**
     * @param strict runs without a manifest are errors (else warnings; their files are used either way)
     * @param progress receives progress and warning lines
     */
    Downloader(Storage storage, Path output, boolean strict, Consumer<String> progress) {
        this.storage = storage;
        this.output = output;
        this.strict = strict;
        this.progress = progress;
    }

    /** Returns the errors; an empty list means everything was there and verified. */
    List<String> downloadAll(String keyPrefix) throws IOException {
        Files.createDirectories(output);
        List<UploadedRuns.Run> runs = UploadedRuns.group(storage.list(keyPrefix));
        if (runs.isEmpty()) {
            errors.add("no coverage uploads found under " + storage.url() + "/" + keyPrefix);
            return errors;
        }
        int files = 0;
        for (UploadedRuns.Run run : runs) {
            Map<String, Long> expectedCrc = expectedChecksums(run);
            for (StoredObject file : run.coverageFiles()) {
                files += download(run, file, expectedCrc.get(file.name())) ? 1 : 0;
            }
        }
        progress.accept(String.format("downloaded %d files from %d runs into %s", files, runs.size(), output));
        return errors;
    }

    /** CRC-32C by file name from the run's manifest (empty without one), recording what is wrong with the run. */
    private Map<String, Long> expectedChecksums(UploadedRuns.Run run) throws IOException {
        Map<String, Long> expected = new HashMap<>();
        if (!run.committed()) {
            String message = run.dir() + " has no " + Manifest.FILE_NAME
                    + " (upload not committed: the wrapper may have been killed); its files are used anyway";
            if (strict) {
                errors.add(message);
            } else {
                progress.accept("warning: " + message);
            }
            return expected;
        }
        Manifest manifest;
        try {
            manifest = Manifest.fromJson(storage.get(run.manifest().key()));
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            errors.add(run.manifest().key() + " is not a valid manifest (" + e.getOriginalMessage()
                    + "); the run's files are used unverified");
            return expected;
        }
        errors.addAll(UploadedRuns.problems(run, manifest));
        if (manifest.files() != null) {
            manifest.files().forEach(entry -> expected.put(entry.name(), entry.crc32c()));
        }
        return expected;
    }

    /** True when the file is in the output directory (under its own or a clash-free name). */
    private boolean download(UploadedRuns.Run run, StoredObject file, Long expectedCrc) throws IOException {
        Path tmp = Files.createTempFile(output, ".download-", ".tmp");
        try {
            storage.download(file.key(), tmp);
            long crc = Checksums.crc32c(tmp);
            if (expectedCrc != null && crc != expectedCrc) {
                Path rejected = Files.createDirectories(output.resolve("rejected").resolve(run.dir()));
                Files.move(tmp, rejected.resolve(file.name()), StandardCopyOption.REPLACE_EXISTING);
                errors.add(file.key() + " is corrupt (crc32c " + crc + ", manifest says " + expectedCrc + "); kept in "
                        + rejected);
                return false;
            }
            Long existing = crcByOutputName.get(file.name());
            if (existing != null && existing == crc) {
                return true; // the same covmeta from another pod running the same binary
            }
            String name = FlatNames.unclashed(file.name(), crcByOutputName.keySet());
            Files.move(tmp, output.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            crcByOutputName.put(name, crc);
            return true;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
