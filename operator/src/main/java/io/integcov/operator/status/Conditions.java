package io.integcov.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Condition list helpers following the Kubernetes API conventions. */
public final class Conditions {
    public static final String READY = "Ready";
    public static final String INVALID_SPEC = "InvalidSpec";

    private Conditions() {
    }

    /**
     * Returns {@code previous} with the condition {@code type} replaced; its lastTransitionTime is kept when the status
     * did not change, else set to {@code now}.
     */
    public static List<Condition> put(List<Condition> previous, String type, boolean status, String reason,
            String message, long observedGeneration, Instant now) {
        String statusText = status ? "True" : "False";
        String transitionTime = find(previous, type)
                .filter(old -> statusText.equals(old.getStatus()) && old.getLastTransitionTime() != null)
                .map(Condition::getLastTransitionTime)
                .orElse(now.truncatedTo(ChronoUnit.SECONDS).toString());
        Condition condition = new ConditionBuilder()
                .withType(type)
                .withStatus(statusText)
                .withReason(reason)
                .withMessage(message)
                .withObservedGeneration(observedGeneration)
                .withLastTransitionTime(transitionTime)
                .build();
        List<Condition> result = new ArrayList<>();
        boolean replaced = false;
        for (Condition old : previous == null ? List.<Condition>of() : previous) {
            if (type.equals(old.getType())) {
                result.add(condition);
                replaced = true;
            } else {
                result.add(old);
            }
        }
        if (!replaced) {
            result.add(condition);
        }
        return result;
    }

    public static Optional<Condition> find(List<Condition> conditions, String type) {
        return conditions == null ? Optional.empty()
                : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
    }
}
