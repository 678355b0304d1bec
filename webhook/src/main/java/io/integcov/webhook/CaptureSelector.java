package io.integcov.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import io.integcov.model.CoverageCapture;
import io.integcov.model.LabelSelectors;
import io.integcov.model.Labels;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Picks the CoverageCapture that applies to a pod, among the CoverageCaptures of the pod's namespace. Pure. */
public final class CaptureSelector {
    /** The chosen capture (null when none applies) and admission warnings. */
    public record Choice(CoverageCapture capture, List<String> warnings) {
    }

    private CaptureSelector() {
    }

    /**
     * Among {@code candidates} (the CoverageCaptures of the pod's namespace), those whose selector matches the pod. With
     * the pod annotation {@code integcov.io/capture} only the named one is used (none if it does not select the pod);
     * otherwise the first by name, with a warning when several match.
     */
    public static Choice choose(JsonNode podMetadata, Collection<CoverageCapture> candidates) {
        if (candidates.isEmpty()) {
            return new Choice(null, List.of());
        }
        Map<String, String> labels = strings(podMetadata.path("labels"));
        List<CoverageCapture> matching = new ArrayList<>();
        for (CoverageCapture c : candidates) {
            if (c.getSpec() != null && c.getMetadata().getDeletionTimestamp() == null
                    && LabelSelectors.matches(c.getSpec().getSelector(), labels)) {
                matching.add(c);
            }
        }
        matching.sort(Comparator.comparing(c -> c.getMetadata().getName()));
        JsonNode annotation = podMetadata.path("annotations").path(Labels.CAPTURE_ANNOTATION);
        String wanted = annotation.isTextual() ? annotation.asText() : null;
        if (wanted != null && !wanted.isBlank()) {
            for (CoverageCapture c : matching) {
                if (c.getMetadata().getName().equals(wanted)) {
                    return new Choice(c, List.of());
                }
            }
            return new Choice(null, List.of("integcov: annotation " + Labels.CAPTURE_ANNOTATION + "=" + wanted
                    + " names no CoverageCapture of this namespace whose selector matches the pod; not injected"));
        }
        if (matching.isEmpty()) {
            return new Choice(null, List.of());
        }
        List<String> warnings = new ArrayList<>();
        if (matching.size() > 1) {
            warnings.add("integcov: " + matching.size() + " CoverageCaptures select this pod "
                    + matching.stream().map(c -> c.getMetadata().getName()).toList() + "; using "
                    + matching.get(0).getMetadata().getName() + " (set the pod annotation " + Labels.CAPTURE_ANNOTATION
                    + " to choose)");
        }
        return new Choice(matching.get(0), warnings);
    }

    /** The string members of a JSON object (labels); other members are ignored. */
    static Map<String, String> strings(JsonNode object) {
        Map<String, String> out = new HashMap<>();
        object.fields().forEachRemaining(e -> {
            if (e.getValue().isTextual()) {
                out.put(e.getKey(), e.getValue().asText());
            }
        });
        return out;
    }
}
