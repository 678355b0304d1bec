package io.integcov.webhook;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * Reads an AdmissionReview into a JSON tree that holds only what {@link Admission}, {@link CaptureSelector} and
 * {@link PodMutator} read; everything else (the containers' images, ports, probes, resources and security contexts,
 * the pod's status, managedFields, the request's userInfo and oldObject...) is skipped by the streaming parser without
 * becoming nodes. A tree of the whole review costs about ten times the bytes of its JSON, per admission. Lists keep
 * all their items, so the indices in the patch are those of the full pod. {@code ReviewReaderTest} checks that every
 * fixture gets the same answer from this tree as from the whole review.
 */
final class ReviewReader {
    /** How to read a value: keep only these members of an object, or read each item of a list so; neither: whole. */
    private record Shape(Map<String, Shape> members, Shape items) {
        static Shape object(Map<String, Shape> members) {
            return new Shape(members, null);
        }

        static Shape listOf(Shape item) {
            return new Shape(null, item);
        }
    }

    private static final Shape WHOLE = new Shape(null, null);
    private static final Shape NAME = Shape.object(Map.of("name", WHOLE));
    private static final Shape CONTAINER = Shape.object(Map.of("name", WHOLE, "command", WHOLE,
            "env", Shape.listOf(NAME), "volumeMounts", Shape.listOf(Shape.object(Map.of("mountPath", WHOLE)))));
    private static final Shape POD = Shape.object(Map.of(
            "metadata", Shape.object(Map.of("name", WHOLE, "generateName", WHOLE, "namespace", WHOLE,
                    "labels", WHOLE, "annotations", WHOLE)),
            "spec", Shape.object(Map.of("containers", Shape.listOf(CONTAINER), "initContainers", Shape.listOf(NAME),
                    "volumes", Shape.listOf(NAME), "os", WHOLE, "nodeSelector", WHOLE,
                    "terminationGracePeriodSeconds", WHOLE))));
    private static final Shape REVIEW = Shape.object(Map.of("apiVersion", WHOLE,
            "request", Shape.object(Map.of("uid", WHOLE, "kind", WHOLE, "namespace", WHOLE, "operation", WHOLE,
                    "subResource", WHOLE, "dryRun", WHOLE, "object", POD))));
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ReviewReader() {
    }

    /** The pruned review (a missing node for an empty body); throws on input that is not JSON. */
    static JsonNode read(InputStream body) throws IOException {
        try (JsonParser p = Admission.MAPPER.getFactory().createParser(body)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                return NODES.missingNode();
            }
            return value(p, REVIEW); // like ObjectMapper.readTree, content after the first value is ignored
        }
    }

    /** The value at the parser's current token, read as {@code shape} says. */
    private static JsonNode value(JsonParser p, Shape shape) throws IOException {
        JsonToken t = p.currentToken();
        if (!(t == JsonToken.START_OBJECT && shape.members() != null
                || t == JsonToken.START_ARRAY && shape.items() != null)) {
            return Admission.MAPPER.readTree(p);
        }
        if (t == JsonToken.START_ARRAY) {
            ArrayNode out = NODES.arrayNode();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                out.add(value(p, shape.items()));
            }
            return out;
        }
        ObjectNode out = NODES.objectNode();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            Shape member = shape.members().get(name);
            if (member != null) {
                out.set(name, value(p, member));
            } else {
                p.skipChildren();
            }
        }
        return out;
    }
}
