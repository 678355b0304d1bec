package io.integcov.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.integcov.model.CaptureStorage;
import io.integcov.model.CoverageCaptureSpec;
import io.integcov.model.DefaultStore;
import io.integcov.model.UploadRecord;
import io.integcov.operator.status.UploadListing;
import io.integcov.storage.FileStorage;
import io.integcov.storage.Manifest;
import io.integcov.storage.Storage;
import io.integcov.testing.FakeGcs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UploadScannerTest {

    private static final String OWN = "team/cov/uid-2/";

    @Test
    void readsTheManifestsOfTheCapturesOwnPrefixOnly(@TempDir Path root) throws Exception {
        FileStorage storage = new FileStorage(root);
        storage.putBytes(OWN + "api-0/api/r1/covmeta.1", new byte[10]);
        storage.putBytes(OWN + "api-0/api/r1/" + Manifest.FILE_NAME, manifest("team", "api-0", "r1", 0).toJson());
        storage.putBytes(OWN + "api-1/api/r2/" + Manifest.FILE_NAME, manifest("team", "api-1", "r2", 3).toJson());
        storage.putBytes(OWN + "api-2/api/r3/covmeta.1", new byte[10]);
        storage.putBytes(OWN + "bad/api/r4/" + Manifest.FILE_NAME, "{not json".getBytes());
        // the same capture before it was re-created, another capture of the namespace, another namespace
        storage.putBytes("team/cov/uid-1/api-0/api/r0/" + Manifest.FILE_NAME, manifest("team", "api-0", "r0", 0).toJson());
        storage.putBytes("team/other/uid-7/api-5/api/r5/" + Manifest.FILE_NAME,
                manifest("team", "api-5", "r5", 0).toJson());
        storage.putBytes("team-b/cov/uid-2/api-9/api/r9/" + Manifest.FILE_NAME,
                manifest("team-b", "api-9", "r9", 0).toJson());

        UploadScanner scanner = new UploadScanner();
        UploadListing listing = scanner.scan(at("file://" + root), "team", "cov", "uid-2");

        assertEquals(null, listing.error());
        List<UploadRecord> uploads = listing.uploads().stream().sorted(Comparator.comparing(UploadRecord::getPod))
                .toList();
        assertEquals(List.of("api-0", "api-1"), uploads.stream().map(UploadRecord::getPod).toList());
        assertEquals(3, uploads.get(1).getExitCode());

        Files.delete(root.resolve(OWN + "api-0/api/r1/" + Manifest.FILE_NAME));
        assertEquals(List.of("api-1"), scanner.scan(at("file://" + root), "team", "cov", "uid-2").uploads().stream()
                .map(UploadRecord::getPod).toList());
    }

    @Test
    void recordsTheModeOfManifestsThatHaveOne(@TempDir Path root) throws Exception {
        FileStorage storage = new FileStorage(root);
        storage.putBytes(OWN + "api-0/api/r1/" + Manifest.FILE_NAME, new Manifest(1, "team", "cov", "uid-2", "api-0",
                "api", "r1", "sidecar", 0, null, null, null, "2026-03-01T10:01:01Z", List.of(), List.of()).toJson());
        storage.putBytes(OWN + "api-1/api/r2/" + Manifest.FILE_NAME, manifest("team", "api-1", "r2", 0).toJson());

        List<UploadRecord> uploads = new UploadScanner().scan(at("file://" + root), "team", "cov", "uid-2").uploads()
                .stream().sorted(Comparator.comparing(UploadRecord::getPod)).toList();

        assertEquals("sidecar", uploads.get(0).getMode());
        assertEquals(null, uploads.get(1).getMode());
    }

    @Test
    void reportsStorageErrorsInsteadOfThrowing() {
        UploadListing listing = new UploadScanner().scan(at("gs://"), "team", "cov", "uid-1");
        assertTrue(listing.failed());
        assertTrue(listing.error().startsWith("IllegalArgumentException: storage URL 'gs://'"), listing.error());
    }

    /**
     * The default store is read through the emulator host it comes with (its Service), whatever this process's
     * STORAGE_EMULATOR_HOST says: the operator needs no setting to read it.
     */
    @Test
    void readsTheDefaultStoreThroughItsEmulatorHost() throws Exception {
        try (FakeGcs gcs = FakeGcs.start("integcov")) {
            String host = gcs.endpoint().replace("http://", "");
            CaptureStorage store = new DefaultStore("gs://integcov/coverage", host).storageOf(new CoverageCaptureSpec());
            try (Storage writer = Storage.openRetrying(store.url(), Duration.ofSeconds(10), host)) {
                writer.putBytes(OWN + "api-0/api/r1/" + Manifest.FILE_NAME, manifest("team", "api-0", "r1", 0).toJson());
            }
            UploadListing listing = new UploadScanner().scan(store, "team", "cov", "uid-2");
            assertEquals(null, listing.error());
            assertEquals(List.of("api-0"), listing.uploads().stream().map(UploadRecord::getPod).toList());
        }
    }

    private static CaptureStorage at(String url) {
        return new CaptureStorage(url, null, null);
    }

    private static Manifest manifest(String namespace, String pod, String runId, int exitCode) {
        return new Manifest(1, namespace, pod, "api", runId, exitCode, null, "2026-03-01T10:00:00Z",
                "2026-03-01T10:01:00Z", "2026-03-01T10:01:01Z", List.of(new Manifest.FileEntry("covmeta.1", 10, 7)),
                List.of());
    }
}
