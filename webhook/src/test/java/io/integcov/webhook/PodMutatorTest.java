package io.integcov.webhook;

import static io.integcov.webhook.Fixtures.JSON;
import static io.integcov.webhook.Fixtures.strings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.integcov.model.CaptureStorage;
import io.integcov.model.CoverageCapture;
import io.integcov.model.CoverageCaptureSpec;
import io.integcov.model.CredentialsSecret;
import io.fabric8.zjsonpatch.JsonPatch;
import io.integcov.model.InjectedPod;
import io.integcov.model.Labels;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Table-driven: every case in src/test/resources/pods is mutated, its JSONPatch applied to the input with zjsonpatch (an
 * independent RFC 6902 implementation), and the patched pod checked against the injection contract.
 */
class PodMutatorTest {
    final PodMutator mutator = new PodMutator(Fixtures.SETTINGS);
    final PodMutator withoutNativeSidecars = new PodMutator(Fixtures.SETTINGS.withNativeSidecars(false));

    /** The mutator of the case's cluster. */
    PodMutator mutatorFor(Fixtures.Case c) {
        return c.nativeSidecars() ? mutator : withoutNativeSidecars;
    }

    static Stream<Fixtures.Case> cases() {
        return Fixtures.cases();
    }

    @Test
    void thereAreAtLeastThirtyEightCases() {
        assertTrue(Fixtures.cases().count() >= 38);
    }

    /** Without native sidecars no case adds the sidecar; with them, the same pods get it where a command is unknown. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void neverAddsTheSidecarWithoutNativeSidecars(Fixtures.Case c) {
        PodMutator.Result r = withoutNativeSidecars.mutate(c.podJson(), c.capture());
        assertEquals(List.of(), r.sidecar(), "served by the sidecar");
        assertTrue(!r.patch().toString().contains("\"restartPolicy\""), "no restartPolicy Always init container added");
        PodMutator.Result withSidecars = mutator.mutate(c.podJson(), c.capture());
        assertEquals(withSidecars.wrapped(), r.wrapped(), "the same containers are wrapped either way");
        for (String name : withSidecars.sidecar()) {
            assertTrue(r.skipped().contains(name + ":" + PodMutator.SKIP_NO_NATIVE_SIDECAR), name + " in " + r.skipped());
        }
    }

    @Test
    void twoWrappedContainersOfOnePodGetDifferentCoverDirs() {
        Fixtures.Case c = Fixtures.cases().filter(k -> k.toString().contains("two wrapped containers")).findFirst()
                .orElseThrow();
        Pod after = JSON.convertValue(patched(c.podJson(), mutator.mutate(c.podJson(), c.capture())), Pod.class);
        List<String> dirs = after.getSpec().getContainers().stream()
                .map(k -> env(k, Labels.ENV_GOCOVERDIR).getValue()).toList();
        assertEquals(2, Set.copyOf(dirs).size(), "distinct GOCOVERDIRs " + dirs);
        dirs.forEach(d -> assertTrue(d.startsWith(Labels.COVDATA_DIR + "/"), d + " below the covdata mount"));
    }

    /**
     * Resources are resolved once per CR override and then reused: a changed override gives new resources at once, and
     * a bad quantity still warns on every pod, not only the first.
     */
    @Test
    void resolvedResourcesFollowTheOverrideAndWarnOnEveryPod() {
        Fixtures.Case c = Fixtures.cases().filter(k -> k.toString().contains("agentResources replaces")).findFirst()
                .orElseThrow();
        PodMutator fresh = new PodMutator(new PodMutator.Settings("integcov/agent:test", "/integcov-agent"));
        CoverageCapture bad = JSON.convertValue(c.capture(), CoverageCapture.class);
        bad.getSpec().getAgentResources().getLimits().put("cpu", new Quantity("lots"));
        for (int pod = 1; pod <= 2; pod++) {
            PodMutator.Result good = fresh.mutate(c.podJson(), c.capture());
            assertEquals(c.expect().get("resources"), installer(good).get("resources"), "pod " + pod);
            assertEquals(List.of(), good.warnings(), "pod " + pod);
            PodMutator.Result r = fresh.mutate(c.podJson(), bad);
            assertWarnings(List.of("spec.agentResources.limits.cpu=lots is not a quantity"), r.warnings());
            assertEquals("200m", installer(r).at("/resources/limits/cpu").asText(), "the default limit, pod " + pod);
        }
    }

