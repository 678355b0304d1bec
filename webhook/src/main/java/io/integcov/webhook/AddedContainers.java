package io.integcov.webhook;

import static io.integcov.webhook.PodMutator.CREDENTIALS_DIR;
import static io.integcov.webhook.PodMutator.CREDENTIALS_VOLUME;
import static io.integcov.webhook.PodMutator.INSTALL_UID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.integcov.model.CaptureStorage;
import io.integcov.model.CoverageCapture;
import io.integcov.model.CoverageCaptureSpec;
import io.integcov.model.Labels;
import io.integcov.webhook.PodMutator.Settings;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The containers {@link PodMutator} adds to a pod: the install init container and the native sidecar. */
final class AddedContainers {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /**
     * The resources of added containers, resolved once per CR override (quantities parsed, limits raised), because
     * every pod of a capture gets the same: the node is shared by the patches and never modified after it is built.
     * Keyed by the override object itself (the informer replaces a changed CoverageCapture, it never modifies one;
     * fabric8's Quantity.hashCode would parse the quantity, and throws on a bad one). Bounded: cleared when it holds
     * more entries than captures plausibly have overrides.
     */
    private record Resources(ObjectNode node, List<String> warnings) {
    }

    private record OverrideKey(ResourceRequirements override) {
        @Override
        public boolean equals(Object o) {
            return o instanceof OverrideKey k && k.override == override;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(override);
        }
    }

    private static final int MAX_RESOLVED_RESOURCES = 256;
    private final Map<OverrideKey, Resources> resolvedResources = new ConcurrentHashMap<>();

    private final Settings settings;

    AddedContainers(Settings settings) {
        this.settings = settings;
    }

    /** The init container copying the agent into the bin volume; Pod Security "restricted", explicit resources. */
    ObjectNode installer(CoverageCaptureSpec spec, List<String> warnings) {
        ObjectNode c = NODES.objectNode();
        c.put("name", Labels.INIT_CONTAINER_NAME);
        c.put("image", image(spec));
        c.putArray("command").add(settings.agentBinary()).add("install").add(Labels.BIN_DIR);
        c.set("resources", resources(spec.getAgentResources(), warnings));
        c.putArray("volumeMounts").add(PodVolumes.mount(Labels.BIN_VOLUME, Labels.BIN_DIR, false));
        c.set("securityContext", restricted());
        return c;
    }

    /**
     * The native sidecar: {@code integcov-agent sidecar <containers...>} straight from the agent image, restartPolicy
     * Always (started before the app containers, stopped after them), the covdata volume, the agent's env; Pod
     * Security "restricted", explicit resources. Its postStart hook {@code integcov-agent prepare <containers...>}
     * creates each served container's GOCOVERDIR: the kubelet starts the next container once a sidecar's process runs
     * and its postStart hook has finished, not once the process got anywhere, so without the hook an app could start
     * before its directory exists and write no coverage meta-data (nor listen for flush requests). The hook always
     * exits 0, so it never holds a pod back.
     */
    ObjectNode sidecarContainer(CoverageCaptureSpec spec, CoverageCapture capture, CaptureStorage storage,
            List<String> served, boolean withCredentials, JsonNode gracePeriod, List<String> warnings) {
        ObjectNode c = NODES.objectNode();
        c.put("name", Labels.SIDECAR_NAME);
        c.put("image", image(spec));
        c.put("restartPolicy", "Always");
        ArrayNode command = c.putArray("command").add(settings.agentBinary()).add("sidecar");
        served.forEach(command::add);
        ArrayNode prepare = c.putObject("lifecycle").putObject("postStart").putObject("exec").putArray("command")
                .add(settings.agentBinary()).add("prepare");
        served.forEach(prepare::add);
        ArrayNode env = c.putArray("env");
        Set<String> names = new HashSet<>();
        AgentEnv.addEnv(env, names, Labels.ENV_GOCOVERDIR, Labels.COVDATA_DIR);
        AgentEnv.agentEnv(env, names, capture, storage, withCredentials, gracePeriod);
        c.set("resources", resources(spec.getAgentResources(), warnings));
        ArrayNode mounts = c.putArray("volumeMounts").add(PodVolumes.mount(Labels.COVDATA_VOLUME, Labels.COVDATA_DIR, false));
        if (withCredentials) {
            mounts.add(PodVolumes.mount(CREDENTIALS_VOLUME, CREDENTIALS_DIR, true));
        }
        c.set("securityContext", restricted());
        return c;
    }

    private String image(CoverageCaptureSpec spec) {
        String requested = spec.requestedAgentImage();
        return requested != null ? requested : settings.agentImage();
    }

    private static ObjectNode restricted() {
        ObjectNode sc = NODES.objectNode();
        sc.put("runAsNonRoot", true);
        sc.put("runAsUser", INSTALL_UID);
        sc.put("allowPrivilegeEscalation", false);
        sc.put("readOnlyRootFilesystem", true);
        sc.putObject("capabilities").putArray("drop").add("ALL");
        sc.putObject("seccompProfile").put("type", "RuntimeDefault");
        return sc;
    }

    /**
     * Requests and limits of an added container: the settings' defaults, each replaced by the CR's value when it sets
     * one; a limit below its request is raised to the request (the API server rejects request > limit). A CR value
     * that is no quantity is ignored with a warning.
     */
    ObjectNode resources(ResourceRequirements override, List<String> warnings) {
        OverrideKey key = new OverrideKey(override);
        Resources r = resolvedResources.get(key);
        if (r == null) {
            if (resolvedResources.size() >= MAX_RESOLVED_RESOURCES) {
                resolvedResources.clear();
            }
            List<String> found = new ArrayList<>();
            r = new Resources(resolve(override, found), List.copyOf(found));
            resolvedResources.put(key, r);
        }
        warnings.addAll(r.warnings());
        return r.node();
    }

    private ObjectNode resolve(ResourceRequirements override, List<String> warnings) {
        Map<String, String> requests = merged(settings.requests(), override == null ? null : override.getRequests(),
                "requests", warnings);
        Map<String, String> limits = merged(settings.limits(), override == null ? null : override.getLimits(),
                "limits", warnings);
        requests.forEach((resource, request) -> {
            String limit = limits.get(resource);
            if (limit != null && amount(limit).compareTo(amount(request)) < 0) {
                limits.put(resource, request);
            }
        });
        ObjectNode out = NODES.objectNode();
        requests.forEach(out.putObject("requests")::put);
        limits.forEach(out.putObject("limits")::put);
        return out;
    }

    private static Map<String, String> merged(Map<String, String> defaults, Map<String, Quantity> override, String what,
            List<String> warnings) {
        Map<String, String> out = new java.util.TreeMap<>(defaults);
        if (override != null) {
            override.forEach((resource, quantity) -> {
                String value = quantity == null ? null : quantity.toString();
                try {
                    amount(value);
                    out.put(resource, value);
                } catch (RuntimeException e) {
                    warnings.add("integcov: spec.agentResources." + what + "." + resource + "=" + value
                            + " is not a quantity; using " + defaults.getOrDefault(resource, "none"));
                }
            });
        }
        return out;
    }

    static BigDecimal amount(String quantity) {
        if (quantity == null || quantity.isBlank()) {
            throw new IllegalArgumentException("empty quantity");
        }
        return Quantity.getAmountInBytes(new Quantity(quantity));
    }
}
