package io.integcov.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.integcov.model.CommandOverride;
import io.integcov.model.CoverageCapture;
import io.integcov.model.CoverageCaptureSpec;
import io.integcov.model.DefaultStore;
import io.integcov.model.Labels;
import io.integcov.model.StorageSpec;
import io.integcov.testing.GoTools;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What the coverage scenarios on the local cluster have in common, so that each scenario class holds only its
 * scenario: integcov installed as users install it ({@link IntegcovInCluster}), the default store read through a
 * port-forward ({@link DefaultStoreAccess}), the covapp images, a snapshot of the CLI jar; and the steps and checks the
 * scenarios share: labelled (and Pod Security "restricted") namespaces, captures without storage (the default store),
 * covapp pods, the contract of a wrapped pod and of a sidecar-served pod, requests to covapp, the upload manifests in
 * the store, {@code integcov collect}, and direct runs of the same binary to compare percents with.
 *
 * <p>The installation, the covapp images and the CLI jar are made once per test run and shared by every scenario class
 * ({@link CoverageScenariosExtension}: an install costs minutes); each class gets its own instance: its own work
 * directory and port-forward.
 */
final class CoverageScenarios implements AutoCloseable {
    /** A capture without spec.storage: its pods upload to the default store. */
    static final String DEFAULT_STORE = null;
    static final String AGENT_IN_APP = "/var/run/integcov/bin/integcov-agent";
    /** The native sidecar's command (the agent image's binary). */
    static final String SIDECAR_BIN = "/integcov-agent";
    static final int APP_PORT = 8080;
    /** covapp's arguments in the Deployments and in the direct runs they are compared with. */
    static final List<String> SERVE_WORK = List.of("-work", "30");
    /** The requests every replica (and every direct run) gets. */
    static final Map<Integer, String> REQUESTS = Map.of(15, "fizzbuzz", 10, "buzz", 9, "fizz");
    /** Bound for the cluster to converge (scheduling, informers, reconcile, uploads): not an assertion on speed. */
    static final Duration CONVERGE = Duration.ofMinutes(3);
    static final ObjectMapper JSON = new ObjectMapper();

    final LocalCluster cluster;
    final KubernetesClient admin;
    final IntegcovInCluster integcov;
    final DefaultStoreAccess store;
    /** A snapshot of cli/target/integcov.jar: a rebuild of cli/ during the run cannot change it. */
    final Path cliJar;
    /** This scenario class's own work directory (target/e2e-work/CLASS). */
    final Path work;

    CoverageScenarios(LocalCluster cluster, IntegcovInCluster integcov, DefaultStoreAccess store, Path cliJar,
            Path work) {
        this.cluster = cluster;
        this.admin = cluster.api().adminClient();
        this.integcov = integcov;
        this.store = store;
        this.cliJar = cliJar;
        this.work = work;
    }

    /** Closes the port-forward to the store (JUnit does, after the class). */
    @Override
    public void close() throws Exception {
        store.close();
    }

    /** A namespace labelled for injection; {@code restricted}: it enforces Pod Security "restricted". */
    void namespace(String ns, boolean labelled, boolean restricted) {
        NamespaceBuilder b = new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata();
        if (labelled) {
            b.editMetadata().addToLabels(Labels.INJECT_LABEL, Labels.INJECT_ENABLED).endMetadata();
        }
        if (restricted) {
            b.editMetadata().addToLabels("pod-security.kubernetes.io/enforce", "restricted").endMetadata();
        }
        admin.namespaces().resource(b.build()).serverSideApply();
        // pods are refused until kube-controller-manager created the namespace's default ServiceAccount
        admin.serviceAccounts().inNamespace(ns).withName("default").waitUntilCondition(sa -> sa != null,
                CONVERGE.toSeconds(), TimeUnit.SECONDS);
    }

