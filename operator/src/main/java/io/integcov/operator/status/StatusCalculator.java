package io.integcov.operator.status;

import io.integcov.model.LabelSelectors;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.integcov.model.CoverageCapture;
import io.integcov.model.CoverageCaptureStatus;
import io.integcov.model.EndedPod;
import io.integcov.model.InjectedPod;
import io.integcov.model.Labels;
import io.integcov.model.PodNote;
import io.integcov.model.UploadRecord;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Computes a CoverageCapture's status from its spec, the pods in its namespace and the uploads found in storage (pure:
 * the reconciler does the I/O). Every field of the result is set (none null), so a JSON merge patch with it replaces
 * the whole previous status.
 */
public final class StatusCalculator {
    /** Only the newest uploads are kept in the status so that it stays far below the object size limit. */
    public static final int MAX_UPLOADS = 200;
    public static final int MAX_NOTES = 100;
    public static final String STORAGE_UNAVAILABLE = "StorageUnavailable";
    static final String DELETED = "deleted";
    private static final Set<String> TERMINAL_PHASES = Set.of("Succeeded", "Failed");

    static final String RESTART_HINT = "not mutated at admission: created before the integcov webhook was ready or before"
            + " this CoverageCapture existed, or in a namespace without label " + Labels.INJECT_LABEL + "="
            + Labels.INJECT_ENABLED + "; delete the pod so it is recreated";

    private StatusCalculator() {
    }

    /** {@code uploads} null: storage not read yet (the previous uploads are kept). */
    public static CoverageCaptureStatus compute(CoverageCapture capture, Collection<Pod> podsInNamespace,
            UploadListing uploads, Instant now) {
        CoverageCaptureStatus previous = capture.getStatus() == null ? new CoverageCaptureStatus() : capture.getStatus();
        long generation = capture.getMetadata().getGeneration() == null ? 0 : capture.getMetadata().getGeneration();
        CoverageCaptureStatus status = new CoverageCaptureStatus();
        status.setObservedGeneration(generation);

        List<String> specErrors = SpecValidator.validate(capture.getSpec());
        if (!specErrors.isEmpty()) {
            String message = String.join("; ", specErrors);
            var conditions = Conditions.put(previous.getConditions(), Conditions.INVALID_SPEC, true, "InvalidSpec",
                    message, generation, now);
            status.setConditions(Conditions.put(conditions, Conditions.READY, false, "InvalidSpec",
                    "the spec is invalid: " + message, generation, now));
            status.setMatchedPods(0);
            status.setInjectedPods(0);
            status.setNotInjectedPods(0);
            status.setNotInjected(List.of());
            status.setInjected(List.of());
            keepUploads(status, previous);
            status.setAwaitingUpload(new ArrayList<>(nonNull(previous.getAwaitingUpload())));
            status.setNoUpload(new ArrayList<>(nonNull(previous.getNoUpload())));
            return status;
        }

        String name = capture.getMetadata().getName();
        List<Pod> matched = podsInNamespace.stream()
                .filter(pod -> LabelSelectors.matches(capture.getSpec().getSelector(), pod.getMetadata().getLabels()))
                .sorted(Comparator.comparing(pod -> pod.getMetadata().getName()))
                .toList();
        int injected = 0;
        List<PodNote> notes = new ArrayList<>();
        List<InjectedPod> modes = new ArrayList<>();
        for (Pod pod : matched) {
            String problem = whyNotInjected(pod, name);
            if (problem == null) {
                injected++;
                if (modes.size() < MAX_NOTES) {
                    modes.add(InjectedPod.readFor(pod, name).orElseThrow());
                }
            } else if (notes.size() < MAX_NOTES) {
                notes.add(new PodNote(pod.getMetadata().getName(), problem));
            }
        }
        status.setMatchedPods(matched.size());
        status.setInjectedPods(injected);
        status.setNotInjectedPods(matched.size() - injected);
        status.setNotInjected(notes);
        status.setInjected(modes);

        trackEndedPods(status, previous, name, podsInNamespace, uploads, now);

        var conditions = Conditions.put(previous.getConditions(), Conditions.INVALID_SPEC, false, "SpecValid",
                "the spec is valid", generation, now);
        if (uploads == null) {
            keepUploads(status, previous);
            conditions = Conditions.put(conditions, Conditions.READY, false, "ReadingStorage",
                    "reading upload manifests from " + (capture.getSpec().getStorage() == null
                            ? "the in-cluster default store" : capture.getSpec().getStorage().getUrl()),
                    generation, now);
        } else if (uploads.failed()) {
            keepUploads(status, previous);
            conditions = Conditions.put(conditions, Conditions.READY, false, STORAGE_UNAVAILABLE,
                    "cannot read upload manifests: " + uploads.error(), generation, now);
        } else {
            List<UploadRecord> sorted = uploads.uploads().stream().sorted(NEWEST_LAST).toList();
            status.setUploadCount(sorted.size());
            status.setUploads(new ArrayList<>(sorted.subList(Math.max(0, sorted.size() - MAX_UPLOADS), sorted.size())));
            String shown = sorted.size() > MAX_UPLOADS ? " (the newest " + MAX_UPLOADS + " are listed)" : "";
            int noUpload = status.getNoUpload().size();
            String lost = noUpload == 0 ? "" : "; " + noUpload + " injected pod" + (noUpload == 1 ? "" : "s")
                    + " ended with no committed upload (status.noUpload)";
            conditions = Conditions.put(conditions, Conditions.READY, true, "Capturing",
                    injected + " of " + matched.size() + " matching pods injected; " + sorted.size() + " uploads"
                            + shown + lost,
                    generation, now);
        }
        status.setConditions(conditions);
        return status;
    }

