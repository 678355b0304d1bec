package io.integcov.cli.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.integcov.storage.Manifest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class UploadPlanTest {
    private static final Instant EXIT = Instant.parse("2026-11-25T16:00:00Z");
    private static final RunSettings SETTINGS =
            new RunSettings("file:///x", "/cov", "ns", "pod", "app", null, null, List.of());

    @Test
    void skipsGoTempFilesAndManifestName() {
        assertTrue(UploadPlan.shouldUpload("covmeta.0862d6"));
        assertTrue(UploadPlan.shouldUpload("covcounters.0862d6.123.456"));
        assertTrue(UploadPlan.shouldUpload("my.tmp.file"));
        assertFalse(UploadPlan.shouldUpload("tmp.covcounters.0862d6.123.456"));
        assertFalse(UploadPlan.shouldUpload(Manifest.FILE_NAME));
    }

    @Test
    void runIdIsTimeSortableAndRandomised() {
        assertEquals("20261125T160000.000Z-00002a", UploadPlan.runId(EXIT, 42));
        assertEquals("20261125T160000.000Z-ffffff", UploadPlan.runId(EXIT, -1));
        String earlier = UploadPlan.runId(EXIT.minusMillis(1), 0xffffff);
        String later = UploadPlan.runId(EXIT, 0);
        assertTrue(earlier.compareTo(later) < 0);
        assertTrue(UploadPlan.runId(Instant.parse("2026-01-02T03:04:05.678Z"), 1).matches("20260102T030405\\.678Z-000001"));
    }

    @Test
    void keyPrefix() {
        assertEquals("ns/pod/app/RUN", UploadPlan.keyPrefix(SETTINGS, "RUN"));
    }

    @Test
    void deadlineFromConfiguredTimeout() {
        assertEquals(EXIT.plusSeconds(7), UploadPlan.deadline(Duration.ofSeconds(7), Duration.ofSeconds(90), EXIT,
                EXIT.minusSeconds(20)));
    }

    @Test
    void defaultDeadlineCountsFromFirstSigterm() {
        assertEquals(EXIT.plusSeconds(25), UploadPlan.deadline(null, null, EXIT, null));
        assertEquals(EXIT.plusSeconds(15), UploadPlan.deadline(null, null, EXIT, EXIT.minusSeconds(10)));
        // the app used its whole grace period: still a short try
        assertEquals(EXIT.plusSeconds(2), UploadPlan.deadline(null, null, EXIT, EXIT.minusSeconds(40)));
    }

    @Test
    void defaultDeadlineFollowsThePodsGracePeriod() {
        assertEquals(EXIT.plusSeconds(115), UploadPlan.deadline(null, Duration.ofSeconds(120), EXIT, null));
        assertEquals(EXIT.plusSeconds(105), UploadPlan.deadline(null, Duration.ofSeconds(120), EXIT,
                EXIT.minusSeconds(10)));
        assertEquals(EXIT.plusSeconds(2), UploadPlan.deadline(null, Duration.ZERO, EXIT, null));
    }

    @Test
    void filesLeaveTimeForTheManifest() {
        assertEquals(EXIT.plusSeconds(22), UploadPlan.filesDeadline(EXIT, EXIT.plusSeconds(25)));
        assertEquals(EXIT.plusMillis(1600), UploadPlan.filesDeadline(EXIT, EXIT.plusSeconds(2)));
    }

    @Test
    void backoffGrowsAndIsCapped() {
        assertEquals(Duration.ofMillis(100), UploadPlan.backoff(1, 0.0));
        assertEquals(Duration.ofMillis(200), UploadPlan.backoff(1, 1.0));
        assertEquals(Duration.ofMillis(400), UploadPlan.backoff(3, 0.0));
        assertEquals(Duration.ofMillis(2500), UploadPlan.backoff(10, 0.0));
        assertEquals(Duration.ofMillis(5000), UploadPlan.backoff(1000, 1.0));
    }

    @Test
    void manifestSortsFilesAndRecordsFailuresAndSignal() {
        Manifest m = UploadPlan.manifest(SETTINGS, "RUN", 137, EXIT.minusSeconds(5), EXIT, EXIT.plusSeconds(1),
                List.of(new Manifest.FileEntry("covmeta.b", 2, 3), new Manifest.FileEntry("covcounters.a", 1, 2)),
                List.of("z", "covcounters.c"));
        assertEquals(List.of("covcounters.a", "covmeta.b"), m.files().stream().map(Manifest.FileEntry::name).toList());
        assertEquals(List.of("covcounters.c", "z"), m.failed());
        assertEquals(9, m.signal());
        assertEquals("2026-11-25T15:59:55Z", m.startedAt());
        assertEquals("ns", m.namespace());
        assertEquals("RUN", m.runId());

        Manifest clean = UploadPlan.manifest(SETTINGS, "RUN", 3, EXIT, EXIT, EXIT, List.of(), List.of());
        assertNull(clean.failed());
        assertNull(clean.signal());
        assertEquals(3, clean.exitCode());
    }
}
