package io.integcov.cli.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.integcov.storage.Checksums;
import io.integcov.storage.FileStorage;
import io.integcov.storage.Manifest;
import io.integcov.storage.Storage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Coverage data of the real {@code go build -cover} covapp, stored as the agent stores it. */
final class CovappRuns {
    private final Path covapp;
    private final Path work;
    private int runs;

    CovappRuns(Path covapp, Path work) {
        this.covapp = covapp;
        this.work = work;
    }

    /** Runs covapp with {@code args} and returns its GOCOVERDIR. */
    Path run(String... args) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(work.resolve("covdata-" + (++runs)));
        List<String> command = new ArrayList<>(List.of(covapp.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("GOCOVERDIR", dir.toString());
        Process process = builder.start();
        process.getInputStream().readAllBytes();
        assertEquals(0, process.waitFor());
        return dir;
    }

    /**
     * Stores a covdata dir under {@code runDir} ({@code <ns>/<capture>/<uid>/<pod>/<container>/<run-id>}): the files,
     * then, when {@code commit}, the manifest; {@code withCaptureFields} false writes a manifest as it was before the
     * per-capture layout.
     */
    static void upload(Path storageRoot, Path covdata, String runDir, boolean commit, boolean withCaptureFields)
            throws IOException {
        upload(new FileStorage(storageRoot), covdata, runDir, commit, withCaptureFields);
    }

    static void upload(Storage storage, Path covdata, String runDir, boolean commit, boolean withCaptureFields)
            throws IOException {
        List<Manifest.FileEntry> entries = new ArrayList<>();
        try (Stream<Path> files = Files.list(covdata)) {
            for (Path file : files.sorted().toList()) {
                storage.put(runDir + "/" + file.getFileName(), file);
                entries.add(new Manifest.FileEntry(file.getFileName().toString(), Files.size(file),
                        Checksums.crc32c(file)));
            }
        }
        if (commit) {
            String[] p = runDir.split("/");
            Manifest manifest = withCaptureFields
                    ? new Manifest(Manifest.CURRENT_VERSION, p[0], p[1], p[2], p[3], p[4], p[5], "wrap", 0, null, null,
                            null, null, entries, null)
                    : new Manifest(Manifest.CURRENT_VERSION, p[0], p[3], p[4], p[5], 0, null, null, null, null, entries,
                            null);
            storage.putBytes(runDir + "/" + Manifest.FILE_NAME, manifest.toJson());
        }
    }
}