    private static void keepUploads(CoverageCaptureStatus status, CoverageCaptureStatus previous) {
        List<UploadRecord> uploads = previous.getUploads() == null ? List.of() : previous.getUploads();
        status.setUploads(new ArrayList<>(uploads));
        status.setUploadCount(previous.getUploadCount() != null ? previous.getUploadCount() : uploads.size());
    }

    /**
     * Follows injected pods past their end: a pod injected for this capture that is gone from the namespace (it was in
     * the previous status's {@code injected}) or has a terminal phase with every container stopped goes to
     * {@code awaitingUpload}, stamped with {@code now} rounded up to the next second, unless uploads under its name are already listed. It leaves
     * that list on the first storage read that began after that stamp: with no committed upload under its name it
     * goes to {@code noUpload} (where it stays, unless an upload of it turns up later), else it is dropped. The state
     * lives in the status, so an operator restart neither repeats nor loses a verdict.
     */
    static void trackEndedPods(CoverageCaptureStatus status, CoverageCaptureStatus previous, String captureName,
            Collection<Pod> podsInNamespace, UploadListing uploads, Instant now) {
        boolean readable = uploads != null && !uploads.failed();
        Set<String> committed = new HashSet<>();
        if (readable) {
            uploads.uploads().forEach(u -> committed.add(u.getPod()));
        }
        List<PodNote> noUpload = new ArrayList<>(nonNull(previous.getNoUpload()));
        if (readable) {
            noUpload.removeIf(note -> committed.contains(note.getPod()));
        }
        Set<String> judged = new HashSet<>();
        noUpload.forEach(note -> judged.add(note.getPod()));
        Map<String, EndedPod> awaiting = new LinkedHashMap<>();
        nonNull(previous.getAwaitingUpload()).forEach(e -> awaiting.put(e.getPod(), e));

        Map<String, Pod> present = new HashMap<>();
        podsInNamespace.forEach(pod -> present.put(pod.getMetadata().getName(), pod));
        String noticed = now.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1).toString();
        List<EndedPod> ended = new ArrayList<>();
        for (InjectedPod known : nonNull(previous.getInjected())) {
            if (!present.containsKey(known.getPod())) {
                ended.add(new EndedPod(known.getPod(), noticed, DELETED));
            }
        }
        podsInNamespace.stream()
                .filter(pod -> captureName.equals(annotation(pod, Labels.INJECTED_ANNOTATION)) && hasEnded(pod))
                .sorted(Comparator.comparing(pod -> pod.getMetadata().getName()))
                .forEach(pod -> ended.add(new EndedPod(pod.getMetadata().getName(), noticed,
                        pod.getStatus().getPhase())));
        for (EndedPod e : ended) {
            if (!awaiting.containsKey(e.getPod()) && !judged.contains(e.getPod()) && !committed.contains(e.getPod())
                    && awaiting.size() < MAX_NOTES) {
                awaiting.put(e.getPod(), e);
            }
        }

