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
 * and containers of injected pods with no committed upload (still running, or their upload failed). {@code collect}
 * warns about each, and fails with {@code --strict}.
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
        for (InjectedPod pod : status.getInjected() == null ? List.<InjectedPod>of() : status.getInjected()) {
            Set<String> containers = new TreeSet<>(pod.getWrapped() == null ? List.of() : pod.getWrapped());
            containers.addAll(pod.getSidecar() == null ? List.of() : pod.getSidecar());
            for (String container : containers) {
                if (!committedPodContainers.contains(pod.getPod() + "/" + container)) {
                    gaps.add("pod " + pod.getPod() + " container " + container + " was injected but committed no"
                            + " upload (still running? collect after it ends, with --wait, or use --flush)");
                }
            }
        }
        return gaps;
    }
}
