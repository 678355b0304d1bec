package io.integcov.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.integcov.model.CoverageCapture;
import io.integcov.model.CoverageCaptureSpec;
import io.integcov.model.Labels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The four classes of pods that the webhook used to break, created for real through the kube-apiserver of the
 * {@link LocalCluster} with integcov installed as users install it ({@link IntegcovInCluster}: the webhook's pods
 * behind its Service, registered as deploy/ registers it): a namespace with a compute ResourceQuota and no LimitRange, a Windows pod, a pod with 5,500
 * env vars, and pods whose volume, init container or mount names collide with integcov's. Each must be admitted and
 * stored as the injection contract says (injected, or skipped whole with its {@code integcov.io/skipped} entry and an
 * Event on the CoverageCapture); and a pod whose container has no command, served by the native sidecar. The pods
 * carry a nodeSelector no node has, so the apiserver stores them and nothing runs them: admission is what is tested
 * here.
 */
@ExtendWith({LocalClusterExtension.class, SystemPodLogsOnFailure.class})
class WebhookAdmissionTest {
    static final String UNSCHEDULABLE_LABEL = "integcov.io/e2e-never-scheduled";
    static final int ENV_VARS = 5500;

    static IntegcovInCluster integcov;
    static KubernetesClient admin;

    @BeforeAll
    static void install(LocalCluster cluster) throws Exception {
        integcov = IntegcovInCluster.in(cluster);
        admin = cluster.api().adminClient();
    }

    /**
     * Class 1: a compute quota without LimitRange defaults requires requests and limits on every container, the
     * injected init container included. Control: the same pod with a user init container without resources is refused
     * by the quota, so the quota really is enforced here.
     */
    @Test
    void podInANamespaceWithAComputeQuotaIsAdmittedAndInjected() throws Exception {
        String ns = "adm-quota";
        namespace(ns);
        admin.resourceQuotas().inNamespace(ns).resource(new ResourceQuotaBuilder().withNewMetadata().withName("compute")
                .endMetadata().withNewSpec().addToHard("requests.cpu", new Quantity("4"))
                .addToHard("requests.memory", new Quantity("4Gi")).addToHard("limits.cpu", new Quantity("8"))
                .addToHard("limits.memory", new Quantity("8Gi")).endSpec().build()).serverSideApply();
        CoverageCapture cc = captureAndAwait(ns);
        Container app = sized(app("app", "/app"));

        Pod stored = admin.pods().inNamespace(ns).resource(pod(ns, "quota", List.of(app))).create();
        assertInjected(stored, cc);
        Container init = stored.getSpec().getInitContainers().get(0);
        for (String resource : List.of("cpu", "memory")) {
            assertTrue(init.getResources().getRequests().containsKey(resource), "request " + resource);
            assertTrue(init.getResources().getLimits().containsKey(resource), "limit " + resource);
        }

        Pod control = pod(ns, "quota-control", List.of(app));
        control.getSpec().setInitContainers(List.of(app("setup", "/setup")));
        KubernetesClientException refused = assertThrows(KubernetesClientException.class,
                () -> admin.pods().inNamespace(ns).resource(control).create());
        assertTrue(refused.getMessage().contains("failed quota") && refused.getMessage().contains("setup"),
                refused.getMessage());
    }

    /** Class 2: a Windows pod gets nothing (the Linux securityContext of our init container would be forbidden). */
    @Test
    void windowsPodIsAdmittedUntouchedWithASkippedEntryAndAnEvent() throws Exception {
        String ns = "adm-windows";
        namespace(ns);
        CoverageCapture cc = captureAndAwait(ns);
        Pod pod = pod(ns, "win", List.of(app("app", "C:\\app.exe")));
        pod.getSpec().setOs(new io.fabric8.kubernetes.api.model.PodOSBuilder().withName("windows").build());

        Pod stored = admin.pods().inNamespace(ns).resource(pod).create();
        assertNotInjected(stored, pod, "app:os");
        assertEvent(cc, "NotLinux", "pod win: not injected (app:os)");
    }

