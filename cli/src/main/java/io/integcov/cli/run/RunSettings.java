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
 * @param warnings problems found, to log
 */
public record RunSettings(String storageUrl, String coverDir, String namespace, String pod, String container,
                          Duration uploadTimeout, List<String> warnings) {

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
        Duration timeout = null;
        String rawTimeout = blankToNull(env.get(Labels.ENV_UPLOAD_TIMEOUT));
        if (rawTimeout != null) {
            try {
                double seconds = Double.parseDouble(rawTimeout);
                if (!(seconds > 0) || seconds > 86_400) {
                    throw new NumberFormatException();
                }
                timeout = Duration.ofMillis(Math.round(seconds * 1000));
            } catch (NumberFormatException e) {
                warnings.add(Labels.ENV_UPLOAD_TIMEOUT + "='" + rawTimeout
                        + "' is not a number of seconds in (0, 86400]; using the default");
            }
        }
        return new RunSettings(blankToNull(env.get(Labels.ENV_STORAGE)), blankToNull(env.get(Labels.ENV_GOCOVERDIR)),
                segment(namespace), segment(pod), segment(container), timeout, List.copyOf(warnings));
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
