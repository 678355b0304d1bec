package io.integcov.webhook;

import static io.integcov.webhook.Fixtures.JSON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.integcov.model.CoverageCapture;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Admission without HTTP, with a hand-made cache. */
class AdmissionTest {
    final Fixtures.Case single = Fixtures.load(Fixtures.PODS.resolve("01-single-container.yaml"));

    static CaptureLookup lookup(boolean synced, CoverageCapture... captures) {
        return new CaptureLookup() {
            @Override
            public List<CoverageCapture> inNamespace(String namespace) {
                return List.of(captures).stream().filter(c -> c.getMetadata().getNamespace().equals(namespace)).toList();
            }

            @Override
            public boolean synced() {
                return synced;
            }
        };
    }

    @Test
    void unsyncedCacheIsReported() throws Exception {
        Admission admission = new Admission(new PodMutator(Fixtures.SETTINGS), lookup(false));
        JsonNode r = admission.review(MutateEndpointTest.review("u", "team", "CREATE", single.podJson())).response();
        assertTrue(r.at("/response/allowed").asBoolean());
        assertEquals("integcov: CoverageCapture cache not synced yet; pod not injected", r.at("/response/warnings/0").asText());
        JsonNode synced = new Admission(new PodMutator(Fixtures.SETTINGS), lookup(true))
                .review(MutateEndpointTest.review("u", "team", "CREATE", single.podJson())).response();
        assertTrue(synced.at("/response/warnings").isMissingNode());
    }

    @Test
    void namespaceFallsBackToThePodsMetadata() throws Exception {
        Admission admission = new Admission(new PodMutator(Fixtures.SETTINGS), lookup(true, single.capture()));
        ObjectNode review = MutateEndpointTest.review("u", "team", "CREATE", single.podJson());
        review.with("request").remove("namespace");
        assertTrue(admission.review(review).response().at("/response/patch").isTextual(), "pod metadata.namespace is team");
        review.with("request").put("namespace", "elsewhere");
        assertTrue(admission.review(review).response().at("/response/patch").isMissingNode(), "request.namespace wins");
    }

    @Test
    void patchHasOnlyAddOperations() throws Exception {
        Admission admission = new Admission(new PodMutator(Fixtures.SETTINGS), lookup(true, single.capture()));
        JsonNode r = admission.review(MutateEndpointTest.review("u", "team", "CREATE", single.podJson())).response();
        JsonNode patch = JSON.readTree(java.util.Base64.getDecoder().decode(r.at("/response/patch").asText()));
        assertTrue(patch.size() > 0);
        for (JsonNode op : patch) {
            assertEquals("add", op.get("op").asText(), op.toString());
        }
    }
}
