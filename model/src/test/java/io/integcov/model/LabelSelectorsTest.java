package io.integcov.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelSelectorsTest {

    @Test
    void nullAndEmptySelectorsMatchEverything() {
        assertTrue(LabelSelectors.matches(null, Map.of("app", "x")));
        assertTrue(LabelSelectors.matches(new LabelSelector(), null));
    }

    @Test
    void matchLabelsNeedsEveryLabel() {
        LabelSelector selector = new LabelSelectorBuilder().addToMatchLabels("app", "api").addToMatchLabels("tier", "be")
                .build();
        assertTrue(LabelSelectors.matches(selector, Map.of("app", "api", "tier", "be", "x", "y")));
        assertFalse(LabelSelectors.matches(selector, Map.of("app", "api")));
        assertFalse(LabelSelectors.matches(selector, Map.of("app", "web", "tier", "be")));
    }

    @Test
    void matchExpressionsFollowKubernetesSemantics() {
        LabelSelector in = expression("app", "In", "api", "web");
        assertTrue(LabelSelectors.matches(in, Map.of("app", "web")));
        assertFalse(LabelSelectors.matches(in, Map.of("app", "db")));
        assertFalse(LabelSelectors.matches(in, Map.of()));

        LabelSelector notIn = expression("app", "NotIn", "db");
        assertTrue(LabelSelectors.matches(notIn, Map.of("app", "api")));
        assertTrue(LabelSelectors.matches(notIn, Map.of()), "NotIn matches pods without the label");
        assertFalse(LabelSelectors.matches(notIn, Map.of("app", "db")));

        assertTrue(LabelSelectors.matches(expression("app", "Exists"), Map.of("app", "")));
        assertFalse(LabelSelectors.matches(expression("app", "Exists"), Map.of()));
        assertTrue(LabelSelectors.matches(expression("app", "DoesNotExist"), Map.of()));
        assertFalse(LabelSelectors.matches(expression("app", "DoesNotExist"), Map.of("app", "x")));
        assertFalse(LabelSelectors.matches(expression("app", "Bogus", "x"), Map.of("app", "x")),
                "an unknown operator selects nothing");
    }

    @Test
    void validSelectorsHaveNoErrors() {
        LabelSelector selector = new LabelSelectorBuilder().addToMatchLabels("example.com/app", "api-1")
                .addNewMatchExpression().withKey("tier").withOperator("In").withValues("be").endMatchExpression()
                .addNewMatchExpression().withKey("canary").withOperator("DoesNotExist").endMatchExpression()
                .build();
        assertEquals(List.of(), LabelSelectors.validate("spec.selector", selector));
    }

    @Test
    void reportsEachInvalidPart() {
        List<String> errors = LabelSelectors.validate("spec.selector", new LabelSelectorBuilder()
                .addToMatchLabels("bad key!", "ok")
                .addToMatchLabels("app", "-bad-value")
                .addNewMatchExpression().withKey("a").withOperator("In").endMatchExpression()
                .addNewMatchExpression().withKey("b").withOperator("Exists").withValues("x").endMatchExpression()
                .addNewMatchExpression().withKey("c").withOperator("Like").withValues("x").endMatchExpression()
                .build());
        assertEquals(5, errors.size(), errors.toString());
        assertTrue(errors.stream().anyMatch(e -> e.contains("'bad key!'")), errors.toString());
        assertTrue(errors.stream().anyMatch(e -> e.contains("'-bad-value'")), errors.toString());
        assertTrue(errors.contains("spec.selector.matchExpressions[0].values must not be empty for operator In"));
        assertTrue(errors.contains("spec.selector.matchExpressions[1].values must be empty for operator Exists"));
        assertTrue(errors.stream().anyMatch(e -> e.startsWith("spec.selector.matchExpressions[2].operator 'Like'")));
    }

    private static LabelSelector expression(String key, String operator, String... values) {
        return new LabelSelectorBuilder().addNewMatchExpression().withKey(key).withOperator(operator)
                .withValues(values).endMatchExpression().build();
    }
}
