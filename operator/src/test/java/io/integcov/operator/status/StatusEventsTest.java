package io.integcov.operator.status;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.integcov.model.CoverageCaptureStatus;
import io.integcov.model.PodNote;
import io.integcov.model.UploadRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusEventsTest {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    @Test
    void invalidSpecIsReportedOnceAndAgainWhenItsMessageChanges() {
        CoverageCaptureStatus invalid = invalid("spec.storage.url: bad");

        assertEquals(List.of(new StatusEvents.Event("Warning", "InvalidSpec", "spec.storage.url: bad")),
                StatusEvents.between(null, invalid));
        assertEquals(List.of(), StatusEvents.between(invalid, invalid("spec.storage.url: bad")));
        assertEquals(List.of("spec.containers[0] must not be empty"),
                StatusEvents.between(invalid, invalid("spec.containers[0] must not be empty")).stream()
                        .map(StatusEvents.Event::message).toList());
    }

    @Test
    void storageUnavailableIsReportedWhenReadyTurnsToIt() {
        CoverageCaptureStatus capturing = ready(true, "Capturing", "ok");
        CoverageCaptureStatus unavailable = ready(false, "StorageUnavailable", "cannot read upload manifests: 403");

        assertEquals(List.of(new StatusEvents.Event("Warning", "StorageUnavailable",
                "cannot read upload manifests: 403")), StatusEvents.between(capturing, unavailable));
        assertEquals(List.of(), StatusEvents.between(unavailable, unavailable));
        assertEquals(List.of(), StatusEvents.between(unavailable, capturing));
    }

    @Test
    void eachNewlyNotInjectedPodIsReportedWithItsReason() {
        CoverageCaptureStatus before = ready(true, "Capturing", "ok");
        before.setNotInjected(List.of(new PodNote("api-0", "opted out")));
        CoverageCaptureStatus after = ready(true, "Capturing", "ok");
        after.setNotInjected(List.of(new PodNote("api-0", "opted out"), new PodNote("api-1", "delete the pod")));

        assertEquals(List.of(new StatusEvents.Event("Warning", "PodNotInjected", "pod api-1: delete the pod")),
                StatusEvents.between(before, after));
    }

    @Test
    void eachNewUploadIsReportedAndAFloodIsSummedUp() {
        CoverageCaptureStatus before = ready(true, "Capturing", "ok");
        before.setUploads(List.of(upload("api-0", "r1")));
        CoverageCaptureStatus one = ready(true, "Capturing", "ok");
        one.setUploads(List.of(upload("api-0", "r1"), upload("api-1", "r2")));
        one.setUploadCount(2);
        CoverageCaptureStatus many = ready(true, "Capturing", "ok");
        List<UploadRecord> uploads = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            uploads.add(upload("api-" + i, "r" + i));
        }
        many.setUploads(uploads);
        many.setUploadCount(25);

        assertEquals(List.of(new StatusEvents.Event("Normal", "UploadCommitted",
                "pod api-1 container app run r2: 3 files, 300 bytes, exit code 0, wrap mode")),
                StatusEvents.between(before, one));
        List<StatusEvents.Event> flood = StatusEvents.between(null, many);
        assertEquals(StatusEvents.MAX_UPLOAD_EVENTS, flood.size());
        assertEquals(new StatusEvents.Event("Normal", "UploadsCommitted", "16 more uploads committed; 25 in all"),
                flood.get(flood.size() - 1));
        assertEquals(List.of(), StatusEvents.between(many, many));
    }

    private static CoverageCaptureStatus invalid(String message) {
        CoverageCaptureStatus status = new CoverageCaptureStatus();
        status.setConditions(Conditions.put(List.of(), Conditions.INVALID_SPEC, true, "InvalidSpec", message, 1, NOW));
        return status;
    }

    private static CoverageCaptureStatus ready(boolean ready, String reason, String message) {
        CoverageCaptureStatus status = new CoverageCaptureStatus();
        status.setConditions(Conditions.put(List.of(), Conditions.READY, ready, reason, message, 1, NOW));
        return status;
    }

    private static UploadRecord upload(String pod, String runId) {
        UploadRecord upload = new UploadRecord();
        upload.setPod(pod);
        upload.setContainer("app");
        upload.setRunId(runId);
        upload.setMode("wrap");
        upload.setExitCode(0);
        upload.setFiles(3);
        upload.setBytes(300L);
        return upload;
    }
}
