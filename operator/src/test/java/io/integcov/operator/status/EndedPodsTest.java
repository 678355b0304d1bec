package io.integcov.operator.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.integcov.model.CoverageCapture;
import io.integcov.model.CoverageCaptureSpec;
import io.integcov.model.CoverageCaptureStatus;
import io.integcov.model.EndedPod;
import io.integcov.model.Labels;
import io.integcov.model.PodNote;
import io.integcov.model.UploadRecord;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Injected pods that end with no committed upload: each step is one reconcile, fed the status the previous one wrote,
 * as the operator does.
 */
class EndedPodsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

    private final CoverageCapture capture = capture();

    @Test
    void aDeletedPodIsJudgedOnTheFirstReadThatBeganAfterItsEndAndReportedOnce() {
        CoverageCaptureStatus running = step(List.of(pod("api-0", "Running")), listing(T0), T0);
        assertEquals(List.of(), running.getAwaitingUpload());

        // deleted at T0+10s; the polled listing the reconcile sees is older than the end: no verdict yet
        CoverageCaptureStatus gone = step(List.of(), listing(T0.plusSeconds(5)), T0.plusSeconds(10));
        assertEquals(List.of(new EndedPod("api-0", "2026-03-01T12:00:11Z", "deleted")), gone.getAwaitingUpload());
        assertEquals(List.of(), gone.getNoUpload());
        assertEquals(List.of(), StatusEvents.between(running, gone), "waiting is not worth an Event");
        // a read that began exactly at the stamp does not count either
        assertEquals(gone.getAwaitingUpload(), step(List.of(), listing(T0.plusSeconds(11)), T0.plusSeconds(12))
                .getAwaitingUpload());

        CoverageCaptureStatus judged = step(List.of(), listing(T0.plusSeconds(20)), T0.plusSeconds(21));
        assertEquals(List.of(), judged.getAwaitingUpload());
        assertEquals(List.of("api-0"), judged.getNoUpload().stream().map(PodNote::getPod).toList());
        String reason = judged.getNoUpload().get(0).getReason();
        assertTrue(reason.contains("was deleted (noticed 2026-03-01T12:00:11Z)")
                && reason.contains("storage read at 2026-03-01T12:00:20Z") && reason.contains("grace period"), reason);
        assertTrue(StatusCalculatorTest.assertCondition(judged, Conditions.READY, "True", "Capturing").getMessage()
                .endsWith("; 1 injected pod ended with no committed upload (status.noUpload)"));
        assertEquals(List.of(new StatusEvents.Event("Warning", StatusEvents.NO_UPLOAD, "pod api-0: " + reason)),
                StatusEvents.between(gone, judged));

        CoverageCaptureStatus again = step(List.of(), listing(T0.plusSeconds(40)), T0.plusSeconds(41));
        assertEquals(JSON.valueToTree(judged), JSON.valueToTree(again), "the verdict is kept as it is");
        assertEquals(List.of(), StatusEvents.between(judged, again));
    }

    @Test
    void aDeletedPodWhoseManifestIsInTheNextReadLeavesNoNote() {
        step(List.of(pod("api-0", "Running")), listing(T0), T0);
        step(List.of(), listing(T0.plusSeconds(5)), T0.plusSeconds(10));
        CoverageCaptureStatus judged = step(List.of(), listing(T0.plusSeconds(20), upload("api-0")),
                T0.plusSeconds(21));
        assertEquals(List.of(), judged.getAwaitingUpload());
        assertEquals(List.of(), judged.getNoUpload());
    }

    @Test
    void aPodWithUploadsAlreadyListedWhenItEndsIsNeverAwaited() {
        step(List.of(pod("api-0", "Running")), listing(T0, upload("api-0")), T0);
        CoverageCaptureStatus gone = step(List.of(), listing(T0, upload("api-0")), T0.plusSeconds(10));
        assertEquals(List.of(), gone.getAwaitingUpload());
        assertEquals(List.of(), gone.getNoUpload());
    }

    @Test
    void aFinishedJobPodEndsOnlyOnceItsSidecarHasStoppedAndStaysJudgedWhileItExists() {
        Pod sidecarRunning = pod("job-0", "Succeeded", terminated("app"), running(Labels.SIDECAR_NAME));
        Pod done = pod("job-0", "Succeeded", terminated("app"), terminated(Labels.SIDECAR_NAME));
        assertFalse(StatusCalculator.hasEnded(sidecarRunning), "the sidecar uploads when it is stopped");
        assertTrue(StatusCalculator.hasEnded(done));
        assertFalse(StatusCalculator.hasEnded(pod("api-0", "Running", running("app"))));

        assertEquals(List.of(), step(List.of(sidecarRunning), listing(T0), T0).getAwaitingUpload());
        CoverageCaptureStatus ended = step(List.of(done), listing(T0), T0.plusSeconds(3));
        assertEquals(List.of(new EndedPod("job-0", "2026-03-01T12:00:04Z", "Succeeded")), ended.getAwaitingUpload());
        CoverageCaptureStatus judged = step(List.of(done), listing(T0.plusSeconds(10)), T0.plusSeconds(10));
        assertEquals(List.of("job-0"), judged.getNoUpload().stream().map(PodNote::getPod).toList());
        assertTrue(judged.getNoUpload().get(0).getReason().contains("ended with phase Succeeded"));
        CoverageCaptureStatus later = step(List.of(done), listing(T0.plusSeconds(30)), T0.plusSeconds(30));
        assertEquals(List.of(), later.getAwaitingUpload(), "a judged pod that still exists is not awaited again");
        assertEquals(1, later.getNoUpload().size());
        assertEquals(List.of(), StatusEvents.between(judged, later));

        // and a pod judged to have uploads is not awaited again either
        capture.setStatus(null);
        step(List.of(done), listing(T0), T0);
        CoverageCaptureStatus withUpload = step(List.of(done), listing(T0.plusSeconds(10), upload("job-0")),
                T0.plusSeconds(10));
        assertEquals(List.of(), withUpload.getAwaitingUpload());
        assertEquals(List.of(), step(List.of(done), listing(T0.plusSeconds(30), upload("job-0")), T0.plusSeconds(30))
                .getAwaitingUpload());
    }

    @Test
    void noVerdictWithoutAReadOfKnownTimeAndANoteGoesWhenAnUploadOfThePodTurnsUp() {
        step(List.of(pod("api-0", "Running")), listing(T0), T0);
        CoverageCaptureStatus gone = step(List.of(), listing(T0), T0.plusSeconds(10));
        List<EndedPod> awaiting = gone.getAwaitingUpload();
        assertEquals(1, awaiting.size());
        assertEquals(awaiting, step(List.of(), UploadListing.failed("403"), T0.plusSeconds(20)).getAwaitingUpload());
        assertEquals(awaiting, step(List.of(), null, T0.plusSeconds(30)).getAwaitingUpload());
        assertEquals(awaiting, step(List.of(), UploadListing.of(List.of()), T0.plusSeconds(40)).getAwaitingUpload());

        CoverageCaptureStatus judged = step(List.of(), listing(T0.plusSeconds(50)), T0.plusSeconds(50));
        assertEquals(1, judged.getNoUpload().size());
        CoverageCaptureStatus late = step(List.of(), listing(T0.plusSeconds(60), upload("api-0")), T0.plusSeconds(60));
        assertEquals(List.of(), late.getNoUpload());
    }

    @Test
    void podsInjectedForAnotherCaptureOrNotInjectedAreNotFollowed() {
        Pod other = new PodBuilder(pod("api-1", "Failed", terminated("app"))).editMetadata()
                .addToAnnotations(Labels.INJECTED_ANNOTATION, "other-cov").endMetadata().build();
        Pod plain = new PodBuilder(pod("api-2", "Failed", terminated("app"))).editMetadata()
                .withAnnotations(Map.of()).endMetadata().build();
        CoverageCaptureStatus status = step(List.of(other, plain), listing(T0), T0);
        assertEquals(List.of(), status.getAwaitingUpload());
        assertEquals(List.of(), step(List.of(), listing(T0.plusSeconds(10)), T0.plusSeconds(10)).getAwaitingUpload());
    }

    @Test
    void anInvalidSpecKeepsWhatIsAwaitedAndJudged() {
        step(List.of(pod("api-0", "Running")), listing(T0), T0);
        CoverageCaptureStatus gone = step(List.of(), listing(T0), T0.plusSeconds(10));
        capture.getSpec().setSelector(new LabelSelectorBuilder().addNewMatchExpression().withKey("app")
                .withOperator("Bogus").endMatchExpression().build());
        CoverageCaptureStatus invalid = step(List.of(), null, T0.plusSeconds(20));
        StatusCalculatorTest.assertCondition(invalid, Conditions.INVALID_SPEC, "True", "InvalidSpec");
        assertEquals(gone.getAwaitingUpload(), invalid.getAwaitingUpload());
    }

    /** One reconcile: computes the status and stores it on the capture, as the patch does. */
    private CoverageCaptureStatus step(List<Pod> pods, UploadListing uploads, Instant now) {
        CoverageCaptureStatus status = StatusCalculator.compute(capture, pods, uploads, now);
        capture.setStatus(JSON.convertValue(JSON.valueToTree(status), CoverageCaptureStatus.class));
        return status;
    }

    private static UploadListing listing(Instant readAt, UploadRecord... uploads) {
        return UploadListing.of(List.of(uploads), readAt);
    }

    private static CoverageCapture capture() {
        CoverageCaptureSpec spec = new CoverageCaptureSpec();
        spec.setSelector(new LabelSelectorBuilder().addToMatchLabels("app", "api").build());
        CoverageCapture capture = new CoverageCapture("team", "api-cov", spec);
        capture.getMetadata().setGeneration(1L);
        capture.getMetadata().setUid("uid-1");
        return capture;
    }

    private static Pod pod(String name, String phase, ContainerStatus... statuses) {
        return new PodBuilder().withNewMetadata().withNamespace("team").withName(name)
                .withLabels(Map.of("app", "api"))
                .withAnnotations(Map.of(Labels.INJECTED_ANNOTATION, "api-cov", Labels.WRAPPED_ANNOTATION, "app",
                        Labels.SIDECAR_ANNOTATION, ""))
                .endMetadata()
                .withNewStatus().withPhase(phase)
                .withContainerStatuses(List.of(statuses).stream().filter(s -> !s.getName().equals(Labels.SIDECAR_NAME))
                        .toList())
                .withInitContainerStatuses(List.of(statuses).stream()
                        .filter(s -> s.getName().equals(Labels.SIDECAR_NAME)).toList())
                .endStatus().build();
    }

    private static ContainerStatus running(String name) {
        return new ContainerStatusBuilder().withName(name).withNewState().withNewRunning().endRunning().endState()
                .build();
    }

    private static ContainerStatus terminated(String name) {
        return new ContainerStatusBuilder().withName(name).withNewState().withNewTerminated().withExitCode(0)
                .endTerminated().endState().build();
    }

    private static UploadRecord upload(String pod) {
        UploadRecord record = new UploadRecord();
        record.setPod(pod);
        record.setContainer("app");
        record.setRunId("run");
        record.setExitCode(0);
        record.setFinishedAt("2026-03-01T12:00:01Z");
        return record;
    }
}
