package io.integcov.cli.collect;

import io.integcov.model.CoverageCaptureStatus;
import io.integcov.model.InjectedPod;
import io.integcov.model.PodNote;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Coverage a capture should have and does not, from its status (written by the operator from the pods that exist) and
 * the runs committed in its prefix: pods it matched that the webhook never injected (their coverage was never taken),
 * containers of injected pods with no committed upload (still running, or their upload failed), and injected pods the
 * operator saw end without any committed upload ({@code status.noUpload}: such a pod may be gone, so it is no longer in
 * {@code status.injected}). {@code collect} warns about each, and fails with {@code --strict}.
 */
final class CaptureGaps {
    private CaptureGaps() {
    }

    /** One line per gap, pods in name order; none for a capture without status yet. */
    static List<String> of(CoverageCaptureStatus status, Set<String> committedPodContainers) {
        List<String> gaps = new ArrayList<>();
        if (status == null) {
            return gaps;
        }
        for (PodNote note : status.getNotInjected() == null ? List.<PodNote>of() : status.getNotInjected()) {
            gaps.add("pod " + note.getPod() + " matched but was never injected: " + note.getReason());
        }
        Set<String> reported = new TreeSet<>();
        for (InjectedPod pod : status.getInjected() == null ? List.<InjectedPod>of() : status.getInjected()) {
            Set<String> containers = new TreeSet<>(pod.getWrapped() == null ? List.of() : pod.getWrapped());
            containers.addAll(pod.getSidecar() == null ? List.of() : pod.getSidecar());
            for (String container : containers) {
                if (!committedPodContainers.contains(pod.getPod() + "/" + container)) {
                    reported.add(pod.getPod());
                    gaps.add("pod " + pod.getPod() + " container " + container + " was injected but committed no"
                            + " upload (still running? collect after it ends, with --wait, or use --flush)");
                }
            }
        }
        for (PodNote note : status.getNoUpload() == null ? List.<PodNote>of() : status.getNoUpload()) {
            boolean committedAny = committedPodContainers.stream().anyMatch(pc -> pc.startsWith(note.getPod() + "/"));
            if (!committedAny && !reported.contains(note.getPod())) {
                gaps.add("pod " + note.getPod() + " was injected and ended with no committed upload: "
                        + note.getReason());
            }
        }
        return gaps;
    }
}
