package io.integcov.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A JSONPatch (RFC 6902) made only of {@code add} operations, written down as the mutator decides each addition, so
 * its size and cost follow what is added, not the size of the pod (no diff of whole pods). An {@code add} on an
 * existing object member replaces it, which is how a container's command is swapped.
 */
final class AddPatch {
    private final ArrayNode ops = JsonNodeFactory.instance.arrayNode();

    /** Adds {@code value} at the JSON pointer made of {@code segments} (each escaped here). */
    void add(JsonNode value, Object... segments) {
        StringBuilder path = new StringBuilder();
        for (Object segment : segments) {
            path.append('/').append(escape(String.valueOf(segment)));
        }
        ObjectNode op = ops.addObject();
        op.put("op", "add");
        op.put("path", path.toString());
        op.set("value", value);
    }

    /** Appends {@code values} to the array at {@code segments}, or creates it with them when {@code exists} is false. */
    void append(boolean exists, ArrayNode values, Object... segments) {
        if (values.isEmpty()) {
            return;
        }
        if (!exists) {
            add(values, segments);
            return;
        }
        Object[] end = java.util.Arrays.copyOf(segments, segments.length + 1);
        end[segments.length] = "-";
        for (JsonNode value : values) {
            add(value, end);
        }
    }

    boolean isEmpty() {
        return ops.isEmpty();
    }

    ArrayNode operations() {
        return ops;
    }

    /** RFC 6901: {@code ~} becomes {@code ~0} and {@code /} becomes {@code ~1} (annotation keys contain a slash). */
    static String escape(String segment) {
        if (segment.indexOf('~') < 0 && segment.indexOf('/') < 0) {
            return segment;
        }
        return segment.replace("~", "~0").replace("/", "~1");
    }
}