    private static JsonNode installer(PodMutator.Result r) {
        for (JsonNode op : r.patch()) {
            if (op.get("path").asText().equals("/spec/initContainers")) {
                return op.get("value").get(0);
            }
        }
        throw new AssertionError("no init containers added: " + r.patch());
    }

    /** The pod the API server would store: the input with the patch applied. */
    static JsonNode patched(JsonNode pod, PodMutator.Result r) {
        return JsonPatch.apply(r.patch(), pod);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void mutatesAsContracted(Fixtures.Case c) throws Exception {
        JsonNode input = c.podJson();
        JsonNode snapshot = input.deepCopy();
        PodMutator.Result r = mutatorFor(c).mutate(input, c.capture());
        assertEquals(snapshot, input, "the input pod must not be modified");
        for (JsonNode op : r.patch()) {
            assertEquals("add", op.get("op").asText(), op.toString());
        }
        Pod before = c.pod();
        JsonNode afterJson = patched(input, r);
        Pod after = JSON.treeToValue(afterJson, Pod.class);
        JsonNode expect = c.expect();

        assertEquals(strings(expect.get("wrapped")), r.wrapped(), "wrapped containers");
        assertEquals(strings(expect.get("sidecar")), r.sidecar(), "containers served by the sidecar");
        List<String> skipped = strings(expect.get("skipped"));
        assertEquals(skipped, r.skipped(), "skipped entries");
        Map<String, String> annotations = after.getMetadata().getAnnotations() == null ? Map.of()
                : after.getMetadata().getAnnotations();
        assertEquals(skipped.isEmpty() ? null : String.join(",", skipped), annotations.get(Labels.SKIPPED_ANNOTATION));
        assertWarnings(strings(expect.get("warnings")), r.warnings());

        for (int i = 0; i < before.getSpec().getContainers().size(); i++) {
            Container orig = before.getSpec().getContainers().get(i);
            Container now = after.getSpec().getContainers().get(i);
            if (r.wrapped().contains(orig.getName())) {
                checkWrapped(orig, now, c.capture(), expect, before.getSpec().getTerminationGracePeriodSeconds());
            } else if (r.sidecar().contains(orig.getName())) {
                checkServedBySidecar(orig, now);
            } else {
                assertEquals(orig, now, "unselected or skipped container " + orig.getName() + " is untouched");
            }
        }

        Map<String, String> labels = after.getMetadata().getLabels() == null ? Map.of() : after.getMetadata().getLabels();
        if (!r.injected()) {
            assertEquals(before.getSpec(), after.getSpec(), "nothing injected");
            assertNull(annotations.get(Labels.INJECTED_ANNOTATION));
            assertEquals(before.getMetadata().getLabels(), after.getMetadata().getLabels(), "labels untouched");
        } else {
            assertEquals(c.capture().getMetadata().getName(), annotations.get(Labels.INJECTED_ANNOTATION));
            assertEquals(new InjectedPod(after.getMetadata().getName(), r.wrapped(), r.sidecar()),
                    InjectedPod.readFor(after, c.capture().getMetadata().getName()).orElseThrow(),
                    "the annotations say which containers are wrapped and which the sidecar serves");
            assertEquals(Labels.INJECTED_LABEL_VALUE, labels.get(Labels.INJECTED_LABEL),
                    "the label the default store's NetworkPolicy selects");
            Iterator<Map.Entry<String, JsonNode>> sidecarEnv = expect.path("sidecarEnv").fields();
            while (sidecarEnv.hasNext()) {
                Map.Entry<String, JsonNode> e = sidecarEnv.next();
                EnvVar actual = env(after.getSpec().getInitContainers().stream()
                        .filter(k -> k.getName().equals(Labels.SIDECAR_NAME)).findFirst().orElseThrow(), e.getKey());
                assertEquals(expectedValue(e.getValue()), actual == null ? null : actual.getValue(),
                        "sidecar env " + e.getKey());
            }
            if (!r.wrapped().isEmpty() && !r.sidecar().isEmpty()) {
                checkSidecarStorageEqualsWrapped(before, after, c.capture());
            }
            List<Container> inits = after.getSpec().getInitContainers();
            int added = 0;
            if (!r.wrapped().isEmpty()) {
                checkInstaller(inits.get(added++), expect.path("initImage").asText("integcov/agent:test"),
                        expect.path("resources"));
            }
            if (!r.sidecar().isEmpty()) {
                checkSidecar(inits.get(added++), r.sidecar(), c.capture(), before.getSpec().getTerminationGracePeriodSeconds());
            }
            List<Container> origInits = before.getSpec().getInitContainers() == null ? List.of()
                    : before.getSpec().getInitContainers();
            assertEquals(origInits, inits.subList(added, inits.size()),
                    "the pod's own init containers follow integcov's unchanged");
            checkVolumes(before, after, expect, c.capture().getSpec(), !r.wrapped().isEmpty());
        }
        if (before.getMetadata().getAnnotations() != null) {
            before.getMetadata().getAnnotations().forEach((k, v) -> assertEquals(v, annotations.get(k), "annotation " + k));
        }
        assertEquals(withoutInjectedParts(before), withoutInjectedParts(after), "nothing else in the pod changes");

        if (expect.path("restricted").asBoolean()) {
            assertEquals(List.of(), RestrictedCheck.violations(after), "still Pod Security restricted");
        }

        PodMutator.Result again = mutatorFor(c).mutate(afterJson, c.capture());
        assertEquals(JSON.createArrayNode(), again.patch(), "mutating the patched pod again changes nothing");
    }

    private static void checkWrapped(Container orig, Container now, CoverageCapture capture, JsonNode expect,
            Long gracePeriodSeconds) {
        CoverageCaptureSpec spec = capture.getSpec();
        String name = orig.getName();
        List<String> command = new ArrayList<>(orig.getCommand() == null ? List.of() : orig.getCommand());
        if (command.isEmpty()) {
            command.addAll(spec.getCommandOverrides().stream().filter(o -> o.getContainer().equals(name)).findFirst()
                    .orElseThrow().getCommand());
        }
        if (!command.get(0).equals(Labels.AGENT_PATH)) {
            command.addAll(0, PodMutator.AGENT_RUN_PREFIX);
        }
        assertEquals(command, now.getCommand(), "command of " + name);
        if (expect.path("commands").has(name)) {
            assertEquals(strings(expect.path("commands").get(name)), now.getCommand(), "expected command of " + name);
        }
        assertEquals(orig.getArgs(), now.getArgs(), "args untouched");
        assertEquals(orig.getEnvFrom(), now.getEnvFrom(), "envFrom untouched");

        List<EnvVar> origEnv = orig.getEnv() == null ? List.of() : orig.getEnv();
        assertEquals(origEnv, now.getEnv().subList(0, origEnv.size()), "user env kept first, in order");
        for (String var : List.of(Labels.ENV_GOCOVERDIR, Labels.ENV_STORAGE, Labels.ENV_POD_NAME, Labels.ENV_POD_NAMESPACE,
                Labels.ENV_CONTAINER, Labels.ENV_CAPTURE, Labels.ENV_CAPTURE_UID)) {
            assertEquals(1, now.getEnv().stream().filter(e -> e.getName().equals(var)).count(), var + " exactly once");
        }
        boolean ownCoverDir = origEnv.stream().noneMatch(e -> e.getName().equals(Labels.ENV_GOCOVERDIR));
        if (ownCoverDir) {
            assertEquals(Labels.COVDATA_DIR + "/" + name, env(now, Labels.ENV_GOCOVERDIR).getValue(),
                    "a wrapped container's own directory");
        }
        storageEnv(capture).forEach((var, value) -> {
            if (origEnv.stream().noneMatch(e -> e.getName().equals(var))) {
                assertEquals(value, env(now, var), "storage setting " + var + " of " + name);
            }
        });
        if (origEnv.stream().noneMatch(e -> e.getName().equals(Labels.ENV_CONTAINER))) {
            assertEquals(name, env(now, Labels.ENV_CONTAINER).getValue());
        }
        assertEquals(capture.getMetadata().getName(), env(now, Labels.ENV_CAPTURE).getValue());
        assertEquals(capture.getMetadata().getUid(), env(now, Labels.ENV_CAPTURE_UID).getValue());
        assertEquals("metadata.name", env(now, Labels.ENV_POD_NAME).getValueFrom().getFieldRef().getFieldPath());
        assertEquals("metadata.namespace", env(now, Labels.ENV_POD_NAMESPACE).getValueFrom().getFieldRef().getFieldPath());
        EnvVar timeout = env(now, Labels.ENV_UPLOAD_TIMEOUT);
        assertEquals(spec.getUploadTimeoutSeconds() == null ? null : spec.getUploadTimeoutSeconds().toString(),
                timeout == null ? null : timeout.getValue());
        EnvVar grace = env(now, Labels.ENV_GRACE_PERIOD);
        assertEquals(gracePeriodSeconds == null ? null : gracePeriodSeconds.toString(),
                grace == null ? null : grace.getValue(), "the pod's grace period is passed on");
        Iterator<Map.Entry<String, JsonNode>> expectedEnv = expect.path("env").path(name).fields();
        while (expectedEnv.hasNext()) {
            Map.Entry<String, JsonNode> e = expectedEnv.next();
            EnvVar actual = env(now, e.getKey());
            assertEquals(expectedValue(e.getValue()), actual == null ? null : actual.getValue(), "env " + e.getKey());
        }
        boolean ownEmulator = origEnv.stream().anyMatch(e -> e.getName().equals(Labels.ENV_STORAGE_EMULATOR_HOST))
                || spec.getEnv() != null && spec.getEnv().stream()
                        .anyMatch(e -> Labels.ENV_STORAGE_EMULATOR_HOST.equals(e.getName()));
        if (!ownEmulator) {
            assertNull(env(now, Labels.ENV_STORAGE_EMULATOR_HOST),
                    "integcov never hands a wrapped program a STORAGE_EMULATOR_HOST of its own");
        }

        List<VolumeMount> origMounts = orig.getVolumeMounts() == null ? List.of() : orig.getVolumeMounts();
        assertEquals(origMounts, now.getVolumeMounts().subList(0, origMounts.size()), "user mounts kept");
        VolumeMount bin = mount(now, Labels.BIN_VOLUME);
        assertEquals(Labels.BIN_DIR, bin.getMountPath());
        assertEquals(Boolean.TRUE, bin.getReadOnly());
        VolumeMount credentials = mount(now, PodMutator.CREDENTIALS_VOLUME);
        assertEquals(storageOf(capture).credentials() != null, credentials != null, "credentials mount");
        if (credentials != null) {
            assertEquals(PodMutator.CREDENTIALS_DIR, credentials.getMountPath());
            assertEquals(Boolean.TRUE, credentials.getReadOnly());
        }
        if (spec.getEnv() != null) {
            for (EnvVar extra : spec.getEnv()) {
                if (origEnv.stream().noneMatch(e -> e.getName().equals(extra.getName()))) {
                    assertEquals(storageEnv(capture).getOrDefault(extra.getName(), extra), env(now, extra.getName()),
                            "spec.env " + extra.getName());
                }
            }
        }
        VolumeMount covdata = mount(now, Labels.COVDATA_VOLUME);
        assertEquals(ownCoverDir, covdata != null, "covdata mounted iff GOCOVERDIR is ours");
        if (covdata != null) {
            assertEquals(Labels.COVDATA_DIR, covdata.getMountPath());
        }
    }

    private static void checkInstaller(Container init, String image, JsonNode resources) {
        assertEquals(Labels.INIT_CONTAINER_NAME, init.getName());
        assertEquals(image, init.getImage());
        assertEquals(List.of("/integcov-agent", "install", Labels.BIN_DIR), init.getCommand());
        assertEquals(Labels.BIN_DIR, mount(init, Labels.BIN_VOLUME).getMountPath());
        checkRestrictedAndSized(init, resources);
    }

    private static void checkRestrictedAndSized(Container init, JsonNode resources) {
        SecurityContext sc = init.getSecurityContext();
        assertEquals(Boolean.TRUE, sc.getRunAsNonRoot());
        assertTrue(sc.getRunAsUser() != null && sc.getRunAsUser() > 0);
        assertEquals(Boolean.FALSE, sc.getAllowPrivilegeEscalation());
        assertEquals(Boolean.TRUE, sc.getReadOnlyRootFilesystem());
        assertEquals(List.of("ALL"), sc.getCapabilities().getDrop());
        assertEquals("RuntimeDefault", sc.getSeccompProfile().getType());
        Map<String, String> requests = resources.has("requests") ? JSON.convertValue(resources.get("requests"), Map.class)
                : Fixtures.SETTINGS.requests();
        Map<String, String> limits = resources.has("limits") ? JSON.convertValue(resources.get("limits"), Map.class)
                : Fixtures.SETTINGS.limits();
        assertEquals(requests, quantities(init.getResources().getRequests()), "requests of the installer");
        assertEquals(limits, quantities(init.getResources().getLimits()), "limits of the installer");
        assertEquals(Set.of("cpu", "memory"), init.getResources().getLimits().keySet(),
                "cpu and memory limits, so a compute ResourceQuota admits it");
        assertEquals(Set.of("cpu", "memory"), init.getResources().getRequests().keySet(), "cpu and memory requests");
    }

    static Map<String, String> quantities(Map<String, Quantity> q) {
        Map<String, String> out = new TreeMap<>();
        q.forEach((k, v) -> out.put(k, v.toString()));
        return out;
    }

    /** A container served by the sidecar: command untouched, only GOCOVERDIR (its own directory) and the mount added. */
    private static void checkServedBySidecar(Container orig, Container now) {
        assertEquals(orig.getCommand(), now.getCommand(), "command of " + orig.getName() + " untouched");
        List<EnvVar> origEnv = orig.getEnv() == null ? List.of() : orig.getEnv();
        List<EnvVar> expectedEnv = new ArrayList<>(origEnv);
        expectedEnv.add(new EnvVar(Labels.ENV_GOCOVERDIR, Labels.COVDATA_DIR + "/" + orig.getName(), null));
        assertEquals(expectedEnv, now.getEnv(), "env of " + orig.getName());
        List<VolumeMount> mounts = new ArrayList<>(orig.getVolumeMounts() == null ? List.of() : orig.getVolumeMounts());
        mounts.add(new VolumeMount(Labels.COVDATA_DIR, null, Labels.COVDATA_VOLUME, null, null, null, null));
        assertEquals(mounts, now.getVolumeMounts(), "mounts of " + orig.getName());
    }

    /**
     * The native sidecar: integcov-agent sidecar for the served containers, restartPolicy Always, a postStart hook
     * that creates their directories (the kubelet starts the apps only after it), the agent's env.
     */
    private static void checkSidecar(Container sidecar, List<String> served, CoverageCapture capture,
            Long gracePeriodSeconds) {
        CoverageCaptureSpec spec = capture.getSpec();
        assertEquals(Labels.SIDECAR_NAME, sidecar.getName());
        assertEquals("Always", sidecar.getRestartPolicy());
        List<String> command = new ArrayList<>(List.of("/integcov-agent", "sidecar"));
        command.addAll(served);
        assertEquals(command, sidecar.getCommand());
        List<String> prepare = new ArrayList<>(List.of("/integcov-agent", "prepare"));
        prepare.addAll(served);
        assertEquals(prepare, sidecar.getLifecycle().getPostStart().getExec().getCommand(),
                "the postStart hook creates each served container's GOCOVERDIR before the kubelet starts the apps");
        assertEquals(Labels.COVDATA_DIR, env(sidecar, Labels.ENV_GOCOVERDIR).getValue());
        storageEnv(capture).forEach((var, value) -> assertEquals(value, env(sidecar, var),
                "the sidecar gets the storage settings a wrapped container without env of its own gets: " + var));
        assertEquals(capture.getMetadata().getName(), env(sidecar, Labels.ENV_CAPTURE).getValue());
        assertEquals(capture.getMetadata().getUid(), env(sidecar, Labels.ENV_CAPTURE_UID).getValue());
        assertEquals("metadata.name", env(sidecar, Labels.ENV_POD_NAME).getValueFrom().getFieldRef().getFieldPath());
        assertEquals(gracePeriodSeconds == null ? null : gracePeriodSeconds.toString(),
                env(sidecar, Labels.ENV_GRACE_PERIOD) == null ? null : env(sidecar, Labels.ENV_GRACE_PERIOD).getValue());
        assertNull(env(sidecar, Labels.ENV_CONTAINER), "the sidecar serves several containers");
        Set<String> names = new TreeSet<>(storageEnv(capture).keySet());
        names.addAll(List.of(Labels.ENV_GOCOVERDIR, Labels.ENV_POD_NAME, Labels.ENV_POD_NAMESPACE, Labels.ENV_CAPTURE,
                Labels.ENV_CAPTURE_UID));
        if (spec.getUploadTimeoutSeconds() != null) {
            names.add(Labels.ENV_UPLOAD_TIMEOUT);
        }
        if (gracePeriodSeconds != null) {
            names.add(Labels.ENV_GRACE_PERIOD);
        }
        assertEquals(names, new TreeSet<>(sidecar.getEnv().stream().map(EnvVar::getName).toList()),
                "the sidecar's env is the agent's and the capture's, nothing of the app containers'");
        assertEquals(Labels.COVDATA_DIR, mount(sidecar, Labels.COVDATA_VOLUME).getMountPath());
        boolean credentials = storageOf(capture).credentials() != null;
        assertEquals(credentials, mount(sidecar, PodMutator.CREDENTIALS_VOLUME) != null, "credentials mount");
        if (credentials) {
            assertEquals(PodMutator.CREDENTIALS_DIR + "/" + PodMutator.CREDENTIALS_FILE,
                    env(sidecar, PodMutator.ENV_GOOGLE_CREDENTIALS).getValue());
        }
        checkRestrictedAndSized(sidecar, Fixtures.JSON.createObjectNode());
    }

    private static void checkVolumes(Pod before, Pod after, JsonNode expect, CoverageCaptureSpec spec, boolean bin) {
        int n = before.getSpec().getVolumes() == null ? 0 : before.getSpec().getVolumes().size();
        if (n > 0) {
            assertEquals(before.getSpec().getVolumes(), after.getSpec().getVolumes().subList(0, n));
        }
        List<Volume> added = after.getSpec().getVolumes().subList(n, after.getSpec().getVolumes().size());
        List<String> expected = new ArrayList<>(bin ? List.of(Labels.BIN_VOLUME) : List.of());
        if (expect.path("covdataVolume").asBoolean(true)) {
            expected.add(Labels.COVDATA_VOLUME);
        }
        CredentialsSecret credentials = Fixtures.SETTINGS.defaultStore().storageOf(spec).credentials();
        if (credentials != null) {
            expected.add(PodMutator.CREDENTIALS_VOLUME);
        }
        assertEquals(expected, added.stream().map(Volume::getName).toList());
        for (Volume v : added) {
            if (v.getName().equals(PodMutator.CREDENTIALS_VOLUME)) {
                assertEquals(credentials.getName(), v.getSecret().getSecretName());
                assertEquals(Boolean.TRUE, v.getSecret().getOptional(), "a missing Secret must not block the pod");
                assertEquals(List.of(new KeyToPath(credentials.keyOrDefault(), null, PodMutator.CREDENTIALS_FILE)),
                        v.getSecret().getItems());
            } else {
                assertTrue(v.getEmptyDir() != null, v.getName() + " is an emptyDir");
            }
        }
    }

    /**
     * A wrapped container without env of its own for any storage setting and the sidecar of the same pod get the same
     * storage settings (name, value or valueFrom), and the credentials mount whenever one of them does.
     */
    private static void checkSidecarStorageEqualsWrapped(Pod before, Pod after, CoverageCapture capture) {
        Container sidecar = after.getSpec().getInitContainers().stream()
                .filter(k -> k.getName().equals(Labels.SIDECAR_NAME)).findFirst().orElseThrow();
        Set<String> storageNames = new TreeSet<>(storageEnv(capture).keySet());
        storageNames.addAll(List.of(Labels.ENV_STORAGE_EMULATOR_HOST, Labels.ENV_AGENT_EMULATOR_HOST,
                PodMutator.ENV_GOOGLE_CREDENTIALS));
        for (int i = 0; i < before.getSpec().getContainers().size(); i++) {
            Container orig = before.getSpec().getContainers().get(i);
            Container now = after.getSpec().getContainers().get(i);
            boolean wrapped = now.getCommand() != null && !now.getCommand().isEmpty()
                    && now.getCommand().get(0).equals(Labels.AGENT_PATH);
            boolean ownStorageEnv = orig.getEnv() != null
                    && orig.getEnv().stream().anyMatch(e -> storageNames.contains(e.getName()));
            if (!wrapped || ownStorageEnv) {
                continue;
            }
            for (String name : storageNames) {
                assertEquals(env(now, name), env(sidecar, name), name + ": sidecar and wrapped " + orig.getName());
            }
            assertEquals(mount(now, PodMutator.CREDENTIALS_VOLUME), mount(sidecar, PodMutator.CREDENTIALS_VOLUME),
                    "credentials mount: sidecar and wrapped " + orig.getName());
        }
    }

    /** A fixture's expected env value: null (YAML null) means the variable must be absent. */
    private static String expectedValue(JsonNode v) {
        return v.isNull() ? null : v.asText();
    }

    /** The pod as JSON without the parts the webhook may touch. */
    private static CaptureStorage storageOf(CoverageCapture capture) {
        return Fixtures.SETTINGS.defaultStore().storageOf(capture.getSpec());
    }

    /**
     * The storage settings every agent of the capture gets (unless a wrapped container sets one itself): its storage
     * (the default store's address first), the credentials file, then spec.env; the first of a name wins.
     */
    private static Map<String, EnvVar> storageEnv(CoverageCapture capture) {
        Map<String, EnvVar> env = new LinkedHashMap<>();
        CaptureStorage storage = storageOf(capture);
        storage.agentEnv().forEach((name, value) -> env.put(name, new EnvVar(name, value, null)));
        if (storage.credentials() != null) {
            env.putIfAbsent(PodMutator.ENV_GOOGLE_CREDENTIALS, new EnvVar(PodMutator.ENV_GOOGLE_CREDENTIALS,
                    PodMutator.CREDENTIALS_DIR + "/" + PodMutator.CREDENTIALS_FILE, null));
        }
        if (capture.getSpec().getEnv() != null) {
            capture.getSpec().getEnv().forEach(e -> env.putIfAbsent(e.getName(), e));
        }
        return env;
    }

    private static JsonNode withoutInjectedParts(Pod pod) {
        ObjectNode json = JSON.valueToTree(pod);
        ((ObjectNode) json.get("metadata")).remove("annotations");
        if (json.get("metadata").get("labels") instanceof ObjectNode labels) {
            labels.remove(Labels.INJECTED_LABEL);
            if (labels.isEmpty()) {
                ((ObjectNode) json.get("metadata")).remove("labels");
            }
        }
        ObjectNode spec = (ObjectNode) json.get("spec");
        spec.remove(List.of("initContainers", "volumes"));
        for (JsonNode c : spec.withArray("containers")) {
            ((ObjectNode) c).remove(List.of("command", "env", "volumeMounts"));
        }
        return json;
    }

    static void assertWarnings(List<String> expectedSubstrings, List<String> warnings) {
        assertEquals(expectedSubstrings.size(), warnings.size(), "warnings " + warnings);
        for (String s : expectedSubstrings) {
            assertTrue(warnings.stream().anyMatch(w -> w.contains(s)), "a warning containing '" + s + "' in " + warnings);
        }
        warnings.forEach(w -> assertTrue(w.startsWith("integcov: "), w));
    }

    static EnvVar env(Container c, String name) {
        return c.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst().orElse(null);
    }

    static VolumeMount mount(Container c, String volume) {
        return c.getVolumeMounts().stream().filter(m -> m.getName().equals(volume)).findFirst().orElse(null);
    }
}
