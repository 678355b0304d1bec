package io.integcov.model;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Validates and evaluates Kubernetes label selectors (matchLabels + matchExpressions) as the API server does; shared by
 * the webhook (which CoverageCapture selects a pod) and the operator (which pods a CoverageCapture matched).
 */
public final class LabelSelectors {
    private static final Pattern NAME = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    private LabelSelectors() {
    }

    /** A null selector, like an empty one, matches every pod. */
    public static boolean matches(LabelSelector selector, Map<String, String> labels) {
        if (selector == null) {
            return true;
        }
        Map<String, String> podLabels = labels == null ? Map.of() : labels;
        if (selector.getMatchLabels() != null) {
            for (Map.Entry<String, String> wanted : selector.getMatchLabels().entrySet()) {
                if (!wanted.getValue().equals(podLabels.get(wanted.getKey()))) {
                    return false;
                }
            }
        }
        if (selector.getMatchExpressions() != null) {
            for (LabelSelectorRequirement requirement : selector.getMatchExpressions()) {
                if (!matches(requirement, podLabels)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean matches(LabelSelectorRequirement requirement, Map<String, String> labels) {
        String value = labels.get(requirement.getKey());
        List<String> values = requirement.getValues() == null ? List.of() : requirement.getValues();
        return switch (requirement.getOperator()) {
            case "In" -> value != null && values.contains(value);
            case "NotIn" -> value == null || !values.contains(value);
            case "Exists" -> labels.containsKey(requirement.getKey());
            case "DoesNotExist" -> !labels.containsKey(requirement.getKey());
            default -> false; // unknown operator (the CRD schema cannot restrict it; validate() reports it): select nothing
        };
    }

    /** Every problem that makes {@code selector} invalid, each prefixed with {@code field}; empty when valid. */
    public static List<String> validate(String field, LabelSelector selector) {
        List<String> errors = new ArrayList<>();
        if (selector == null) {
            return errors;
        }
        if (selector.getMatchLabels() != null) {
            selector.getMatchLabels().forEach((key, value) -> {
                checkKey(field + ".matchLabels", key, errors);
                checkValue(field + ".matchLabels[" + key + "]", value, errors);
            });
        }
        List<LabelSelectorRequirement> expressions = selector.getMatchExpressions() == null ? List.of()
                : selector.getMatchExpressions();
        for (int i = 0; i < expressions.size(); i++) {
            String at = field + ".matchExpressions[" + i + "]";
            LabelSelectorRequirement requirement = expressions.get(i);
            checkKey(at + ".key", requirement.getKey(), errors);
            List<String> values = requirement.getValues() == null ? List.of() : requirement.getValues();
            String operator = requirement.getOperator();
            if ("In".equals(operator) || "NotIn".equals(operator)) {
                if (values.isEmpty()) {
                    errors.add(at + ".values must not be empty for operator " + operator);
                }
                values.forEach(value -> checkValue(at + ".values", value, errors));
            } else if ("Exists".equals(operator) || "DoesNotExist".equals(operator)) {
                if (!values.isEmpty()) {
                    errors.add(at + ".values must be empty for operator " + operator);
                }
            } else {
                errors.add(at + ".operator '" + operator + "' is not one of In, NotIn, Exists, DoesNotExist");
            }
        }
        return errors;
    }

    private static void checkKey(String field, String key, List<String> errors) {
        if (key == null || key.isEmpty()) {
            errors.add(field + ": label key must not be empty");
            return;
        }
        int slash = key.indexOf('/');
        String name = slash < 0 ? key : key.substring(slash + 1);
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            if (prefix.isEmpty() || prefix.length() > 253 || !DNS_SUBDOMAIN.matcher(prefix).matches()) {
                errors.add(field + ": label key '" + key + "' has an invalid prefix (must be a DNS subdomain)");
            }
        }
        if (name.isEmpty() || name.length() > 63 || !NAME.matcher(name).matches()) {
            errors.add(field + ": label key '" + key + "' has an invalid name (at most 63 characters: alphanumerics,"
                    + " '-', '_', '.', starting and ending with an alphanumeric)");
        }
    }

    private static void checkValue(String field, String value, List<String> errors) {
        if (value == null || value.length() > 63 || !NAME.matcher(value).matches()) {
            errors.add(field + ": label value '" + value + "' is invalid (at most 63 characters: alphanumerics, '-',"
                    + " '_', '.', starting and ending with an alphanumeric)");
        }
    }
}
