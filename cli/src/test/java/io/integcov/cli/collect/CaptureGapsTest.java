package io.integcov.cli.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.integcov.model.CoverageCaptureStatus;
import io.integcov.model.InjectedPod;
import io.integcov.model.PodNote;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CaptureGapsTest {

    private static InjectedPod wrapped(String pod, String container) {
        InjectedPod p = new InjectedPod();
        p.setPod(pod);
        p.setWrapped(List.of(container));
        return p;
    }

    @Test
    void aCaptureWithoutStatusHasNoGaps() {
        assertEquals(List.of(), CaptureGaps.of(null, Set.of()));
    }

    @Test
    void everyKindOfGapIsReportedOnceAndCommittedPodsAreNot() {
        CoverageCaptureStatus status = new CoverageCaptureStatus();
        status.setNotInjected(List.of(new PodNote("early", "created before the capture")));
        status.setInjected(List.of(wrapped("running", "app"), wrapped("done", "app")));
        status.setNoUpload(List.of(new PodNote("gone", "deleted; no manifest"),
                new PodNote("running", "ended; no manifest"), new PodNote("late", "ended; no manifest")));

        List<String> gaps = CaptureGaps.of(status, Set.of("done/app", "late/app"));

        assertEquals(List.of(
                "pod early matched but was never injected: created before the capture",
                "pod running container app was injected but committed no upload (still running? collect after it"
                        + " ends, with --wait, or use --flush)",
                "pod gone was injected and ended with no committed upload: deleted; no manifest"), gaps);
    }
}