        if (readable && uploads.readAt() != null) {
            for (var it = awaiting.values().iterator(); it.hasNext();) {
                EndedPod e = it.next();
                if (uploads.readAt().isAfter(Instant.parse(e.getEndedAt()))) {
                    it.remove();
                    if (!committed.contains(e.getPod())) {
                        noUpload.add(new PodNote(e.getPod(), noUploadReason(e, uploads.readAt())));
                    }
                }
            }
        }
        status.setAwaitingUpload(new ArrayList<>(awaiting.values()));
        status.setNoUpload(new ArrayList<>(noUpload.subList(Math.max(0, noUpload.size() - MAX_NOTES),
                noUpload.size())));
    }

    static String noUploadReason(EndedPod e, Instant readAt) {
        String how = DELETED.equals(e.getHow()) ? "was deleted" : "ended with phase " + e.getHow();
        return "injected, " + how + " (noticed " + e.getEndedAt() + "), and no upload manifest under its name was in"
                + " storage read at " + readAt.truncatedTo(ChronoUnit.SECONDS) + ": its coverage is lost. The agent"
                + " could not reach storage, ran out of the grace period (terminationGracePeriodSeconds), or the pod"
                + " never ran; the integcov-agent container's log (sidecar) or the wrapped container's last lines say"
                + " which";
    }

    /**
     * A pod that ran to its end: phase Succeeded or Failed, and no container (the native sidecar included, which
     * uploads when it is stopped after the others) still running or about to start.
     */
    static boolean hasEnded(Pod pod) {
        if (pod.getStatus() == null || !TERMINAL_PHASES.contains(pod.getStatus().getPhase())) {
            return false;
        }
        List<ContainerStatus> containers = new ArrayList<>(nonNull(pod.getStatus().getContainerStatuses()));
        containers.addAll(nonNull(pod.getStatus().getInitContainerStatuses()));
        return containers.stream().allMatch(c -> c.getState() == null
                || c.getState().getRunning() == null && c.getState().getWaiting() == null);
    }

    private static String annotation(Pod pod, String key) {
        return pod.getMetadata().getAnnotations() == null ? null : pod.getMetadata().getAnnotations().get(key);
    }

    private static <T> List<T> nonNull(List<T> list) {
        return list == null ? List.of() : list;
    }

    /** Null when the webhook mutated the pod for this capture, else the reason and what to do about it. */
    static String whyNotInjected(Pod pod, String captureName) {
        Map<String, String> annotations = pod.getMetadata().getAnnotations() == null ? Map.of()
                : pod.getMetadata().getAnnotations();
        Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
        String injectedFor = annotations.get(Labels.INJECTED_ANNOTATION);
        if (captureName.equals(injectedFor)) {
            return null;
        }
        if (injectedFor != null) {
            return "mutated for CoverageCapture '" + injectedFor + "' instead; several captures select this pod, annotate"
                    + " it with " + Labels.CAPTURE_ANNOTATION + "=" + captureName + " to choose this one";
        }
        if (Labels.INJECT_DISABLED.equals(labels.get(Labels.INJECT_LABEL))) {
            return "opted out with label " + Labels.INJECT_LABEL + "=" + Labels.INJECT_DISABLED;
        }
        String skipped = annotations.get(Labels.SKIPPED_ANNOTATION);
        if (skipped != null) {
            return "the webhook wrapped none of the selected containers (" + skipped + "); a container without"
                    + " 'command' needs an entry in spec.commandOverrides; then delete the pod so it is recreated";
        }
        String requested = annotations.get(Labels.CAPTURE_ANNOTATION);
        if (requested != null && !requested.equals(captureName)) {
            return "asks for CoverageCapture '" + requested + "' with annotation " + Labels.CAPTURE_ANNOTATION;
        }
        return RESTART_HINT;
    }

    private static final Comparator<UploadRecord> NEWEST_LAST = Comparator
            .comparing((UploadRecord u) -> u.getFinishedAt() == null ? "" : u.getFinishedAt())
            .thenComparing(u -> String.valueOf(u.getPod()))
            .thenComparing(u -> String.valueOf(u.getContainer()))
            .thenComparing(u -> String.valueOf(u.getRunId()));
}
