package io.integcov.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.integcov.model.CommandOverride;
import io.integcov.model.CoverageCapture;
import io.integcov.model.CoverageCaptureSpec;
import io.integcov.model.CaptureStorage;
import io.integcov.model.CredentialsSecret;
import io.integcov.model.InjectedPod;
import io.integcov.model.DefaultStore;
import io.integcov.model.Labels;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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

    private static final ObjectMapper MAPPER = new ObjectMapper();
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

    public PodMutator(Settings settings) {
        this.settings = settings;
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

        String podSkip = podLevelSkip(podSpec, initNames, withCredentials, warnings);
        if (podSkip != null) {
            for (int i : selected) {
                skipped.add(containers.get(i).path("name").asText() + ":" + podSkip);
            }
        } else {
            boolean covdataUsed = false;
            for (int i : selected) {
                JsonNode c = containers.get(i);
                String name = c.path("name").asText();
                ArrayNode command = mode == CoverageCaptureSpec.Mode.Sidecar ? null : commandFor(c, spec);
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
                String collision = command == null ? mountCollision(c.path("volumeMounts"), true, false, false)
                        : mountCollision(c.path("volumeMounts"), ownCoverDir, withCredentials, true);
                if (collision != null) {
                    skipped.add(name + ":" + SKIP_COLLISION + "-mount-path:" + collision);
                    warnings.add("integcov: container " + name + " has a volume mount at " + collision
                            + ", a path integcov needs; container not injected");
                    continue;
                }
                if (command == null) {
                    serveBySidecar(patch, i, c);
                    sidecar.add(name);
                    covdataUsed = true;
                } else {
                    wrap(patch, i, c, command, envNames, ownCoverDir, capture, storage, withCredentials,
                            podSpec.path("terminationGracePeriodSeconds"));
                    covdataUsed |= ownCoverDir;
                    wrapped.add(name);
                }
            }
            if (!wrapped.isEmpty() || !sidecar.isEmpty()) {
                addVolumes(patch, podSpec.path("volumes"), !wrapped.isEmpty(), covdataUsed,
                        withCredentials ? credentials : null);
                ArrayNode added = NODES.arrayNode();
                if (!wrapped.isEmpty()) {
                    added.add(installer(spec, warnings));
                }
                if (!sidecar.isEmpty()) {
                    added.add(sidecarContainer(spec, capture, storage, sidecar, withCredentials,
                            podSpec.path("terminationGracePeriodSeconds"), warnings));
                }
                if (initContainers.isArray() && !initContainers.isEmpty()) {
                    for (int k = added.size() - 1; k >= 0; k--) {
                        patch.add(added.get(k), "spec", "initContainers", 0);
                    }
                } else {
                    patch.add(added, "spec", "initContainers");
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

    /** Why the whole pod is skipped (the reason of its skipped entries), or null; adds the warning. */
    private static String podLevelSkip(JsonNode podSpec, Set<String> initNames, boolean withCredentials,
            List<String> warnings) {
        String os = podSpec.path("os").path("name").asText("");
        String nodeOs = podSpec.path("nodeSelector").path(OS_NODE_SELECTOR).asText("");
        if (!os.isEmpty() && !os.equals("linux") || !nodeOs.isEmpty() && !nodeOs.equals("linux")) {
            warnings.add("integcov: pod is for " + (os.isEmpty() ? nodeOs + " (nodeSelector " + OS_NODE_SELECTOR + ")"
                    : os + " (spec.os.name)") + "; integcov injects only into Linux pods; not injected");
            return SKIP_OS;
        }
        Set<String> volumes = names(podSpec.path("volumes"));
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
    private static String mountCollision(JsonNode mounts, boolean ownCoverDir, boolean withCredentials,
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

    /** The command to wrap, or null when the container has none and the CR gives no override. */
    static ArrayNode commandFor(JsonNode c, CoverageCaptureSpec spec) {
        JsonNode command = c.path("command");
        if (command.isArray() && !command.isEmpty()) {
            return (ArrayNode) command;
        }
        if (spec.getCommandOverrides() != null) {
            String name = c.path("name").asText();
            for (CommandOverride o : spec.getCommandOverrides()) {
                if (name.equals(o.getContainer()) && o.getCommand() != null && !o.getCommand().isEmpty()) {
                    ArrayNode out = NODES.arrayNode();
                    o.getCommand().forEach(out::add);
                    return out;
                }
            }
        }
        return null;
    }

    private static void wrap(AddPatch patch, int index, JsonNode c, ArrayNode command, Set<String> envNames,
            boolean ownCoverDir, CoverageCapture capture, CaptureStorage storage, boolean withCredentials,
            JsonNode gracePeriod) {
        if (!command.get(0).asText().equals(Labels.AGENT_PATH)) {
            ArrayNode wrappedCommand = NODES.arrayNode();
            AGENT_RUN_PREFIX.forEach(wrappedCommand::add);
            wrappedCommand.addAll(command);
            patch.add(wrappedCommand, "spec", "containers", index, "command");
        }
        Set<String> names = new HashSet<>(envNames);
        ArrayNode env = NODES.arrayNode();
        // its own directory, like a container served by the sidecar: each agent uploads every file of its GOCOVERDIR,
        // so two wrapped containers sharing one would upload each other's files (the agent creates it, 0777)
        addEnv(env, names, Labels.ENV_GOCOVERDIR, coverDir(c));
        addEnv(env, names, Labels.ENV_CONTAINER, c.path("name").asText());
        agentEnv(env, names, capture, storage, withCredentials, gracePeriod);
        patch.append(c.path("env").isArray(), env, "spec", "containers", index, "env");

        ArrayNode mounts = NODES.arrayNode();
        mounts.add(mount(Labels.BIN_VOLUME, Labels.BIN_DIR, true));
        if (ownCoverDir) {
            mounts.add(mount(Labels.COVDATA_VOLUME, Labels.COVDATA_DIR, false));
        }
        if (withCredentials) {
            mounts.add(mount(CREDENTIALS_VOLUME, CREDENTIALS_DIR, true));
        }
        patch.append(c.path("volumeMounts").isArray(), mounts, "spec", "containers", index, "volumeMounts");
    }

    /**
     * A container served by the sidecar keeps its command and gets only GOCOVERDIR (its own directory in the covdata
     * volume, created by the sidecar) and the covdata mount.
     */
    private static void serveBySidecar(AddPatch patch, int index, JsonNode c) {
        ArrayNode env = NODES.arrayNode();
        env.addObject().put("name", Labels.ENV_GOCOVERDIR).put("value", coverDir(c));
        patch.append(c.path("env").isArray(), env, "spec", "containers", index, "env");
        patch.append(c.path("volumeMounts").isArray(),
                NODES.arrayNode().add(mount(Labels.COVDATA_VOLUME, Labels.COVDATA_DIR, false)),
                "spec", "containers", index, "volumeMounts");
    }

    /** GOCOVERDIR integcov gives a container: its own sub-directory of the covdata volume. */
    static String coverDir(JsonNode c) {
        return Labels.COVDATA_DIR + "/" + c.path("name").asText();
    }

    /**
     * What the agent reads besides GOCOVERDIR and INTEGCOV_CONTAINER (user values, already in names, win). The storage
     * settings come first, so they win over spec.env; for the default store that is INTEGCOV_STORAGE_EMULATOR_HOST,
     * the agent's own variable, so no STORAGE_EMULATOR_HOST of integcov's reaches a wrapped program and the agent
     * follows none of the program's. A wrapped container's own variables win over all of these, and the sidecar
     * starts with none (an app container's env never reaches it).
     */
    private static void agentEnv(ArrayNode env, Set<String> names, CoverageCapture capture, CaptureStorage storage,
            boolean withCredentials, JsonNode gracePeriod) {
        CoverageCaptureSpec spec = capture.getSpec();
        storage.agentEnv().forEach((name, value) -> addEnv(env, names, name, value));
        addFieldRefEnv(env, names, Labels.ENV_POD_NAME, "metadata.name");
        addFieldRefEnv(env, names, Labels.ENV_POD_NAMESPACE, "metadata.namespace");
        addEnv(env, names, Labels.ENV_CAPTURE, capture.getMetadata().getName());
        addEnv(env, names, Labels.ENV_CAPTURE_UID, capture.getMetadata().getUid() == null ? ""
                : capture.getMetadata().getUid());
        if (spec.getUploadTimeoutSeconds() != null) {
            addEnv(env, names, Labels.ENV_UPLOAD_TIMEOUT, spec.getUploadTimeoutSeconds().toString());
        }
        if (gracePeriod.isIntegralNumber()) {
            addEnv(env, names, Labels.ENV_GRACE_PERIOD, gracePeriod.asText());
        }
        if (withCredentials) {
            addEnv(env, names, ENV_GOOGLE_CREDENTIALS, CREDENTIALS_DIR + "/" + CREDENTIALS_FILE);
        }
        if (spec.getEnv() != null) {
            for (EnvVar extra : spec.getEnv()) {
                if (extra.getName() != null && names.add(extra.getName())) {
                    env.add(MAPPER.<JsonNode>valueToTree(extra));
                }
            }
        }
    }

    private static void addEnv(ArrayNode env, Set<String> names, String name, String value) {
        if (names.add(name)) {
            env.addObject().put("name", name).put("value", value);
        }
    }

    private static void addFieldRefEnv(ArrayNode env, Set<String> names, String name, String fieldPath) {
        if (names.add(name)) {
            ObjectNode e = env.addObject().put("name", name);
            e.putObject("valueFrom").putObject("fieldRef").put("apiVersion", "v1").put("fieldPath", fieldPath);
        }
    }

    private static ObjectNode mount(String volume, String path, boolean readOnly) {
        ObjectNode m = NODES.objectNode().put("name", volume).put("mountPath", path);
        if (readOnly) {
            m.put("readOnly", true);
        }
        return m;
    }

    private static void addVolumes(AddPatch patch, JsonNode volumes, boolean bin, boolean covdata,
            CredentialsSecret credentials) {
        ArrayNode add = NODES.arrayNode();
        if (bin) {
            add.addObject().put("name", Labels.BIN_VOLUME).putObject("emptyDir");
        }
        if (covdata) {
            add.addObject().put("name", Labels.COVDATA_VOLUME).putObject("emptyDir");
        }
        if (credentials != null) {
            ObjectNode secret = add.addObject().put("name", CREDENTIALS_VOLUME).putObject("secret");
            secret.put("secretName", credentials.getName());
            // a missing Secret must not keep the pod from starting: the agent then reports the upload failure
            secret.put("optional", true);
            secret.putArray("items").addObject().put("key", credentials.keyOrDefault()).put("path", CREDENTIALS_FILE);
        }
        patch.append(volumes.isArray(), add, "spec", "volumes");
    }

    /** The init container copying the agent into the bin volume; Pod Security "restricted", explicit resources. */
    ObjectNode installer(CoverageCaptureSpec spec, List<String> warnings) {
        ObjectNode c = NODES.objectNode();
        c.put("name", Labels.INIT_CONTAINER_NAME);
        c.put("image", image(spec));
        c.putArray("command").add(settings.agentBinary()).add("install").add(Labels.BIN_DIR);
        c.set("resources", resources(spec.getAgentResources(), warnings));
        c.putArray("volumeMounts").add(mount(Labels.BIN_VOLUME, Labels.BIN_DIR, false));
        c.set("securityContext", restricted());
        return c;
    }

    /**
     * The native sidecar: {@code integcov-agent sidecar <containers...>} straight from the agent image, restartPolicy
     * Always (started before the app containers, stopped after them), the covdata volume, the agent's env; Pod
     * Security "restricted", explicit resources.
     */
    ObjectNode sidecarContainer(CoverageCaptureSpec spec, CoverageCapture capture, CaptureStorage storage,
            List<String> served, boolean withCredentials, JsonNode gracePeriod, List<String> warnings) {
        ObjectNode c = NODES.objectNode();
        c.put("name", Labels.SIDECAR_NAME);
        c.put("image", image(spec));
        c.put("restartPolicy", "Always");
        ArrayNode command = c.putArray("command").add(settings.agentBinary()).add("sidecar");
        served.forEach(command::add);
        ArrayNode env = c.putArray("env");
        Set<String> names = new HashSet<>();
        addEnv(env, names, Labels.ENV_GOCOVERDIR, Labels.COVDATA_DIR);
        agentEnv(env, names, capture, storage, withCredentials, gracePeriod);
        c.set("resources", resources(spec.getAgentResources(), warnings));
        ArrayNode mounts = c.putArray("volumeMounts").add(mount(Labels.COVDATA_VOLUME, Labels.COVDATA_DIR, false));
        if (withCredentials) {
            mounts.add(mount(CREDENTIALS_VOLUME, CREDENTIALS_DIR, true));
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

    private static Set<String> names(JsonNode list) {
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