    /** Class 3: 5,500 env vars (0.5 MB; the whole-pod diff used to run the JVM out of memory) are kept, ours follow. */
    @Test
    void podWithThousandsOfEnvVarsIsAdmittedAndInjected() throws Exception {
        String ns = "adm-env";
        namespace(ns);
        CoverageCapture cc = captureAndAwait(ns);
        List<EnvVar> env = new ArrayList<>();
        for (int i = 0; i < ENV_VARS; i++) {
            env.add(new EnvVar("VAR_" + i, "value-" + i + "-" + "v".repeat(60), null));
        }
        Container app = app("app", "/app");
        app.setEnv(env);

        Pod stored = admin.pods().inNamespace(ns).resource(pod(ns, "many-env", List.of(app))).create();
        assertInjected(stored, cc);
        List<EnvVar> storedEnv = stored.getSpec().getContainers().get(0).getEnv();
        assertEquals(env, storedEnv.subList(0, ENV_VARS), "the user's env, in order");
        assertEquals(Labels.ENV_GOCOVERDIR, storedEnv.get(ENV_VARS).getName());
    }

    /**
     * Class 4: names and paths of the pod that collide with integcov's: the pod (a volume or init container of ours'
     * names) or the container (a mount at our bin path) is skipped whole, never half-injected; the rest is injected.
     */
    @Test
    void collisionsSkipThePodOrContainerAndAreAdmitted() throws Exception {
        String ns = "adm-collide";
        namespace(ns);
        CoverageCapture cc = captureAndAwait(ns);

        Container usesBinVolume = app("app", "/app");
        usesBinVolume.setVolumeMounts(List.of(new io.fabric8.kubernetes.api.model.VolumeMountBuilder()
                .withName(Labels.BIN_VOLUME).withMountPath("/tools").build()));
        Pod binVolume = pod(ns, "bin-volume", List.of(usesBinVolume));
        binVolume.getSpec().setVolumes(List.of(emptyDir(Labels.BIN_VOLUME)));
        assertNotInjected(admin.pods().inNamespace(ns).resource(binVolume).create(), binVolume,
                "app:collision-volume:" + Labels.BIN_VOLUME);

        Pod covdataVolume = pod(ns, "covdata-volume", List.of(app("app", "/app")));
        covdataVolume.getSpec().setVolumes(List.of(emptyDir(Labels.COVDATA_VOLUME)));
        assertNotInjected(admin.pods().inNamespace(ns).resource(covdataVolume).create(), covdataVolume,
                "app:collision-volume:" + Labels.COVDATA_VOLUME);

        Pod initName = pod(ns, "init-name", List.of(app("app", "/app")));
        initName.getSpec().setInitContainers(List.of(app(Labels.INIT_CONTAINER_NAME, "/mine")));
        assertNotInjected(admin.pods().inNamespace(ns).resource(initName).create(), initName,
                "app:collision-init-container:" + Labels.INIT_CONTAINER_NAME);

        Container hidesAgent = app("app", "/app");
        hidesAgent.setVolumeMounts(List.of(new io.fabric8.kubernetes.api.model.VolumeMountBuilder()
                .withName("tools").withMountPath(Labels.BIN_DIR).build()));
        Pod mountPath = pod(ns, "mount-path", List.of(hidesAgent, app("api", "/api")));
        mountPath.getSpec().setVolumes(List.of(emptyDir("tools")));
        Pod stored = admin.pods().inNamespace(ns).resource(mountPath).create();
        assertEquals(cc.getMetadata().getName(), stored.getMetadata().getAnnotations().get(Labels.INJECTED_ANNOTATION));
        assertEquals("app:collision-mount-path:" + Labels.BIN_DIR,
                stored.getMetadata().getAnnotations().get(Labels.SKIPPED_ANNOTATION));
        assertEquals(List.of("/app"), stored.getSpec().getContainers().get(0).getCommand(), "app not wrapped");
        assertEquals(List.of(Labels.AGENT_PATH, "run", "--", "/api"), stored.getSpec().getContainers().get(1)
                .getCommand(), "api wrapped");

        assertEvent(cc, "Collision", "pod bin-volume: not injected (app:collision-volume:integcov-bin)");
    }

