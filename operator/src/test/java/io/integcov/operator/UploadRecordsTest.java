package io.integcov.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.integcov.model.UploadRecord;
import io.integcov.storage.Manifest;
import java.util.List;
import org.junit.jupiter.api.Test;

class UploadRecordsTest {

    @Test
    void summarisesTheManifestWhoseFieldsWinOverTheKeysSegments() {
        Manifest manifest = new Manifest(1, "team", "api-0", "api", "r1", 2, null, "2026-03-01T10:00:00Z",
                "2026-03-01T10:05:00Z", "2026-03-01T10:05:03Z",
                List.of(new Manifest.FileEntry("covmeta.1", 100, 1), new Manifest.FileEntry("covcounters.1", 23, 2)),
                null);
        UploadRecord record = UploadRecords.fromManifest("team/key-pod/key-container/key-run/integcov-manifest.json",
                manifest);
        assertEquals("api-0", record.getPod());
        assertEquals("api", record.getContainer());
        assertEquals("r1", record.getRunId());
        assertEquals(2, record.getExitCode());
        assertEquals(2, record.getFiles());
        assertEquals(123L, record.getBytes());
        assertEquals("2026-03-01T10:05:03Z", record.getFinishedAt());
    }

    @Test
    void fallsBackToTheKeyAndExitTimeForMissingFields() {
        Manifest manifest = new Manifest(1, null, null, null, null, 0, null, null, "2026-03-01T10:05:00Z", null, null,
                null);
        UploadRecord record = UploadRecords.fromManifest("team/api-0/api/r1/integcov-manifest.json", manifest);
        assertEquals("api-0", record.getPod());
        assertEquals("api", record.getContainer());
        assertEquals("r1", record.getRunId());
        assertEquals(0, record.getFiles());
        assertEquals(0L, record.getBytes());
        assertEquals("2026-03-01T10:05:00Z", record.getFinishedAt());
    }
}
