package io.integcov.webhook;

import static io.integcov.webhook.PodMutator.CREDENTIALS_DIR;
import static io.integcov.webhook.PodMutator.CREDENTIALS_VOLUME;
import static io.integcov.webhook.PodMutator.OS_NODE_SELECTOR;
import static io.integcov.webhook.PodMutator.SKIP_COLLISION;
import static io.integcov.webhook.PodMutator.SKIP_OS;

import com.fasterxml.jackson.databind.JsonNode;
import io.integcov.model.Labels;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@link PodMutator}'s checks of what keeps it from injecting a whole pod or one container. */
final class PodSkips {
    private PodSkips() {
    }

    /** Why the whole pod is skipped (the reason of its skipped entries), or null; adds the warning. */
    static String podLevelSkip(JsonNode podSpec, Set<String> initNames, boolean withCredentials,
            List<String> warnings) {
        String os = podSpec.path("os").path("name").asText("");
        String nodeOs = podSpec.path("nodeSelector").path(OS_NODE_SELECTOR).asText("");
        if (!os.isEmpty() && !os.equals("linux") || !nodeOs.isEmpty() && !nodeOs.equals("linux")) {
            warnings.add("integcov: pod is for " + (os.isEmpty() ? nodeOs + " (nodeSelector " + OS_NODE_SELECTOR + ")"
                    : os + " (spec.os.name)") + "; integcov injects only into Linux pods; not injected");
            return SKIP_OS;
        }
        Set<String> volumes = PodMutator.names(podSpec.path("volumes"));
        List<String> ours = new ArrayList<>(List.of(Labels.BIN_VOLUME, Labels.COVDATA_VOLUME));
        if (withCredentials) {
            ours.add(CREDENTIALS_VOLUME);
        }
        for (String volume : ours) {
            if (volumes.contains(volume)) {
                warnings.add("integcov: the pod already has a volume named " + volume
                        + ", a name integcov needs; not injected");
                return SKIP_COLLISION + "-volume:" + volume;
            }
        }
        for (String init : List.of(Labels.INIT_CONTAINER_NAME, Labels.SIDECAR_NAME)) {
            if (initNames.contains(init)) {
                warnings.add("integcov: the pod already has an init container named " + init
                        + ", a name integcov needs; not injected");
                return SKIP_COLLISION + "-init-container:" + init;
            }
        }
        return null;
    }

    /** A mount path of the container that collides with where integcov mounts, or null. */
    static String mountCollision(JsonNode mounts, boolean ownCoverDir, boolean withCredentials,
            boolean bin) {
        for (JsonNode m : mounts) {
            String path = clean(m.path("mountPath").asText(""));
            if (bin && (path.equals(Labels.BIN_DIR) || path.startsWith(Labels.BIN_DIR + "/"))
                    || ownCoverDir && path.equals(Labels.COVDATA_DIR)
                    || withCredentials && (path.equals(CREDENTIALS_DIR) || path.startsWith(CREDENTIALS_DIR + "/"))) {
                return path;
            }
        }
        return null;
    }

    private static String clean(String path) {
        String p = path;
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }
}
