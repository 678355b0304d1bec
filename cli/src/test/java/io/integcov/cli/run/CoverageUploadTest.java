package io.integcov.cli.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.integcov.storage.Manifest;
import io.integcov.storage.PermanentStorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CoverageUploadTest {
    @TempDir
    Path tmp;

    /** A real FileStorage that records successful writes in order and refuses keys ending in "rejected". */
    private static final class RecordingStorage extends ForwardingStorage {
        final List<String> written = Collections.synchronizedList(new ArrayList<>());

        RecordingStorage(Path root) {
            super(root);
        }

        @Override
        public void put(String key, Path file) throws IOException {
            if (key.endsWith("rejected")) {
                throw new PermanentStorageException("HTTP 403: " + key, null);
            }
            delegate.put(key, file);
            written.add(key);
        }

        @Override
        public void putBytes(String key, byte[] data) throws IOException {
            delegate.putBytes(key, data);
            written.add(key);
        }
    }

    private CoverageUpload.Run run(Path coverDir, int exitCode) {
        RunSettings settings = new RunSettings("file:///unused", coverDir.toString(), "ns", "pod", "app", null, null, List.of());
        Instant now = Instant.now();
        return new CoverageUpload.Run(settings, "RUN", exitCode, now.minusSeconds(1), now);
    }

    @Test
    void manifestComesLastAndNamesUploadedAndFailedFiles() throws Exception {
        Path cov = Files.createDirectories(tmp.resolve("cov"));
        Files.writeString(cov.resolve("covmeta.a"), "meta");
        Files.writeString(cov.resolve("covcounters.b"), "counters");
        Files.writeString(cov.resolve("tmp.covcounters.c"), "partial");
        Files.writeString(cov.resolve("covcounters.rejected"), "x");
        Files.createDirectory(cov.resolve("subdir"));
        RecordingStorage storage = new RecordingStorage(tmp.resolve("store"));

        Manifest manifest = CoverageUpload.upload(storage, run(cov, 2), Instant.now().plusSeconds(60));

        assertEquals(List.of("ns/pod/app/RUN/covcounters.b", "ns/pod/app/RUN/covmeta.a"),
                storage.written.subList(0, 2).stream().sorted().toList());
        assertEquals(List.of("ns/pod/app/RUN/" + Manifest.FILE_NAME), storage.written.subList(2, storage.written.size()));
        assertEquals(List.of(Uploader.describe(cov.resolve("covcounters.b")), Uploader.describe(cov.resolve("covmeta.a"))),
                manifest.files());
        assertEquals(List.of("covcounters.rejected"), manifest.failed());
        assertEquals(2, manifest.exitCode());
        assertEquals(manifest, Manifest.fromJson(storage.get("ns/pod/app/RUN/" + Manifest.FILE_NAME)));
    }

    @Test
    void emptyCoverDirStillCommitsARun() throws Exception {
        Path cov = Files.createDirectories(tmp.resolve("cov"));
        RecordingStorage storage = new RecordingStorage(tmp.resolve("store"));

        Manifest manifest = CoverageUpload.upload(storage, run(cov, 0), Instant.now().plusSeconds(60));

        assertEquals(List.of("ns/pod/app/RUN/" + Manifest.FILE_NAME), storage.written);
        assertEquals(List.of(), manifest.files());
        assertNull(manifest.failed());
    }
}
