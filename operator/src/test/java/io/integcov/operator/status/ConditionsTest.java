package io.integcov.operator.status;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionsTest {
    private static final Instant T1 = Instant.parse("2026-01-01T10:00:00.123Z");
    private static final Instant T2 = Instant.parse("2026-01-01T11:00:00Z");

    @Test
    void addsANewConditionWithTheTransitionTimeNow() {
        List<Condition> conditions = Conditions.put(null, "Ready", true, "Capturing", "ok", 3, T1);
        assertEquals(1, conditions.size());
        Condition ready = conditions.get(0);
        assertEquals("Ready", ready.getType());
        assertEquals("True", ready.getStatus());
        assertEquals("Capturing", ready.getReason());
        assertEquals("ok", ready.getMessage());
        assertEquals(3L, ready.getObservedGeneration());
        assertEquals("2026-01-01T10:00:00Z", ready.getLastTransitionTime());
    }

    @Test
    void keepsTheTransitionTimeWhileTheStatusStaysTheSame() {
        List<Condition> first = Conditions.put(null, "Ready", true, "Capturing", "1 upload", 1, T1);
        List<Condition> second = Conditions.put(first, "Ready", true, "Capturing", "2 uploads", 2, T2);
        assertEquals("2026-01-01T10:00:00Z", second.get(0).getLastTransitionTime());
        assertEquals("2 uploads", second.get(0).getMessage());
        assertEquals(2L, second.get(0).getObservedGeneration());
    }

    @Test
    void movesTheTransitionTimeWhenTheStatusFlips() {
        List<Condition> first = Conditions.put(null, "Ready", true, "Capturing", "ok", 1, T1);
        List<Condition> second = Conditions.put(first, "Ready", false, "StorageUnavailable", "down", 1, T2);
        assertEquals("2026-01-01T11:00:00Z", second.get(0).getLastTransitionTime());
        assertEquals("False", second.get(0).getStatus());
    }

    @Test
    void replacesOnlyTheNamedCondition() {
        List<Condition> conditions = Conditions.put(null, "InvalidSpec", false, "SpecValid", "ok", 1, T1);
        conditions = Conditions.put(conditions, "Ready", true, "Capturing", "ok", 1, T1);
        conditions = Conditions.put(conditions, "InvalidSpec", true, "InvalidSpec", "bad", 2, T2);
        assertEquals(List.of("InvalidSpec", "Ready"), conditions.stream().map(Condition::getType).toList());
        assertEquals("True", Conditions.find(conditions, "InvalidSpec").orElseThrow().getStatus());
        assertEquals("True", Conditions.find(conditions, "Ready").orElseThrow().getStatus());
    }
}
