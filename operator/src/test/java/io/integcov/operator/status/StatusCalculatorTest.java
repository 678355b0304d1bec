package io.integcov.operator.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.integcov.model.CoverageCapture;
import io.integcov.model.CoverageCaptureSpec;
import io.integcov.model.CoverageCaptureStatus;
import io.integcov.model.InjectedPod;
import io.integcov.model.Labels;
import io.integcov.model.PodNote;
import io.integcov.model.StorageSpec;
import io.integcov.model.UploadRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class StatusCalculatorTest {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    @Test
    void countsMatchingPodsAndExplainsTheOnesNotInjected() {
        CoverageCapture capture = capture("api-cov", 4);
        List<Pod> pods = List.of(
                pod("api-1", Map.of("app", "api"), Map.of(Labels.INJECTED_ANNOTATION, "api-cov")),
                pod("api-0", Map.of("app", "api"), Map.of()),
                pod("api-2", Map.of("app", "api"), Map.of(Labels.INJECTED_ANNOTATION, "other-cov")),
                pod("api-3", Map.of("app", "api", Labels.INJECT_LABEL, Labels.INJECT_DISABLED), Map.of()),
                pod("api-4", Map.of("app", "api"), Map.of(Labels.CAPTURE_ANNOTATION, "third-cov")),
                pod("api-5", Map.of("app", "api"), Map.of(Labels.SKIPPED_ANNOTATION, "api:no-command")),
                pod("api-6", Map.of("app", "api"), Map.of(Labels.INJECTED_ANNOTATION, "api-cov",
                        Labels.SKIPPED_ANNOTATION, "sidecar:no-command")),
                pod("web-0", Map.of("app", "web"), Map.of(Labels.INJECTED_ANNOTATION, "api-cov")));

        CoverageCaptureStatus status = StatusCalculator.compute(capture, pods, UploadListing.of(List.of()), NOW);

        assertEquals(4L, status.getObservedGeneration());
        assertEquals(7, status.getMatchedPods());
        assertEquals(2, status.getInjectedPods());
        assertEquals(5, status.getNotInjectedPods());
        List<PodNote> notes = status.getNotInjected();
        assertEquals(List.of("api-0", "api-2", "api-3", "api-4", "api-5"), notes.stream().map(PodNote::getPod).toList());
        assertEquals(StatusCalculator.RESTART_HINT, notes.get(0).getReason());
        assertTrue(notes.get(0).getReason().contains("delete the pod so it is recreated"));
        assertTrue(notes.get(1).getReason().contains("'other-cov'")
                && notes.get(1).getReason().contains(Labels.CAPTURE_ANNOTATION + "=api-cov"), notes.get(1).getReason());
        assertTrue(notes.get(2).getReason().contains("opted out"), notes.get(2).getReason());
        assertTrue(notes.get(3).getReason().contains("'third-cov'"), notes.get(3).getReason());
        assertTrue(notes.get(4).getReason().contains("(api:no-command)")
                && notes.get(4).getReason().contains("spec.commandOverrides"), notes.get(4).getReason());

        assertCondition(status, Conditions.INVALID_SPEC, "False", "SpecValid");
        Condition ready = assertCondition(status, Conditions.READY, "True", "Capturing");
        assertEquals("2 of 7 matching pods injected; 0 uploads", ready.getMessage());
        assertEquals("2026-03-01T12:00:00Z", ready.getLastTransitionTime());
    }

    @Test
    void showsPerInjectedPodWhetherItsContainersAreWrappedOrServedByTheSidecarAsTheWebhookAnnotatedIt() {
        CoverageCapture capture = capture("api-cov", 1);
        // a container of the user that runs the agent path itself is not taken for one the webhook wrapped
        Container ownAgent = new ContainerBuilder().withName("tool")
                .withCommand(Labels.AGENT_PATH, "run", "--", "/tool").build();
        List<Pod> pods = List.of(
                withSpec(pod("api-2", Map.of("app", "api"),
                        InjectedPod.annotations("api-cov", List.of("worker"), List.of("api"))), List.of(ownAgent)),
                withSpec(pod("api-1", Map.of("app", "api"),
                        InjectedPod.annotations("api-cov", List.of(), List.of("api"))), List.of(ownAgent)),
                withSpec(pod("api-0", Map.of("app", "api"),
                        InjectedPod.annotations("api-cov", List.of("api"), List.of())), List.of(ownAgent)),
                withSpec(pod("api-9", Map.of("app", "api"), Map.of()), List.of(ownAgent)));

        CoverageCaptureStatus status = StatusCalculator.compute(capture, pods, UploadListing.of(List.of()), NOW);

        assertEquals(List.of(
                new InjectedPod("api-0", List.of("api"), List.of()),
                new InjectedPod("api-1", List.of(), List.of("api")),
                new InjectedPod("api-2", List.of("worker"), List.of("api"))), status.getInjected());
        assertEquals(List.of(InjectedPod.WRAP, InjectedPod.SIDECAR, InjectedPod.WRAP_AND_SIDECAR),
                status.getInjected().stream().map(InjectedPod::getMode).toList());
    }

    private static Pod withSpec(Pod pod, List<Container> containers) {
        return new PodBuilder(pod).withNewSpec().withContainers(containers).endSpec().build();
    }

    @Test
    void aNullSelectorMatchesEveryPodInTheNamespace() {
        CoverageCapture capture = capture("all", 1);
        capture.getSpec().setSelector(null);
        List<Pod> pods = List.of(pod("a", null, null), pod("b", Map.of("x", "y"), null));
        CoverageCaptureStatus status = StatusCalculator.compute(capture, pods, UploadListing.of(List.of()), NOW);
        assertEquals(2, status.getMatchedPods());
        assertEquals(0, status.getInjectedPods());
    }

    @Test
    void listsUploadsNewestLastAndKeepsOnlyTheNewest() {
        CoverageCapture capture = capture("api-cov", 1);
        List<UploadRecord> uploads = new ArrayList<>();
        IntStream.range(0, StatusCalculator.MAX_UPLOADS + 5)
                .forEach(i -> uploads.add(upload("pod-" + i, String.format("2026-03-01T11:%02d:%02dZ", i / 60, i % 60))));
        java.util.Collections.reverse(uploads);

        CoverageCaptureStatus status = StatusCalculator.compute(capture, List.of(), UploadListing.of(uploads), NOW);

        assertEquals(StatusCalculator.MAX_UPLOADS, status.getUploads().size());
        assertEquals(StatusCalculator.MAX_UPLOADS + 5, status.getUploadCount());
        assertEquals("pod-5", status.getUploads().get(0).getPod());
        assertEquals("pod-" + (StatusCalculator.MAX_UPLOADS + 4), status.getUploads().get(StatusCalculator.MAX_UPLOADS - 1)
                .getPod());
        assertEquals("0 of 0 matching pods injected; 205 uploads (the newest 200 are listed)",
                assertCondition(status, Conditions.READY, "True", "Capturing").getMessage());
    }

    @Test
    void storageErrorsKeepThePreviousUploadsAndMakeReadyFalse() {
        CoverageCapture capture = capture("api-cov", 2);
        CoverageCaptureStatus previous = StatusCalculator.compute(capture, List.of(),
                UploadListing.of(List.of(upload("p", "2026-03-01T11:00:00Z"))), NOW.minusSeconds(60));
        capture.setStatus(previous);

        CoverageCaptureStatus status = StatusCalculator.compute(capture, List.of(),
                UploadListing.failed("StorageException: 403 Forbidden"), NOW);

        assertEquals(1, status.getUploads().size());
        assertEquals(1, status.getUploadCount());
        Condition ready = assertCondition(status, Conditions.READY, "False", "StorageUnavailable");
        assertEquals("cannot read upload manifests: StorageException: 403 Forbidden", ready.getMessage());
        assertEquals("2026-03-01T12:00:00Z", ready.getLastTransitionTime());
        assertEquals("2026-03-01T11:59:00Z",
                assertCondition(status, Conditions.INVALID_SPEC, "False", "SpecValid").getLastTransitionTime());
    }

    @Test
    void storageNotReadYetKeepsThePreviousUploadsAndSaysSo() {
        CoverageCapture capture = capture("api-cov", 2);
        capture.setStatus(StatusCalculator.compute(capture, List.of(),
                UploadListing.of(List.of(upload("p", "2026-03-01T11:00:00Z"), upload("q", "2026-03-01T11:00:01Z"))),
                NOW.minusSeconds(60)));

        CoverageCaptureStatus status = StatusCalculator.compute(capture, List.of(), null, NOW);

        assertEquals(List.of("p", "q"), status.getUploads().stream().map(UploadRecord::getPod).toList());
        assertEquals(2, status.getUploadCount());
        assertCondition(status, Conditions.READY, "False", "ReadingStorage");
    }

    @Test
    void anInvalidSpecIsReportedAndPodsAreNotCounted() {
        CoverageCapture capture = capture("api-cov", 7);
        capture.getSpec().setStorage(new StorageSpec("ftp://nope"));
        CoverageCaptureStatus status = StatusCalculator.compute(capture,
                List.of(pod("api-0", Map.of("app", "api"), null)), UploadListing.of(List.of()), NOW);

        assertEquals(7L, status.getObservedGeneration());
        assertEquals(0, status.getMatchedPods());
        assertEquals(0, status.getNotInjectedPods());
        assertEquals(List.of(), status.getNotInjected());
        Condition invalid = assertCondition(status, Conditions.INVALID_SPEC, "True", "InvalidSpec");
        assertTrue(invalid.getMessage().startsWith("spec.storage.url: "), invalid.getMessage());
        Condition ready = assertCondition(status, Conditions.READY, "False", "InvalidSpec");
        assertEquals("the spec is invalid: " + invalid.getMessage(), ready.getMessage());
    }

    static Condition assertCondition(CoverageCaptureStatus status, String type, String expectedStatus,
            String expectedReason) {
        Condition condition = Conditions.find(status.getConditions(), type).orElseThrow(() -> new AssertionError(
                "no condition " + type + " in " + status.getConditions()));
        assertEquals(expectedStatus, condition.getStatus(), type + ": " + condition.getMessage());
        assertEquals(expectedReason, condition.getReason(), type + ": " + condition.getMessage());
        return condition;
    }

    private static CoverageCapture capture(String name, long generation) {
        CoverageCaptureSpec spec = new CoverageCaptureSpec();
        spec.setStorage(new StorageSpec("gs://bucket/cov"));
        spec.setSelector(new LabelSelectorBuilder().addToMatchLabels("app", "api").build());
        CoverageCapture capture = new CoverageCapture("team", name, spec);
        capture.getMetadata().setGeneration(generation);
        return capture;
    }

    private static Pod pod(String name, Map<String, String> labels, Map<String, String> annotations) {
        return new PodBuilder().withNewMetadata().withNamespace("team").withName(name).withLabels(labels)
                .withAnnotations(annotations).endMetadata().build();
    }

    private static UploadRecord upload(String pod, String finishedAt) {
        UploadRecord record = new UploadRecord();
        record.setPod(pod);
        record.setContainer("app");
        record.setRunId("run");
        record.setExitCode(0);
        record.setFinishedAt(finishedAt);
        return record;
    }
}
