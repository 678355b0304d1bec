package io.integcov.webhook;

import static io.integcov.webhook.Fixtures.JSON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The pruned tree of {@link ReviewReader} gives the same answers as the whole review, and holds less. */
class ReviewReaderTest {
    static Stream<Fixtures.Case> cases() {
        return Fixtures.cases();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyFixtureGetsTheAnswerOfTheWholeReview(Fixtures.Case c) throws Exception {
        Admission admission = new Admission(new PodMutator(Fixtures.SETTINGS.withNativeSidecars(c.nativeSidecars())),
                AdmissionTest.lookup(true, c.capture()));
        ObjectNode review = withWhatIsNeverRead(MutateEndpointTest.review("u-1", c.capture().getMetadata().getNamespace(),
                "CREATE", c.podJson().deepCopy()));
        String whole = new String(admission.review(review).bytes(), StandardCharsets.UTF_8);
        String pruned = new String(admission.review(read(review)).bytes(), StandardCharsets.UTF_8);
        assertEquals(whole, pruned);
    }

    @Test
    void skipsWhatTheMutationNeverReads() throws Exception {
        Fixtures.Case c = Fixtures.load(Fixtures.PODS.resolve("01-single-container.yaml"));
        ObjectNode review = withWhatIsNeverRead(MutateEndpointTest.review("u-1", "team", "CREATE", c.podJson().deepCopy()));
        JsonNode tree = read(review);
        for (String gone : List.of("/kind", "/request/userInfo", "/request/oldObject", "/request/resource",
                "/request/object/status", "/request/object/metadata/managedFields", "/request/object/spec/tolerations",
                "/request/object/spec/containers/0/image", "/request/object/spec/containers/0/resources",
                "/request/object/spec/containers/0/env/0/value", "/request/object/spec/volumes/0/emptyDir")) {
            assertTrue(tree.at(gone).isMissingNode(), gone + " is read: " + tree.at(gone));
        }
        for (String kept : List.of("/request/uid", "/request/kind/kind", "/request/object/metadata/name",
                "/request/object/spec/containers/0/command/0", "/request/object/spec/containers/0/env/0/name",
                "/request/object/spec/volumes/0/name")) {
            assertTrue(tree.at(kept).isValueNode(), kept + " is missing: " + tree);
        }
    }

    @Test
    void anEmptyBodyIsAMissingNodeAndNonJsonThrows() throws Exception {
        assertTrue(ReviewReader.read(new ByteArrayInputStream(new byte[0])).isMissingNode());
        try {
            ReviewReader.read(new ByteArrayInputStream("{\"request\": [".getBytes(StandardCharsets.UTF_8)));
            throw new AssertionError("no exception for truncated JSON");
        } catch (com.fasterxml.jackson.core.JsonProcessingException expected) {
            // the route answers 400 with this message
        }
    }

    private static JsonNode read(JsonNode review) throws Exception {
        return ReviewReader.read(new ByteArrayInputStream(JSON.writeValueAsBytes(review)));
    }

    /** What real reviews carry besides what the mutation reads. */
    private static ObjectNode withWhatIsNeverRead(ObjectNode review) {
        ObjectNode request = (ObjectNode) review.get("request");
        request.putObject("userInfo").put("username", "system:serviceaccount:kube-system:replicaset-controller");
        request.putNull("oldObject");
        request.putObject("options").put("kind", "CreateOptions");
        ObjectNode pod = (ObjectNode) request.get("object");
        ((ObjectNode) pod.with("metadata")).putArray("managedFields").addObject().put("manager", "kubectl");
        pod.putObject("status").put("phase", "Pending");
        ObjectNode spec = (ObjectNode) pod.get("spec");
        spec.putArray("tolerations").addObject().put("key", "node.kubernetes.io/not-ready");
        if (!spec.has("volumes")) {
            spec.putArray("volumes").addObject().put("name", "scratch").putObject("emptyDir");
        }
        for (JsonNode container : spec.path("containers")) {
            ObjectNode c = (ObjectNode) container;
            c.putObject("resources").putObject("limits").put("memory", "64Mi");
            if (!c.has("env")) {
                c.putArray("env").addObject().put("name", "LOG_LEVEL").put("value", "debug");
            }
        }
        return review;
    }
}
