package io.integcov.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.Pod;
import io.integcov.model.CoverageCapture;
import io.integcov.model.CoverageCaptureSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The pod cases under src/test/resources/pods (one YAML file each: description, capture spec, pod, expect). */
final class Fixtures {
    static final ObjectMapper JSON = new ObjectMapper();
    static final YAMLMapper YAML = new YAMLMapper();
    static final Path PODS = Path.of("src/test/resources/pods");
    static final PodMutator.Settings SETTINGS = new PodMutator.Settings("integcov/agent:test", "/integcov-agent");

    /** nativeSidecars: the cluster's (top-level {@code nativeSidecars: false} in the file; default true). */
    record Case(String file, String description, CoverageCapture capture, Pod pod, JsonNode podJson, JsonNode expect,
            boolean nativeSidecars) {
        @Override
        public String toString() {
            return file + ": " + description;
        }
    }

    private Fixtures() {
    }

    static Stream<Case> cases() {
        try (Stream<Path> files = Files.list(PODS)) {
            return files.sorted().map(Fixtures::load).toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Case load(Path file) {
        try {
            JsonNode doc = YAML.readTree(file.toFile());
            CoverageCapture capture = capture(doc.path("pod").path("metadata").path("namespace").asText("team"),
                    doc.path("captureName").asText("cov"), JSON.treeToValue(doc.get("capture"), CoverageCaptureSpec.class));
            return new Case(file.getFileName().toString(), doc.path("description").asText(), capture,
                    JSON.treeToValue(doc.get("pod"), Pod.class), doc.get("pod"), doc.path("expect"),
                    doc.path("nativeSidecars").asBoolean(true));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static CoverageCapture capture(String namespace, String name, CoverageCaptureSpec spec) {
        CoverageCapture capture = new CoverageCapture(namespace, name, spec);
        capture.getMetadata().setUid("uid-of-" + namespace + "-" + name); // the API server sets one on every object
        return capture;
    }

    static List<String> strings(JsonNode array) {
        return array == null || array.isMissingNode() ? List.of() : JSON.convertValue(array, List.class);
    }
}
