package io.integcov.model;

import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;
import java.util.Map;

/**
 * The CRD schema of {@code spec.selector}: a Kubernetes LabelSelector with sizes bounded so that the API server can
 * afford the CEL rules on it (it refuses rules whose worst-case cost it cannot bound). Only the generator reads this
 * class; the spec holds a fabric8 {@link io.fabric8.kubernetes.api.model.LabelSelector}.
 */
final class SelectorSchema {
    /** A label key: a prefix of at most 253 characters, '/', and a name of at most 63. */
    static final int KEY_LENGTH = 253 + 1 + 63;
    static final int VALUE_LENGTH = 63;
    static final int MAX_LABELS = 64;
    static final int MAX_VALUES = 256;

    @Size(max = MAX_LABELS)
    public Map<String, @Size(max = VALUE_LENGTH) String> matchLabels;

    @Size(max = MAX_LABELS)
    public List<Requirement> matchExpressions;

    private SelectorSchema() {
    }

    static final class Requirement {
        @Required
        @Size(max = KEY_LENGTH)
        public String key;

        @Required
        @Size(max = 12)
        public String operator;

        @Size(max = MAX_VALUES)
        public List<@Size(max = VALUE_LENGTH) String> values;

        private Requirement() {
        }
    }
}
