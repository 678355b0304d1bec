package io.integcov.cli.run;

import io.integcov.model.Labels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@code integcov run} reads from its environment, with fallbacks (pure: the caller supplies env and host facts).
 *
 * @param storageUrl INTEGCOV_STORAGE, null when unset or blank (nothing is uploaded)
 * @param coverDir GOCOVERDIR, null when unset or blank
 * @param uploadTimeout INTEGCOV_UPLOAD_TIMEOUT (seconds), null when unset or invalid (see {@link UploadPlan#deadline})
 * @param gracePeriod INTEGCOV_GRACE_PERIOD (the pod's terminationGracePeriodSeconds), null when unset or invalid
 * @param warnings problems found, to log
 */
public record RunSettings(String storageUrl, String coverDir, String namespace, String pod, String container,
                          Duration uploadTimeout, Duration gracePeriod, List<String> warnings) {

    /**
     * @param hostname the kernel hostname (a pod's name unless hostname is set in its spec), or null
     * @param serviceAccountNamespace content of the mounted service-account namespace file, or null
     */
    public static RunSettings fromEnv(Map<String, String> env, List<String> command, String hostname,
                                      String serviceAccountNamespace) {
        List<String> warnings = new ArrayList<>();
        String namespace = first(env.get(Labels.ENV_POD_NAMESPACE), serviceAccountNamespace, "default");
        String pod = first(env.get(Labels.ENV_POD_NAME), env.get("HOSTNAME"), hostname, "unknown-pod");
        String program = command.isEmpty() ? null : command.get(0).substring(command.get(0).lastIndexOf('/') + 1);
        String container = first(env.get(Labels.ENV_CONTAINER), program, "main");
        Duration timeout = seconds(env, Labels.ENV_UPLOAD_TIMEOUT, false, warnings);
        Duration gracePeriod = seconds(env, Labels.ENV_GRACE_PERIOD, true, warnings);
        return new RunSettings(blankToNull(env.get(Labels.ENV_STORAGE)), blankToNull(env.get(Labels.ENV_GOCOVERDIR)),
                segment(namespace), segment(pod), segment(container), timeout, gracePeriod, List.copyOf(warnings));
    }

    /** A number of seconds in (0, 86400] ([0, 86400] when {@code zeroAllowed}), null (with a warning) when invalid. */
    private static Duration seconds(Map<String, String> env, String name, boolean zeroAllowed, List<String> warnings) {
        String raw = blankToNull(env.get(name));
        if (raw == null) {
            return null;
        }
        try {
            double seconds = Double.parseDouble(raw);
            if (!(zeroAllowed ? seconds >= 0 : seconds > 0) || seconds > 86_400) {
                throw new NumberFormatException();
            }
            return Duration.ofMillis(Math.round(seconds * 1000));
        } catch (NumberFormatException e) {
            warnings.add(name + "='" + raw + "' is not a number of seconds in " + (zeroAllowed ? "[" : "(")
                    + "0, 86400]; using the default");
            return null;
        }
    }

    /** Makes a value safe as one '/'-separated key segment. */
    static String segment(String value) {
        String cleaned = value.trim().replaceAll("[/\\\\\\p{Cntrl}]", "_");
        return cleaned.isEmpty() || cleaned.equals(".") || cleaned.equals("..") ? "_" : cleaned;
    }

    private static String first(String... values) {
        for (String value : values) {
            if (blankToNull(value) != null) {
                return value.trim();
            }
        }
        throw new IllegalArgumentException("no fallback value");
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