    /**
     * Sidecar mode at admission: a container without a command (Auto mode) is served by a native sidecar, which the
     * apiserver's validation must accept (init container with restartPolicy Always) next to the wrapped one.
     */
    @Test
    void commandlessContainerGetsANativeSidecarTheApiServerAccepts() throws Exception {
        String ns = "adm-sidecar";
        namespace(ns);
        CoverageCapture cc = captureAndAwait(ns);
        Container noCommand = app("cache", "/unused");
        noCommand.setCommand(null);
        Pod stored = admin.pods().inNamespace(ns).resource(pod(ns, "mixed", List.of(app("api", "/api"), noCommand)))
                .create();
        assertInjected(stored, cc);
        List<Container> inits = stored.getSpec().getInitContainers();
        assertEquals(List.of(Labels.INIT_CONTAINER_NAME, "integcov-agent"), inits.stream().map(Container::getName)
                .toList());
        Container sidecar = inits.get(1);
        assertEquals("Always", sidecar.getRestartPolicy());
        assertEquals(List.of("/integcov-agent", "sidecar", "cache"), sidecar.getCommand());
        Container cache = stored.getSpec().getContainers().get(1);
        assertTrue(cache.getCommand() == null || cache.getCommand().isEmpty(),
                "the served container keeps its (image) command: " + cache.getCommand());
        assertEquals(List.of(new EnvVar(Labels.ENV_GOCOVERDIR, Labels.COVDATA_DIR + "/cache", null)), cache.getEnv());
    }

    // ---------------------------------------------------------------------------------------------------------------

