package io.integcov.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.integcov.model.CoverageCapture;
import io.integcov.model.CoverageCaptureSpec;
import io.integcov.model.CaptureStorage;
import io.integcov.model.CredentialsSecret;
import io.integcov.model.InjectedPod;
import io.integcov.model.DefaultStore;
import io.integcov.model.Labels;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Applies a CoverageCapture to a pod given as a JSON tree (the {@code request.object} of the AdmissionReview, never
 * bound to the fabric8 Pod model): wraps the selected containers' commands with the agent, adds the install init
 * container, the volumes, the env, the marker annotations and the {@code integcov.io/injected} label. Pure (no I/O), never modifies its input, and its result
 * is a JSONPatch of {@code add} operations written down as each addition is decided, so the cost is linear in the
 * pod's size (no diff of whole pods).
 *
 * <p>
 * Any pod the API server admits without integcov must be admitted with it, so the mutator never half-injects:
 * <ul>
 * <li>pods for another OS than Linux ({@code spec.os.name}, or a {@code kubernetes.io/os} nodeSelector) are skipped:
 * the agent is a Linux binary and the Linux-only securityContext fields are forbidden on Windows pods;</li>
 * <li>a volume or init container of the pod named like one of ours skips the pod (reusing a user's volume would mix
 * data or hide the agent); a selected container with a mount at one of our paths is skipped (duplicate mount paths are
 * rejected, and a mount inside the read-only bin directory cannot be created);</li>
 * <li>everything added carries explicit resource requests and limits, so a namespace ResourceQuota without LimitRange
 * defaults admits it.</li>
 * </ul>
 * Each skip is a warning and an {@code integcov.io/skipped} entry {@code <container>:<reason>}. An existing
 * {@code GOCOVERDIR} and any env var with one of our names are kept (user values win); then the covdata volume is not
 * mounted into that container. Init containers are never wrapped. A pod already annotated {@code integcov.io/injected}
 * is left alone (reinvocation), so mutating the patched pod again gives an empty patch.
 *
 * <p>
 * This class decides per container and writes the annotations and the label; the steps are {@link PodSkips} (what
 * keeps a pod or container from being injected), {@link ContainerPatches} (wrapping a container or serving it by the
 * sidecar), {@link AgentEnv} (the agent's env), {@link PodVolumes} and {@link AddedContainers} (the install init
 * container, the sidecar and their resources).
 */
public class PodMutator {
    public static final List<String> AGENT_RUN_PREFIX = List.of(Labels.AGENT_PATH, "run", "--");
    /** Non-root uid the install init container runs as (so it works under runAsNonRoot with any image USER). */
    public static final long INSTALL_UID = 65532L;
    public static final String SKIP_NO_COMMAND = "no-command";
    public static final String SKIP_OS = "os";
    public static final String SKIP_COLLISION = "collision";
    public static final String SKIP_OWN_COVERDIR = "own-gocoverdir";
    /** The container needs the sidecar but the cluster has no native sidecars (Kubernetes before 1.29). */
    public static final String SKIP_NO_NATIVE_SIDECAR = "no-native-sidecar";

    /** Secret volume with the storage credentials (spec.storage.credentialsSecret), mounted read-only. */
    public static final String CREDENTIALS_VOLUME = "integcov-credentials";
    public static final String CREDENTIALS_DIR = "/var/run/integcov/credentials";
    /** The file name the Secret's key is projected to. */
    public static final String CREDENTIALS_FILE = "key.json";
    public static final String ENV_GOOGLE_CREDENTIALS = "GOOGLE_APPLICATION_CREDENTIALS";
    static final String OS_NODE_SELECTOR = "kubernetes.io/os";

    /** Defaults of the resources of every container integcov adds (config integcov.agent-resources.*). */
    public static final Map<String, String> DEFAULT_REQUESTS = Map.of("cpu", "10m", "memory", "16Mi");
    public static final Map<String, String> DEFAULT_LIMITS = Map.of("cpu", "200m", "memory", "128Mi");

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /**
     * Agent image and binary, the default requests/limits of added containers, whether the cluster runs native
     * sidecars (Kubernetes 1.29+, see {@link NativeSidecars}; without them the sidecar is never added), and the
     * in-cluster default store used by captures without spec.storage.
     */
    public record Settings(String agentImage, String agentBinary, Map<String, String> requests,
            Map<String, String> limits, boolean nativeSidecars, DefaultStore defaultStore) {
        public Settings(String agentImage, String agentBinary) {
            this(agentImage, agentBinary, DEFAULT_REQUESTS, DEFAULT_LIMITS, true, DefaultStore.IN_CLUSTER);
        }

        public Settings withNativeSidecars(boolean available) {
            return new Settings(agentImage, agentBinary, requests, limits, available, defaultStore);
        }

        public Settings withDefaultStore(DefaultStore store) {
            return new Settings(agentImage, agentBinary, requests, limits, nativeSidecars, store);
        }
    }

