package io.integcov.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.integcov.model.UploadRecord;
import io.integcov.operator.status.UploadListing;
import io.integcov.storage.FileStorage;
import io.integcov.storage.Manifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UploadScannerTest {

    @Test
    void readsTheManifestsOfTheNamespaceOnly(@TempDir Path root) throws Exception {
        FileStorage storage = new FileStorage(root);
        storage.putBytes("team/api-0/api/r1/covmeta.1", new byte[10]);
        storage.putBytes("team/api-0/api/r1/" + Manifest.FILE_NAME, manifest("team", "api-0", "r1", 0).toJson());
        storage.putBytes("team/api-1/api/r2/" + Manifest.FILE_NAME, manifest("team", "api-1", "r2", 3).toJson());
        storage.putBytes("team/api-2/api/r3/covmeta.1", new byte[10]);
        storage.putBytes("team-b/api-0/api/r9/" + Manifest.FILE_NAME, manifest("team-b", "api-0", "r9", 0).toJson());
        storage.putBytes("team/bad/api/r4/" + Manifest.FILE_NAME, "{not json".getBytes());

        UploadScanner scanner = new UploadScanner();
        UploadListing listing = scanner.scan("file://" + root, "team");

        assertEquals(null, listing.error());
        List<UploadRecord> uploads = listing.uploads().stream().sorted(Comparator.comparing(UploadRecord::getPod))
                .toList();
        assertEquals(List.of("api-0", "api-1"), uploads.stream().map(UploadRecord::getPod).toList());
        assertEquals(3, uploads.get(1).getExitCode());

        Files.delete(root.resolve("team/api-0/api/r1/" + Manifest.FILE_NAME));
        assertEquals(List.of("api-1"),
                scanner.scan("file://" + root, "team").uploads().stream().map(UploadRecord::getPod).toList());
    }

    @Test
    void reportsStorageErrorsInsteadOfThrowing() {
        UploadListing listing = new UploadScanner().scan("gs://", "team");
        assertTrue(listing.failed());
        assertTrue(listing.error().startsWith("IllegalArgumentException: storage URL 'gs://'"), listing.error());
    }

    private static Manifest manifest(String namespace, String pod, String runId, int exitCode) {
        return new Manifest(1, namespace, pod, "api", runId, exitCode, null, "2026-03-01T10:00:00Z",
                "2026-03-01T10:01:00Z", "2026-03-01T10:01:01Z", List.of(new Manifest.FileEntry("covmeta.1", 10, 7)),
                List.of());
    }
}