    static void namespace(String ns) {
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns)
                .addToLabels(Labels.INJECT_LABEL, Labels.INJECT_ENABLED).endMetadata().build()).serverSideApply();
        admin.serviceAccounts().inNamespace(ns).withName("default").waitUntilCondition(sa -> sa != null,
                IntegcovInCluster.START.toSeconds(), TimeUnit.SECONDS);
    }

    /** A CoverageCapture selecting every pod of {@code ns}, once the webhook's informer has it. */
    static CoverageCapture captureAndAwait(String ns) throws Exception {
        CoverageCaptureSpec spec = new CoverageCaptureSpec();
        admin.resources(CoverageCapture.class).inNamespace(ns).resource(new CoverageCapture(ns, "cov", spec))
                .serverSideApply();
        Pod probe = pod(ns, "probe", List.of(sized(app("app", "/app"))));
        KubeApiServer.waitUntil("a dry-run create in " + ns + " is mutated by the webhook", null,
                () -> {
                    Pod p = admin.pods().inNamespace(ns).resource(probe).dryRun().create();
                    return p.getMetadata().getAnnotations() != null
                            && p.getMetadata().getAnnotations().containsKey(Labels.INJECTED_ANNOTATION);
                });
        return admin.resources(CoverageCapture.class).inNamespace(ns).withName("cov").get();
    }

    static Container app(String name, String command) {
        return new ContainerBuilder().withName(name).withImage("registry.invalid/" + name + ":1")
                .withImagePullPolicy("Never").withCommand(command).build();
    }

    static Container sized(Container c) {
        c.setResources(new ResourceRequirementsBuilder().addToRequests("cpu", new Quantity("50m"))
                .addToRequests("memory", new Quantity("32Mi")).addToLimits("cpu", new Quantity("100m"))
                .addToLimits("memory", new Quantity("64Mi")).build());
        return c;
    }

    static Volume emptyDir(String name) {
        return new VolumeBuilder().withName(name).withNewEmptyDir().endEmptyDir().build();
    }

    /** A pod no node will run (a nodeSelector label no node has): the apiserver stores it, nothing starts it. */
    static Pod pod(String ns, String name, List<Container> containers) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata().withNewSpec()
                .withNodeSelector(Map.of(UNSCHEDULABLE_LABEL, "true")).withContainers(containers)
                .withTerminationGracePeriodSeconds(0L).endSpec().build();
    }

    static void assertInjected(Pod stored, CoverageCapture cc) {
        assertEquals(cc.getMetadata().getName(), stored.getMetadata().getAnnotations().get(Labels.INJECTED_ANNOTATION));
        assertEquals(Labels.INIT_CONTAINER_NAME, stored.getSpec().getInitContainers().get(0).getName());
        assertEquals(Labels.AGENT_PATH, stored.getSpec().getContainers().get(0).getCommand().get(0));
        Map<String, String> env = new java.util.HashMap<>();
        stored.getSpec().getContainers().get(0).getEnv().forEach(e -> env.put(e.getName(), e.getValue()));
        assertEquals(cc.getMetadata().getName(), env.get(Labels.ENV_CAPTURE));
        assertEquals(cc.getMetadata().getUid(), env.get(Labels.ENV_CAPTURE_UID));
    }

    /** Stored with only the skipped annotation added: containers, init containers and volumes as created. */
    static void assertNotInjected(Pod stored, Pod created, String skipped) {
        assertNull(stored.getMetadata().getAnnotations().get(Labels.INJECTED_ANNOTATION));
        assertEquals(skipped, stored.getMetadata().getAnnotations().get(Labels.SKIPPED_ANNOTATION));
        assertEquals(created.getSpec().getContainers().stream().map(Container::getCommand).toList(),
                stored.getSpec().getContainers().stream().map(Container::getCommand).toList());
        assertEquals(created.getSpec().getContainers().stream().map(c -> c.getEnv() == null ? 0 : c.getEnv().size())
                .toList(), stored.getSpec().getContainers().stream().map(c -> c.getEnv() == null ? 0 : c.getEnv().size())
                .toList(), "no env added");
        assertEquals(created.getSpec().getInitContainers() == null ? List.of()
                : created.getSpec().getInitContainers().stream().map(Container::getName).toList(),
                stored.getSpec().getInitContainers() == null ? List.of()
                        : stored.getSpec().getInitContainers().stream().map(Container::getName).toList());
        List<String> volumes = stored.getSpec().getVolumes() == null ? List.of()
                : stored.getSpec().getVolumes().stream().map(Volume::getName).filter(v -> v.startsWith("integcov-"))
                        .toList();
        List<String> createdVolumes = created.getSpec().getVolumes() == null ? List.of()
                : created.getSpec().getVolumes().stream().map(Volume::getName).filter(v -> v.startsWith("integcov-"))
                        .toList();
        assertEquals(createdVolumes, volumes, "no integcov volume added");
    }

    /** Waits (bounded) for the webhook's Event on the capture with {@code reason} and a message starting so. */
    static void assertEvent(CoverageCapture cc, String reason, String messageStart) throws Exception {
        String ns = cc.getMetadata().getNamespace();
        java.util.function.Predicate<Event> wanted = e -> reason.equals(e.getReason()) && e.getMessage() != null
                && e.getMessage().startsWith(messageStart);
        KubeApiServer.waitUntil("Event " + reason + " '" + messageStart + "...' on CoverageCapture " + ns + "/cov",
                null, () -> events(ns).stream().anyMatch(wanted));
        Event e = events(ns).stream().filter(wanted).findFirst().orElseThrow();
        assertEquals("CoverageCapture", e.getInvolvedObject().getKind());
        assertEquals(cc.getMetadata().getUid(), e.getInvolvedObject().getUid());
        assertEquals("Warning", e.getType());
    }

    static List<Event> events(String ns) {
        return admin.v1().events().inNamespace(ns).list().getItems();
    }
}
