package io.integcov.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.integcov.model.CoverageCapture;
import io.integcov.model.CoverageCaptureSpec;
import io.integcov.model.Labels;
import io.integcov.model.StorageSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CaptureSelectorTest {
    static CoverageCapture cc(String name, LabelSelector selector) {
        CoverageCaptureSpec spec = new CoverageCaptureSpec();
        spec.setSelector(selector);
        spec.setStorage(new StorageSpec("gs://b"));
        return new CoverageCapture("team", name, spec);
    }

    static LabelSelector labels(String... kv) {
        LabelSelectorBuilder b = new LabelSelectorBuilder();
        for (int i = 0; i < kv.length; i += 2) {
            b.addToMatchLabels(kv[i], kv[i + 1]);
        }
        return b.build();
    }

    /** The pod's metadata as the webhook sees it: a JSON tree. */
    static JsonNode pod(Map<String, String> labels, Map<String, String> annotations) {
        return Fixtures.JSON.valueToTree(new PodBuilder().withNewMetadata().withName("p").withLabels(labels)
                .withAnnotations(annotations).endMetadata().withNewSpec().endSpec().build().getMetadata());
    }

    @Test
    void noMatchGivesNothing() {
        var choice = CaptureSelector.choose(pod(Map.of("app", "web"), Map.of()), List.of(cc("a", labels("app", "api"))));
        assertNull(choice.capture());
        assertEquals(List.of(), choice.warnings());
    }

    @Test
    void severalMatchingPicksFirstByNameAndWarns() {
        var choice = CaptureSelector.choose(pod(Map.of("app", "api"), Map.of()),
                List.of(cc("zeta", null), cc("alpha", labels("app", "api")), cc("other", labels("app", "web"))));
        assertEquals("alpha", choice.capture().getMetadata().getName());
        assertEquals(1, choice.warnings().size());
        assertTrue(choice.warnings().get(0).contains("2 CoverageCaptures select this pod [alpha, zeta]; using alpha"),
                choice.warnings().get(0));
    }

    @Test
    void annotationPicksAmongMatching() {
        var choice = CaptureSelector.choose(pod(Map.of("app", "api"), Map.of(Labels.CAPTURE_ANNOTATION, "zeta")),
                List.of(cc("zeta", null), cc("alpha", labels("app", "api"))));
        assertEquals("zeta", choice.capture().getMetadata().getName());
        assertEquals(List.of(), choice.warnings());
    }

    @Test
    void annotationNamingANonMatchingCaptureInjectsNothing() {
        var choice = CaptureSelector.choose(pod(Map.of("app", "api"), Map.of(Labels.CAPTURE_ANNOTATION, "web-only")),
                List.of(cc("web-only", labels("app", "web")), cc("alpha", null)));
        assertNull(choice.capture());
        assertTrue(choice.warnings().get(0).contains("integcov.io/capture=web-only names no CoverageCapture"));
    }

    @Test
    void deletedCapturesAreIgnored() {
        CoverageCapture deleting = cc("a", null);
        deleting.getMetadata().setDeletionTimestamp("2026-01-01T00:00:00Z");
        assertNull(CaptureSelector.choose(pod(Map.of(), Map.of()), List.of(deleting)).capture());
    }
}
