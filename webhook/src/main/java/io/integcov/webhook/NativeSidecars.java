package io.integcov.webhook;

import io.fabric8.kubernetes.client.VersionInfo;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Whether the cluster runs native sidecars (init containers with {@code restartPolicy: Always}, on by default from
 * Kubernetes 1.29). Decided once at start-up from {@code integcov.native-sidecars}: {@code true}, {@code false}, or
 * {@code auto} (read the API server version). Without them the sidecar would be an init container that never ends and
 * the pod would never start, so {@link PodMutator} must not add it. When the version cannot be read, native sidecars
 * are assumed: every supported Kubernetes release has them, and a start-up blocked on the API server would be worse.
 */
final class NativeSidecars {
    private static final Logger LOG = Logger.getLogger(NativeSidecars.class);
    private static final Pattern NUMBER = Pattern.compile("^\\s*v?(\\d+)");

    private NativeSidecars() {
    }

    /** Throws IllegalArgumentException for a setting other than auto, true or false. */
    static boolean available(String setting, Supplier<VersionInfo> apiServerVersion) {
        switch (setting == null ? "" : setting.trim().toLowerCase(Locale.ROOT)) {
            case "true":
                return true;
            case "false":
                return false;
            case "auto":
                break;
            default:
                throw new IllegalArgumentException("integcov.native-sidecars must be auto, true or false, not '"
                        + setting + "'");
        }
        try {
            VersionInfo v = apiServerVersion.get();
            boolean available = atLeast129(v.getMajor(), v.getMinor());
            LOG.infof("integcov: API server %s.%s: native sidecars %s", v.getMajor(), v.getMinor(),
                    available ? "available" : "unavailable (Kubernetes < 1.29): Auto wraps or skips, never adds the sidecar");
            return available;
        } catch (RuntimeException e) {
            LOG.warnf("integcov: could not read the API server version (%s); assuming native sidecars (Kubernetes 1.29+),"
                    + " set integcov.native-sidecars=false if the cluster is older", e.toString());
            return true;
        }
    }

    /** Major and minor as the API server reports them ({@code 1}, {@code 29+} on some providers). */
    static boolean atLeast129(String major, String minor) {
        int ma = number(major, "major");
        return ma > 1 || ma == 1 && number(minor, "minor") >= 29;
    }

    private static int number(String s, String what) {
        Matcher m = NUMBER.matcher(s == null ? "" : s);
        if (!m.find()) {
            throw new IllegalArgumentException("the API server reports no " + what + " version number: '" + s + "'");
        }
        return Integer.parseInt(m.group(1));
    }
}
