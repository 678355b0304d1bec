package io.integcov.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * One line per failure, with its causes: libraries wrap the useful part (fabric8 reports a kubeconfig whose key it
 * cannot read as "An error has occurred." with the reason in the cause), so the whole chain is shown.
 */
public final class Errors {
    private Errors() {
    }

    /** {@code message: cause message: ...}, skipping repeats and naming the exception class where there is no message. */
    public static String describe(Throwable error) {
        List<String> parts = new ArrayList<>();
        for (Throwable t = error; t != null && parts.size() < 8; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage();
            String part = message == null || message.isBlank() ? t.getClass().getName()
                    : (t == error ? "" : t.getClass().getSimpleName() + ": ") + message.strip();
            if (parts.stream().noneMatch(previous -> previous.contains(message == null ? part : message.strip()))) {
                parts.add(part);
            }
        }
        return String.join(": caused by ", parts);
    }
}