    /** A capture of the pods labelled app={@code appLabel}; {@code url} null ({@link #DEFAULT_STORE}): no storage. */
    CoverageCapture capture(String ns, String name, String url, String appLabel,
            CommandOverride... overrides) {
        CoverageCaptureSpec spec = new CoverageCaptureSpec();
        spec.setStorage(url == null ? null : new StorageSpec(url));
        spec.setSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("app", appLabel)).build());
        spec.setUploadTimeoutSeconds(30);
        spec.setCommandOverrides(List.of(overrides));
        admin.resources(CoverageCapture.class).inNamespace(ns).resource(new CoverageCapture(ns, name, spec))
                .serverSideApply();
        return admin.resources(CoverageCapture.class).inNamespace(ns).withName(name).get();
    }

    /** covapp as a restricted-compliant container: non-root 65532, read-only root fs, no capabilities. */
    static Container covapp(String image, List<String> command, List<String> args) {
        return new ContainerBuilder().withName("app").withImage(image).withImagePullPolicy("Never")
                .withCommand(command).withArgs(args)
                .withNewSecurityContext().withAllowPrivilegeEscalation(false).withReadOnlyRootFilesystem(true)
                .withNewCapabilities().withDrop("ALL").endCapabilities().endSecurityContext()
                .build();
    }

    static PodSpec podSpec(String restartPolicy, Container app) {
        return new PodSpecBuilder().withRestartPolicy(restartPolicy).withTerminationGracePeriodSeconds(30L)
                .withNewSecurityContext().withRunAsNonRoot(true).withRunAsUser(65532L).withRunAsGroup(65532L)
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile().endSecurityContext()
                .withContainers(app).build();
    }

    static Pod pod(String ns, String name, String appLabel, PodSpec spec) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(ns)
                .withLabels(Map.of("app", appLabel)).endMetadata().withSpec(spec).build();
    }

    static boolean injected(Pod p) {
        return p != null && p.getMetadata().getAnnotations() != null
                && p.getMetadata().getAnnotations().containsKey(Labels.INJECTED_ANNOTATION);
    }

    /** The webhook learns about a new CoverageCapture through its informer: wait until a dry-run create is mutated. */
    void awaitWebhookSees(Pod probe) throws Exception {
        KubeApiServer.waitUntil("a dry-run create of " + probe.getMetadata().getNamespace() + "/"
                + probe.getMetadata().getName() + " is mutated by the webhook", null,
                () -> injected(admin.pods().inNamespace(probe.getMetadata().getNamespace()).resource(probe).dryRun()
                        .create()));
    }

    /** Checks a stored pod is wrapped for {@code cc} as the contract says (init container, command, env, volumes). */
    static void assertWrapped(Pod stored, CoverageCapture cc, List<String> originalCommand, List<String> args) {
        assertEquals(cc.getMetadata().getName(), stored.getMetadata().getAnnotations().get(Labels.INJECTED_ANNOTATION));
        Container init = stored.getSpec().getInitContainers().stream()
                .filter(c -> Labels.INIT_CONTAINER_NAME.equals(c.getName())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + Labels.INIT_CONTAINER_NAME + " init container"));
        assertEquals(IntegcovInCluster.AGENT_IMAGE, init.getImage());
        assertEquals(List.of("/integcov-agent", "install", "/var/run/integcov/bin"), init.getCommand());
        Container app = stored.getSpec().getContainers().get(0);
        List<String> wrapped = new ArrayList<>(List.of(AGENT_IN_APP, "run", "--"));
        wrapped.addAll(originalCommand);
        assertEquals(wrapped, app.getCommand());
        assertEquals(args, app.getArgs());
        Map<String, EnvVar> env = new LinkedHashMap<>();
        app.getEnv().forEach(e -> env.put(e.getName(), e));
        assertEquals(Labels.COVDATA_DIR + "/" + app.getName(), env.get(Labels.ENV_GOCOVERDIR).getValue(),
                "each wrapped container has its own GOCOVERDIR");
        Map<String, String> values = new LinkedHashMap<>();
        env.forEach((k, v) -> values.put(k, v.getValue()));
        assertStorageEnv(cc, values);
        assertEquals(cc.getMetadata().getName(), env.get("INTEGCOV_CAPTURE").getValue());
        assertEquals(cc.getMetadata().getUid(), env.get("INTEGCOV_CAPTURE_UID").getValue());
        List<String> volumes = stored.getSpec().getVolumes().stream().map(v -> v.getName()).toList();
        assertTrue(volumes.containsAll(List.of(Labels.BIN_VOLUME, Labels.COVDATA_VOLUME)), volumes.toString());
    }

    /**
     * The storage settings the webhook gives an injected container or sidecar: the capture's own URL, or for a capture
     * without spec.storage the default store's URL and the address of its Service (the one place that names the env
     * var carrying that address).
     */
    static void assertStorageEnv(CoverageCapture cc, Map<String, String> env) {
        if (cc.getSpec().getStorage() != null) {
            assertEquals(cc.getSpec().getStorage().getUrl(), env.get(Labels.ENV_STORAGE), env.toString());
            assertNull(env.get(DEFAULT_STORE_ADDRESS_ENV), "no default store address with a storage of its own");
            return;
        }
        assertEquals(DefaultStore.URL, env.get(Labels.ENV_STORAGE), env.toString());
        assertEquals(DefaultStore.EMULATOR_HOST, env.get(DEFAULT_STORE_ADDRESS_ENV), env.toString());
        // the address is the agent's only: the app's own STORAGE_EMULATOR_HOST (if any) is left as the app set it
        assertNull(env.get("STORAGE_EMULATOR_HOST"), "integcov gave the app a STORAGE_EMULATOR_HOST: " + env);
    }

    /** The env var through which injected containers and the sidecar learn the default store's address. */
    static final String DEFAULT_STORE_ADDRESS_ENV = "INTEGCOV_STORAGE_EMULATOR_HOST";

    Pod waitPod(String ns, String name, String what, java.util.function.Predicate<Pod> condition) {
        try {
            return admin.pods().inNamespace(ns).withName(name).waitUntilCondition(p -> p != null && condition.test(p),
                    CONVERGE.toSeconds(), TimeUnit.SECONDS);
        } catch (KubernetesClientException e) {
            Pod p = admin.pods().inNamespace(ns).withName(name).get();
            throw new AssertionError("pod " + ns + "/" + name + ": not " + what + " within " + CONVERGE + "; status "
                    + (p == null ? "(gone)" : p.getStatus()), e);
        }
    }

    static ContainerStateTerminated terminated(Pod p) {
        return p.getStatus().getContainerStatuses().get(0).getState().getTerminated();
    }

    /** Sends {@link #REQUESTS} to covapp at host:port (waiting until it listens) and checks the answers. */
    static void sendRequests(String host, int port) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI probe = URI.create("http://" + host + ":" + port + "/classify?n=1");
        KubeApiServer.waitUntil("covapp answers on " + probe, null, () -> http.send(HttpRequest.newBuilder(probe)
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
        for (Map.Entry<Integer, String> r : REQUESTS.entrySet()) {
            HttpResponse<String> resp = http.send(HttpRequest.newBuilder(
                    URI.create("http://" + host + ":" + port + "/classify?n=" + r.getKey())).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(r.getValue(), resp.body().trim(), "classify " + r.getKey() + " on " + host);
        }
    }

    /** Storage objects (below the bucket) of one capture's pod: {@code coverage/<ns>/<capture>/<uid>/<pod>/}. */
    List<String> gcsObjects(CoverageCapture cc, String pod) throws Exception {
        String prefix = "coverage/" + cc.getMetadata().getNamespace() + "/" + cc.getMetadata().getName() + "/"
                + cc.getMetadata().getUid() + "/" + pod + "/";
        return store.gcs().objectNames(DefaultStoreAccess.BUCKET).stream().filter(o -> o.startsWith(prefix)).toList();
    }

    List<JsonNode> gcsManifests(CoverageCapture cc, String pod) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String o : gcsObjects(cc, pod)) {
            if (o.endsWith("/integcov-manifest.json")) {
                out.add(JSON.readTree(store.gcs().object(DefaultStoreAccess.BUCKET, o)));
            }
        }
        return out;
    }

    List<JsonNode> awaitGcsManifests(CoverageCapture cc, String pod, int count) throws Exception {
        KubeApiServer.waitUntil(count + " upload manifest(s) of pod " + pod, null,
                () -> gcsManifests(cc, pod).size() >= count);
        return gcsManifests(cc, pod);
    }

    String runCli(List<String> args, Map<String, String> env) throws Exception {
        return runCli(args, env, "");
    }

    /** Runs the integcov CLI jar; fails (with {@code context} in the message) unless it exits 0. */
    String runCli(List<String> args, Map<String, String> env, String context) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(E2eEnv.java().toString(), "-jar", cliJar.toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(CONVERGE.toSeconds(), TimeUnit.SECONDS), "integcov " + args + " did not finish");
        assertEquals(0, p.exitValue(), "integcov " + args + ":\n" + out + (context.isEmpty() ? "" : "\n" + context));
        return out;
    }

    Map<String, String> cliEnv() {
        return Map.of("KUBECONFIG", cluster.adminKubeconfig().toString());
    }

    static List<String> listing(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    static long countFiles(Path dir, String prefix) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith(prefix)).count();
        }
    }

    /**
     * What the same binary reports without Kubernetes and integcov: {@code runs} direct runs of covapp serving on
     * loopback, each given {@link #REQUESTS} and stopped with SIGTERM, counters merged by {@code go tool covdata}.
     */
    double directPercent(int runs) throws Exception {
        Path covdata = Files.createDirectories(work.resolve("direct-covdata"));
        for (int i = 0; i < runs; i++) {
            int port = KubeApiServer.freePort();
            List<String> cmd = new ArrayList<>(List.of(Images.covappBinary(cluster).toString(),
                    "-serve", "127.0.0.1:" + port));
            cmd.addAll(SERVE_WORK);
            try (ManagedProcess p = ManagedProcess.startClean("covapp-direct-" + i, cmd,
                    Map.of("GOCOVERDIR", covdata.toString()), work, work.resolve("covapp-direct-" + i + ".log"))) {
                sendRequests("127.0.0.1", port);
                assertEquals(0, p.stop(CONVERGE), p.logTail(20));
            }
        }
        return GoTools.coveragePercent(covdata);
    }

    static int restarts(Pod p) {
        return p.getStatus().getContainerStatuses() == null || p.getStatus().getContainerStatuses().isEmpty() ? 0
                : p.getStatus().getContainerStatuses().get(0).getRestartCount();
    }

    /** Names of the counter files the committed manifests of a pod list. */
    Set<String> committedCounters(CoverageCapture cc, String pod) throws Exception {
        Set<String> names = new TreeSet<>();
        for (JsonNode m : gcsManifests(cc, pod)) {
            for (JsonNode f : m.path("files")) {
                if (f.path("name").asText().startsWith("covcounters.")) {
                    names.add(f.path("name").asText());
                }
            }
        }
        return names;
    }

    // --- native-sidecar mode -------------------------------------------------------------------------------------

    /**
     * A capture in {@code mode} (null: the default, Auto) with no commandOverrides and no storage: the sidecar uploads
     * to the default store, whose address the webhook gives it (the app container is given nothing of integcov's but
     * GOCOVERDIR).
     */
    CoverageCapture sidecarCapture(String ns, String name, String appLabel, CoverageCaptureSpec.Mode mode) {
        CoverageCaptureSpec spec = new CoverageCaptureSpec();
        spec.setSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("app", appLabel)).build());
        spec.setUploadTimeoutSeconds(30);
        spec.setMode(mode);
        admin.resources(CoverageCapture.class).inNamespace(ns).resource(new CoverageCapture(ns, name, spec))
                .serverSideApply();
        return admin.resources(CoverageCapture.class).inNamespace(ns).withName(name).get();
    }

    /**
     * Checks a stored pod is served by the native sidecar for {@code cc}: no installer, one init container
     * {@code integcov-agent} with restartPolicy Always running {@code /integcov-agent sidecar app} from the agent
     * image; the app container's command and args untouched, its only addition GOCOVERDIR (its own sub-directory)
     * and the covdata mount.
     */
    static void assertServedBySidecar(Pod stored, CoverageCapture cc, List<String> command, List<String> args) {
        assertEquals(cc.getMetadata().getName(), stored.getMetadata().getAnnotations().get(Labels.INJECTED_ANNOTATION));
        List<Container> inits = stored.getSpec().getInitContainers();
        assertEquals(List.of(Labels.SIDECAR_NAME), inits.stream().map(Container::getName).toList(),
                "only the native sidecar, no installer (nothing is wrapped)");
        Container sidecar = inits.get(0);
        assertEquals("Always", sidecar.getRestartPolicy(), "a native sidecar");
        assertEquals(IntegcovInCluster.AGENT_IMAGE, sidecar.getImage());
        assertEquals(List.of(SIDECAR_BIN, "sidecar", "app"), sidecar.getCommand());
        assertEquals(List.of(SIDECAR_BIN, "prepare", "app"), sidecar.getLifecycle().getPostStart().getExec().getCommand(),
                "the app's GOCOVERDIR is created before the kubelet starts the app");
        Map<String, String> sidecarEnv = new java.util.HashMap<>();
        sidecar.getEnv().stream().filter(e -> e.getValue() != null).forEach(e -> sidecarEnv.put(e.getName(), e.getValue()));
        assertEquals(Labels.COVDATA_DIR, sidecarEnv.get(Labels.ENV_GOCOVERDIR));
        assertStorageEnv(cc, sidecarEnv);
        assertEquals(cc.getMetadata().getUid(), sidecarEnv.get("INTEGCOV_CAPTURE_UID"));

        Container app = stored.getSpec().getContainers().get(0);
        assertEquals(command, app.getCommand() == null ? List.of() : app.getCommand(), "command untouched");
        assertEquals(args, app.getArgs());
        assertEquals(List.of(new EnvVar(Labels.ENV_GOCOVERDIR, Labels.COVDATA_DIR + "/app", null)), app.getEnv(),
                "the app container only gets its own GOCOVERDIR");
        assertTrue(app.getVolumeMounts().stream().anyMatch(m -> Labels.COVDATA_VOLUME.equals(m.getName())
                && Labels.COVDATA_DIR.equals(m.getMountPath())), app.getVolumeMounts().toString());
    }

    static ContainerStatus sidecarStatus(Pod p) {
        return p.getStatus().getInitContainerStatuses().stream()
                .filter(s -> Labels.SIDECAR_NAME.equals(s.getName())).findFirst()
                .orElseThrow(() -> new AssertionError("no status of " + Labels.SIDECAR_NAME + ": " + p.getStatus()));
    }

    /** The manifest of a sidecar upload: mode sidecar, this pod's app container, the capture's uid, meta + counters. */
    static void assertSidecarManifest(JsonNode m, CoverageCapture cc, String pod) {
        assertEquals("sidecar", m.path("mode").asText(), m.toString());
        assertEquals(pod, m.path("pod").asText(), m.toString());
        assertEquals("app", m.path("container").asText(), m.toString());
        assertEquals(cc.getMetadata().getUid(), m.path("captureUid").asText(), m.toString());
        assertEquals(0, m.path("failed").size(), "nothing failed: " + m);
        List<String> names = new ArrayList<>();
        m.path("files").forEach(f -> names.add(f.path("name").asText()));
        assertTrue(names.stream().anyMatch(n -> n.startsWith("covmeta.")), "covmeta uploaded: " + m);
        assertTrue(names.stream().anyMatch(n -> n.startsWith("covcounters.")), "the exit's counters uploaded: " + m);
        assertTrue(names.stream().noneMatch(n -> n.startsWith("tmp.")), "never a tmp.* file: " + m);
    }

    /** The logs of the app and the sidecar (for failure messages), or what could not be read. */
    String logs(String ns, String pod) {
        StringBuilder sb = new StringBuilder();
        for (String c : List.of("app", Labels.SIDECAR_NAME)) {
            try {
                sb.append(c).append(":\n")
                        .append(admin.pods().inNamespace(ns).withName(pod).inContainer(c).getLog())
                        .append('\n');
            } catch (RuntimeException e) {
                sb.append(c).append(": log not readable: ").append(e.getMessage()).append('\n');
            }
        }
        return sb.toString();
    }

    /** covapp run directly (no Kubernetes, no integcov) with {@code args} until it exits 0; its coverage percent. */
    double directBatchPercent(List<String> args) throws Exception {
        Path covdata = Files.createDirectories(work.resolve("direct-batch-covdata"));
        List<String> cmd = new ArrayList<>(List.of(Images.covappBinary(cluster).toString()));
        cmd.addAll(args);
        try (ManagedProcess p = ManagedProcess.startClean("covapp-direct-batch", cmd,
                Map.of("GOCOVERDIR", covdata.toString()), work,
                work.resolve("covapp-direct-batch.log"))) {
            assertTrue(p.process().waitFor(CONVERGE.toSeconds(), TimeUnit.SECONDS), "covapp " + args + " ended");
            assertEquals(0, p.stop(CONVERGE), p.logTail(20));
        }
        return GoTools.coveragePercent(covdata);
    }

    /**
     * testapps/covapp plus the one-line import of integcov.io/agent/flush (its own module in this repository), built
     * {@code -cover -covermode=atomic} (needed to read counters while it runs) into an ENTRYPOINT-only image.
     */
    Path flushableCovapp() throws Exception {
        Path src = Files.createDirectories(work.resolve("covapp-flush"));
        Files.copy(E2eEnv.repoRoot().resolve("testapps/covapp/main.go"), src.resolve("main.go"));
        Files.writeString(src.resolve("flush.go"), "package main\n\nimport _ \"integcov.io/agent/flush\"\n");
        Files.writeString(src.resolve("go.mod"), "module integcov.io/testapps/covapp\n\ngo 1.21\n\n"
                + "require integcov.io/agent/flush v0.0.0\n\nreplace integcov.io/agent/flush => "
                + E2eEnv.repoRoot().resolve("agent/flush")
                + "\n");
        Path bin = src.resolve("covapp");
        ProcessBuilder pb = new ProcessBuilder(GoTools.go().toString(), "build", "-cover", "-covermode=atomic",
                "-trimpath", "-o", bin.toString(), ".").directory(src.toFile()).redirectErrorStream(true);
        pb.environment().put("CGO_ENABLED", "0");
        // the flush module is local and has no dependencies
        pb.environment().put("GOFLAGS", "-mod=mod");
        pb.environment().put("GOPROXY", "off");
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "go build -cover -covermode=atomic of covapp with the flush import:\n" + out);
        return bin;
    }

    /**
     * The coverage "at that moment" of {@code runs} direct runs of the flushable binary (no Kubernetes, no integcov):
     * each serves on loopback, gets the same requests, is asked over its flush socket to write its counters (the
     * protocol integcov-agent flush speaks: "flush\\n", answer "ok") and is then SIGKILLed, so nothing is written at exit.
     */
    double directFlushedPercent(Path bin, List<String> args, int runs) throws Exception {
        // short: unix socket paths are limited to 108 bytes
        Path covdata = Files.createTempDirectory("icflush");
        for (int i = 0; i < runs; i++) {
            int port = KubeApiServer.freePort();
            List<String> cmd = new ArrayList<>(List.of(bin.toString(), "-serve", "127.0.0.1:" + port));
            cmd.addAll(args.subList(2, args.size()));
            try (ManagedProcess p = ManagedProcess.startClean("covapp-flush-direct-" + i, cmd,
                    Map.of("GOCOVERDIR", covdata.toString()), work,
                    work.resolve("covapp-flush-direct-" + i + ".log"))) {
                sendRequests("127.0.0.1", port);
                Path socket = covdata.resolve(".integcov-flush-" + p.pid() + ".sock");
                try (java.nio.channels.SocketChannel ch = java.nio.channels.SocketChannel.open(
                        java.net.UnixDomainSocketAddress.of(socket))) {
                    ch.write(java.nio.ByteBuffer.wrap("flush\n".getBytes(StandardCharsets.US_ASCII)));
                    java.nio.ByteBuffer answer = java.nio.ByteBuffer.allocate(512);
                    while (ch.read(answer) >= 0 && (answer.position() == 0
                            || answer.get(answer.position() - 1) != '\n')) {
                        // until the answer line is complete
                    }
                    assertEquals("ok", new String(answer.array(), 0, answer.position(), StandardCharsets.US_ASCII)
                            .trim(), p.logTail(20));
                }
                p.process().destroyForcibly().waitFor();
            }
        }
        try {
            return GoTools.coveragePercent(covdata);
        } finally {
            try (java.util.stream.Stream<Path> w = Files.walk(covdata)) {
                for (Path f : w.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(f);
                }
            }
        }
    }
}