    /**
     * The JSONPatch ({@code add} operations only; empty when nothing changes), admission warnings, the containers
     * wrapped, those served by the sidecar, and the {@code <container>:<reason>} entries of those skipped.
     */
    public record Result(ArrayNode patch, List<String> warnings, List<String> wrapped, List<String> sidecar,
            List<String> skipped) {
        /** Wrapped or served by the sidecar. */
        public boolean injected() {
            return !wrapped.isEmpty() || !sidecar.isEmpty();
        }
    }

    private final Settings settings;
    private final AddedContainers added;

    public PodMutator(Settings settings) {
        this.settings = settings;
        this.added = new AddedContainers(settings);
    }

    /** Throws IllegalArgumentException when the pod has no list of containers (nothing sensible to do). */
    public Result mutate(JsonNode pod, CoverageCapture capture) {
        CoverageCaptureSpec spec = capture.getSpec();
        String captureName = capture.getMetadata().getName();
        JsonNode annotations = pod.path("metadata").path("annotations");
        List<String> warnings = new ArrayList<>();
        List<String> wrapped = new ArrayList<>();
        List<String> sidecar = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        AddPatch patch = new AddPatch();
        if (annotations.has(Labels.INJECTED_ANNOTATION)) {
            return new Result(patch.operations(), warnings, wrapped, sidecar, skipped);
        }
        JsonNode podSpec = pod.path("spec");
        JsonNode containers = podSpec.path("containers");
        if (!containers.isArray()) {
            throw new IllegalArgumentException("pod has no spec.containers list");
        }
        JsonNode initContainers = podSpec.path("initContainers");
        Set<String> initNames = names(initContainers);
        CoverageCaptureSpec.Mode mode = spec.modeOrDefault();

        List<String> wanted = spec.getContainers() == null ? List.of() : spec.getContainers();
        Set<String> podContainers = names(containers);
        for (String name : wanted) {
            if (!podContainers.contains(name)) {
                warnings.add("integcov: container " + name + " listed in CoverageCapture " + captureName
                        + (initNames.contains(name) ? " is an init container; init containers are not wrapped"
                                : " is not in the pod"));
            }
        }
        List<Integer> selected = new ArrayList<>();
        for (int i = 0; i < containers.size(); i++) {
            if (wanted.isEmpty() || wanted.contains(containers.get(i).path("name").asText())) {
                selected.add(i);
            }
        }
        CaptureStorage storage = settings.defaultStore().storageOf(spec);
        CredentialsSecret credentials = storage.credentials();
        boolean withCredentials = credentials != null && credentials.getName() != null
                && !credentials.getName().isBlank();

        String podSkip = PodSkips.podLevelSkip(podSpec, initNames, withCredentials, warnings);
        if (podSkip != null) {
            for (int i : selected) {
                skipped.add(containers.get(i).path("name").asText() + ":" + podSkip);
            }
        } else {
            boolean covdataUsed = false;
            for (int i : selected) {
                JsonNode c = containers.get(i);
                String name = c.path("name").asText();
                ArrayNode command = mode == CoverageCaptureSpec.Mode.Sidecar ? null : ContainerPatches.commandFor(c, spec);
                Set<String> envNames = names(c.path("env"));
                boolean ownCoverDir = !envNames.contains(Labels.ENV_GOCOVERDIR);
                if (command == null && mode == CoverageCaptureSpec.Mode.Wrap) {
                    skipped.add(name + ":" + SKIP_NO_COMMAND);
                    warnings.add("integcov: container " + name + " has no command (the image ENTRYPOINT is unknown"
                            + " at admission); add it to spec.commandOverrides of CoverageCapture " + captureName
                            + " to capture its coverage");
                    continue;
                }
                if (command == null && !settings.nativeSidecars()) {
                    // an init container with restartPolicy Always would be a plain init container that never ends
                    skipped.add(name + ":" + SKIP_NO_NATIVE_SIDECAR);
                    warnings.add("integcov: container " + name + (mode == CoverageCaptureSpec.Mode.Sidecar
                            ? " is to be served by the integcov sidecar (spec.mode Sidecar)"
                            : " has no command (the image ENTRYPOINT is unknown at admission)")
                            + " and this cluster has no native sidecars (Kubernetes < 1.29); container not injected:"
                            + " add it to spec.commandOverrides of CoverageCapture " + captureName
                            + (mode == CoverageCaptureSpec.Mode.Sidecar ? " and use spec.mode Auto or Wrap" : "")
                            + " to wrap it instead");
                    continue;
                }
                if (command == null && !ownCoverDir) {
                    skipped.add(name + ":" + SKIP_OWN_COVERDIR);
                    warnings.add("integcov: container " + name + " sets GOCOVERDIR itself and is served by the"
                            + " integcov sidecar, which only sees its own directory; container not injected");
                    continue;
                }
                String collision = command == null ? PodSkips.mountCollision(c.path("volumeMounts"), true, false, false)
                        : PodSkips.mountCollision(c.path("volumeMounts"), ownCoverDir, withCredentials, true);
                if (collision != null) {
                    skipped.add(name + ":" + SKIP_COLLISION + "-mount-path:" + collision);
                    warnings.add("integcov: container " + name + " has a volume mount at " + collision
                            + ", a path integcov needs; container not injected");
                    continue;
                }
                if (command == null) {
                    ContainerPatches.serveBySidecar(patch, i, c);
                    sidecar.add(name);
                    covdataUsed = true;
                } else {
                    ContainerPatches.wrap(patch, i, c, command, envNames, ownCoverDir, capture, storage, withCredentials,
                            podSpec.path("terminationGracePeriodSeconds"));
                    covdataUsed |= ownCoverDir;
                    wrapped.add(name);
                }
            }
            if (!wrapped.isEmpty() || !sidecar.isEmpty()) {
                PodVolumes.addVolumes(patch, podSpec.path("volumes"), !wrapped.isEmpty(), covdataUsed,
                        withCredentials ? credentials : null);
                ArrayNode addedContainers = NODES.arrayNode();
                if (!wrapped.isEmpty()) {
                    addedContainers.add(added.installer(spec, warnings));
                }
                if (!sidecar.isEmpty()) {
                    addedContainers.add(added.sidecarContainer(spec, capture, storage, sidecar, withCredentials,
                            podSpec.path("terminationGracePeriodSeconds"), warnings));
                }
                if (initContainers.isArray() && !initContainers.isEmpty()) {
                    for (int k = addedContainers.size() - 1; k >= 0; k--) {
                        patch.add(addedContainers.get(k), "spec", "initContainers", 0);
                    }
                } else {
                    patch.add(addedContainers, "spec", "initContainers");
                }
            }
        }

        int injected = wrapped.size() + sidecar.size();
        Map<String, String> add = new LinkedHashMap<>();
        if (!skipped.isEmpty()) {
            String value = String.join(",", skipped);
            if (!value.equals(annotations.path(Labels.SKIPPED_ANNOTATION).asText(null))) {
                add.put(Labels.SKIPPED_ANNOTATION, value);
            }
            if (podSkip == null) {
                warnings.add("integcov: injected " + injected + " of " + (injected + skipped.size())
                        + " selected containers");
            }
        }
        if (injected > 0) {
            add.putAll(InjectedPod.annotations(captureName, wrapped, sidecar));
        }
        if (!add.isEmpty()) {
            if (annotations.isObject()) {
                add.forEach((k, v) -> patch.add(NODES.textNode(v), "metadata", "annotations", k));
            } else {
                ObjectNode all = NODES.objectNode();
                add.forEach(all::put);
                patch.add(all, "metadata", "annotations");
            }
        }
        if (injected > 0) {
            addInjectedLabel(patch, pod.path("metadata").path("labels"));
        }
        return new Result(patch.operations(), warnings, wrapped, sidecar, skipped);
    }

    /**
     * The label {@code integcov.io/injected=true}: what the default store's NetworkPolicy selects (policies select
     * labels, not annotations). It selects nothing else: no workload controller selects its pods by it.
     */
    private static void addInjectedLabel(AddPatch patch, JsonNode labels) {
        if (labels.isObject()) {
            if (!Labels.INJECTED_LABEL_VALUE.equals(labels.path(Labels.INJECTED_LABEL).asText(null))) {
                patch.add(NODES.textNode(Labels.INJECTED_LABEL_VALUE), "metadata", "labels", Labels.INJECTED_LABEL);
            }
        } else {
            patch.add(NODES.objectNode().put(Labels.INJECTED_LABEL, Labels.INJECTED_LABEL_VALUE), "metadata", "labels");
        }
    }

    static Set<String> names(JsonNode list) {
        Set<String> out = new HashSet<>();
        for (JsonNode item : list) {
            JsonNode name = item.path("name");
            if (name.isTextual()) {
                out.add(name.asText());
            }
        }
        return out;
    }
}
