package io.integcov.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import io.integcov.model.CommandOverride;
import io.integcov.model.CoverageCapture;
import io.integcov.model.CoverageCaptureSpec;
import io.integcov.model.DefaultStore;
import io.integcov.model.Labels;
import io.integcov.model.StorageSpec;
import io.integcov.testing.GoTools;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * integcov end to end on the real local cluster (kubelet + containerd + runc, kube-proxy, CoreDNS), installed as users
 * install it ({@link IntegcovInCluster}: the images built from deploy/docker, {@code kubectl apply -k} of deploy/,
 * operator and webhook as pods), the covapp images built here (one static binary each, nothing else), and pods that
 * Kubernetes itself runs, restarts and stops. The captures name no storage: the agents upload to the in-cluster
 * default store, and nothing in the tests sets an emulator address (they read the store through a port-forward,
 * {@link DefaultStoreAccess}; {@code integcov collect} gets only a kubeconfig). Each scenario checks the stored objects
 * and the coverage that reaches storage: a restricted-namespace Deployment whose 3 replicas serve requests and upload
 * on SIGTERM (collected percent == direct runs of the same binary with the same requests), a Job, a crash-looping pod,
 * the app's own non-zero exit code, file:// on a hostPath, opt-out, an unlabelled namespace, and the webhook scaled to
 * 0 (fail open).
 */
@ExtendWith({LocalClusterExtension.class, SystemPodLogsOnFailure.class})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CoverageEndToEndTest {
    static final String APP_NS = "e2e-apps";
    /** A capture without spec.storage: its pods upload to the default store. */
    static final String DEFAULT_STORE = null;
    static final String AGENT_IN_APP = "/var/run/integcov/bin/integcov-agent";
    static final int APP_PORT = 8080;
    static final int REPLICAS = 3;
    /** covapp's arguments in the Deployment and in the direct runs it is compared with. */
    static final List<String> SERVE_WORK = List.of("-work", "30");
    /** The requests every replica (and every direct run) gets. */
    static final Map<Integer, String> REQUESTS = Map.of(15, "fizzbuzz", 10, "buzz", 9, "fizz");
    /** Bound for the cluster to converge (scheduling, informers, reconcile, uploads): not an assertion on speed. */
    static final Duration CONVERGE = Duration.ofMinutes(3);
    static final ObjectMapper JSON = new ObjectMapper();

    static LocalCluster cluster;
    static KubernetesClient admin;
    static IntegcovInCluster integcov;
    static DefaultStoreAccess store;
    static Path work;
    static Path cliJar;
    static Path hostStorage;

    @BeforeAll
    static void install(LocalCluster c) throws Exception {
        cluster = c;
        admin = c.api().adminClient();
        work = E2eEnv.workDir("CoverageEndToEndTest");
        Path builtCliJar = E2eEnv.repoRoot().resolve("cli/target/integcov.jar");
        assertTrue(Files.isRegularFile(builtCliJar),
                builtCliJar + " is missing; build it: mvn -B -pl cli -am install -DskipTests");
        // a snapshot: a rebuild of cli/ during the run cannot change it
        cliJar = Files.copy(builtCliJar, work.resolve("integcov.jar"));
        integcov = IntegcovInCluster.in(c);
        store = DefaultStoreAccess.open(admin);
        Images.covapp(c);
        // the file:// storage pods reach through a hostPath at the same path, written as user 65532
        hostStorage = Files.createDirectories(work.resolve("hostpath-storage"));
        Files.setPosixFilePermissions(hostStorage, PosixFilePermissions.fromString("rwxrwxrwx"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (store != null) {
            store.close();
            store = null;
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** A namespace labelled for injection; {@code restricted}: it enforces Pod Security "restricted". */
    static void namespace(String ns, boolean labelled, boolean restricted) {
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
    static CoverageCapture capture(String ns, String name, String url, String appLabel,
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
    static void awaitWebhookSees(Pod probe) throws Exception {
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

    static Pod waitPod(String ns, String name, String what, java.util.function.Predicate<Pod> condition) {
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
    static List<String> gcsObjects(CoverageCapture cc, String pod) throws Exception {
        String prefix = "coverage/" + cc.getMetadata().getNamespace() + "/" + cc.getMetadata().getName() + "/"
                + cc.getMetadata().getUid() + "/" + pod + "/";
        return store.gcs().objectNames(DefaultStoreAccess.BUCKET).stream().filter(o -> o.startsWith(prefix)).toList();
    }

    static List<JsonNode> gcsManifests(CoverageCapture cc, String pod) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String o : gcsObjects(cc, pod)) {
            if (o.endsWith("/integcov-manifest.json")) {
                out.add(JSON.readTree(store.gcs().object(DefaultStoreAccess.BUCKET, o)));
            }
        }
        return out;
    }

    static List<JsonNode> awaitGcsManifests(CoverageCapture cc, String pod, int count) throws Exception {
        KubeApiServer.waitUntil(count + " upload manifest(s) of pod " + pod, null,
                () -> gcsManifests(cc, pod).size() >= count);
        return gcsManifests(cc, pod);
    }

    static String runCli(List<String> args, Map<String, String> env) throws Exception {
        return runCli(args, env, "");
    }

    /** Runs the integcov CLI jar; fails (with {@code context} in the message) unless it exits 0. */
    static String runCli(List<String> args, Map<String, String> env, String context) throws Exception {
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

    static Map<String, String> cliEnv() {
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
    static double directPercent(int runs) throws Exception {
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

    // ---------------------------------------------------------------------------------------------------------------

    @Test
    @Order(1)
    void operatorAndWebhookRunAsPodsFromTheBuiltImagesAndTheApiServerReachesTheWebhookThroughItsService()
            throws Exception {
        // what kubectl apply -k installed: 1 operator (leader election), 2 webhook replicas, the store; each pod from
        // the images built from deploy/docker, as its own ServiceAccount, all containers ready and never restarted
        Map<String, Integer> replicas = Map.of(IntegcovInCluster.OPERATOR, 1, IntegcovInCluster.WEBHOOK,
                IntegcovInCluster.WEBHOOK_REPLICAS);
        for (Map.Entry<String, Integer> e : replicas.entrySet()) {
            String component = e.getKey().substring("integcov-".length());
            List<Pod> pods = integcov.pods(e.getKey());
            assertEquals(e.getValue(), pods.size(), e.getKey() + ": " + pods.stream()
                    .map(p -> p.getMetadata().getName()).toList());
            for (Pod p : pods) {
                assertEquals(e.getKey(), p.getSpec().getServiceAccountName(), p.getMetadata().getName());
                Container c = p.getSpec().getContainers().get(0);
                assertEquals(IntegcovInCluster.IMAGE_PREFIX + component + ":" + IntegcovInCluster.TAG, c.getImage());
                assertEquals("Never", c.getImagePullPolicy());
                var status = p.getStatus().getContainerStatuses().get(0);
                assertEquals(Boolean.TRUE, status.getReady(), p.getMetadata().getName() + ": " + status);
                assertEquals(0, status.getRestartCount(), p.getMetadata().getName() + ": " + status);
                // the JVM flags deploy/ gives the container are accepted by the image's JRE (it started with them)
                String flags = c.getEnv().stream().filter(v -> "JAVA_TOOL_OPTIONS".equals(v.getName()))
                        .map(EnvVar::getValue).findFirst().orElse(null);
                if (flags != null) {
                    String log = admin.pods().inNamespace(IntegcovInCluster.SYSTEM_NS)
                            .withName(p.getMetadata().getName()).getLog();
                    assertTrue(log.contains("Picked up JAVA_TOOL_OPTIONS: " + flags), log);
                }
            }
        }
        // leader election: the one operator pod holds the Lease, as its ServiceAccount
        String operatorPod = integcov.pods(IntegcovInCluster.OPERATOR).get(0).getMetadata().getName();
        assertEquals(operatorPod, admin.leases().inNamespace(IntegcovInCluster.SYSTEM_NS)
                .withName(IntegcovInCluster.OPERATOR).get().getSpec().getHolderIdentity());

        // the certificate: issued in the cluster by the operator, for the Service's DNS names; the caBundle trusts it
        Secret tls = integcov.webhookTlsSecret();
        assertNotNull(tls, "the operator created the webhook's TLS Secret");
        java.security.cert.X509Certificate serving = (java.security.cert.X509Certificate) java.security.cert
                .CertificateFactory.getInstance("X.509").generateCertificate(new java.io.ByteArrayInputStream(
                        Base64.getDecoder().decode(tls.getData().get("tls.crt"))));
        List<String> sans = serving.getSubjectAlternativeNames().stream().map(n -> String.valueOf(n.get(1))).toList();
        assertTrue(sans.contains("integcov-webhook.integcov-system.svc"), sans.toString());
        for (MutatingWebhook w : integcov.webhooks()) {
            // reached through the Service (no URL), failing open
            assertNull(w.getClientConfig().getUrl(), w.getName());
            assertEquals(IntegcovInCluster.WEBHOOK, w.getClientConfig().getService().getName());
            assertEquals(IntegcovInCluster.SYSTEM_NS, w.getClientConfig().getService().getNamespace());
            assertEquals("Ignore", w.getFailurePolicy(), w.getName());
            assertEquals(Map.of(Labels.INJECT_LABEL, Labels.INJECT_ENABLED), w.getNamespaceSelector().getMatchLabels());
            assertTrue(new String(Base64.getDecoder().decode(w.getClientConfig().getCaBundle()),
                    StandardCharsets.US_ASCII).contains(integcov.caPem().trim()), "caBundle trusts the CA");
        }
        // the Service leads to both webhook pods
        Set<String> webhookIps = integcov.pods(IntegcovInCluster.WEBHOOK).stream().map(p -> p.getStatus().getPodIP())
                .collect(Collectors.toCollection(TreeSet::new));
        KubeApiServer.waitUntil("Endpoints of Service " + IntegcovInCluster.WEBHOOK + " are " + webhookIps, null,
                () -> {
                    var ep = admin.endpoints().inNamespace(IntegcovInCluster.SYSTEM_NS)
                            .withName(IntegcovInCluster.WEBHOOK).get();
                    return ep != null && ep.getSubsets() != null && webhookIps.equals(ep.getSubsets().stream()
                            .flatMap(ss -> ss.getAddresses() == null ? Stream.empty() : ss.getAddresses().stream())
                            .map(a -> a.getIp()).collect(Collectors.toCollection(TreeSet::new)));
                });

        // kube-apiserver calls the webhook through the Service: a pod created in a labelled namespace comes back
        // mutated (a dry run: nothing is stored or run)
        namespace(APP_NS, true, true);
        CoverageCapture cc = capture(APP_NS, "probe", DEFAULT_STORE, "probe");
        Pod probe = pod(APP_NS, "probe", "probe", podSpec("Never", covapp(Images.COVAPP, List.of(Images.COVAPP_PATH),
                List.of())));
        awaitWebhookSees(probe);
        assertWrapped(admin.pods().inNamespace(APP_NS).resource(probe).dryRun().create(), cc,
                List.of(Images.COVAPP_PATH), List.of());
        admin.resources(CoverageCapture.class).inNamespace(APP_NS).withName("probe").delete();
    }

    @Test
    @Order(2)
    void restrictedDeploymentServesRequestsAndEveryReplicaUploadsOnScaleToZero() throws Exception {
        namespace(APP_NS, true, true);
        CoverageCapture cc = capture(APP_NS, "covapp", DEFAULT_STORE, "covapp");
        List<String> command = List.of(Images.COVAPP_PATH);
        List<String> args = new ArrayList<>(List.of("-serve", ":" + APP_PORT));
        args.addAll(SERVE_WORK);
        Container app = covapp(Images.COVAPP, command, args);
        PodSpec spec = podSpec("Always", app);
        awaitWebhookSees(pod(APP_NS, "probe", "covapp", spec));

        Deployment d = new DeploymentBuilder().withNewMetadata().withName("covapp").withNamespace(APP_NS).endMetadata()
                .withNewSpec().withReplicas(REPLICAS).withNewSelector().addToMatchLabels("app", "covapp").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "covapp").endMetadata().withSpec(spec)
                .endTemplate().endSpec().build();
        admin.apps().deployments().inNamespace(APP_NS).resource(d).create();
        admin.apps().deployments().inNamespace(APP_NS).withName("covapp").waitUntilCondition(
                x -> x != null && x.getStatus() != null && Integer.valueOf(REPLICAS).equals(x.getStatus().getReadyReplicas()),
                CONVERGE.toSeconds(), TimeUnit.SECONDS);
        List<Pod> pods = admin.pods().inNamespace(APP_NS).withLabel("app", "covapp").list().getItems();
        assertEquals(REPLICAS, pods.size(), pods.stream().map(p -> p.getMetadata().getName()).toList().toString());
        for (Pod p : pods) {
            assertWrapped(p, cc, command, args);
            // Pod Security "restricted" admitted the mutated pod: non-root, read-only root fs, in the init container too
            assertEquals(65532L, p.getSpec().getSecurityContext().getRunAsUser());
            for (Container c : p.getSpec().getInitContainers()) {
                assertEquals(Boolean.TRUE, c.getSecurityContext().getReadOnlyRootFilesystem(), c.getName());
            }
            assertEquals("Running", p.getStatus().getPhase());
            sendRequests(p.getStatus().getPodIP(), APP_PORT);
        }
        CoverageCapture running = admin.resources(CoverageCapture.class).inNamespace(APP_NS).withName("covapp")
                .waitUntilCondition(c -> c.getStatus() != null && Integer.valueOf(REPLICAS).equals(
                        c.getStatus().getInjectedPods()), CONVERGE.toSeconds(), TimeUnit.SECONDS);
        assertTrue(running.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())),
                running.getStatus().getConditions().toString());

        // scale to 0: the kubelet sends SIGTERM; the agent forwards it, covapp exits 0, the agent uploads
        String watched = pods.get(0).getMetadata().getName();
        ByteArrayOutputStream followed = new ByteArrayOutputStream();
        try (LogWatch w = admin.pods().inNamespace(APP_NS).withName(watched).inContainer("app").watchLog(followed)) {
            admin.apps().deployments().inNamespace(APP_NS).withName("covapp").scale(0);
            for (Pod p : pods) {
                admin.pods().inNamespace(APP_NS).withName(p.getMetadata().getName())
                        .waitUntilCondition(x -> x == null, CONVERGE.toSeconds(), TimeUnit.SECONDS);
            }
        }
        assertTrue(followed.toString(StandardCharsets.UTF_8).contains("covapp: got terminated"),
                "SIGTERM reached covapp in " + watched + ":\n" + followed);
        for (Pod p : pods) {
            String name = p.getMetadata().getName();
            List<JsonNode> manifests;
            try {
                manifests = awaitGcsManifests(cc, name, 1);
            } catch (IllegalStateException e) {
                throw new AssertionError(e.getMessage() + (name.equals(watched) ? "\napp container of " + name
                        + " (covapp and agent):\n" + followed.toString(StandardCharsets.UTF_8) : "")
                        + "\n" + integcov.diagnostics(), e);
            }
            assertEquals(1, manifests.size(), manifests.toString());
            JsonNode m = manifests.get(0);
            assertEquals(0, m.path("exitCode").asInt(-1), m.toString());
            assertEquals(p.getMetadata().getName(), m.path("pod").asText());
            assertEquals(cc.getMetadata().getUid(), m.path("captureUid").asText());
            assertTrue(m.path("files").size() >= 2, "meta and counters uploaded: " + m);
        }

        // CI teardown: collect what the capture's pods uploaded; same coverage as the same runs without Kubernetes
        Path out = work.resolve("collected-deployment");
        String log = runCli(List.of("collect", "--capture", APP_NS + "/covapp", "--wait", "--timeout", "3m",
                "-o", out.toString(), "--textfmt", work.resolve("deployment.txt").toString()), cliEnv());
        assertEquals(REPLICAS, countFiles(out, "covcounters."), "one counter file per replica:\n" + log);
        double collected = GoTools.coveragePercent(out);
        double direct = directPercent(REPLICAS);
        System.out.printf("e2e: Deployment coverage %.1f%% (direct runs %.1f%%)%n", collected, direct);
        assertEquals(direct, collected, 0.0001, log);
        assertTrue(collected > 0 && collected < 100, "neverCalled() stays uncovered: " + collected);
        String textfmt = Files.readString(work.resolve("deployment.txt"));
        assertTrue(textfmt.startsWith("mode: ") && textfmt.contains("integcov.io/testapps/covapp/main.go:"), textfmt);

        CoverageCapture done = admin.resources(CoverageCapture.class).inNamespace(APP_NS).withName("covapp")
                .waitUntilCondition(c -> c.getStatus() != null && c.getStatus().getUploads() != null
                        && c.getStatus().getUploads().size() >= REPLICAS, CONVERGE.toSeconds(), TimeUnit.SECONDS);
        Set<String> replicas = pods.stream().map(p -> p.getMetadata().getName())
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> uploaded = done.getStatus().getUploads().stream().map(u -> u.getPod())
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(replicas, uploaded, "operator status lists one upload per replica");
    }

    @Test
    @Order(3)
    void jobPodAndCrashLoopingPodKeepEveryRunsCounters() throws Exception {
        namespace(APP_NS, true, true);
        CoverageCapture cc = capture(APP_NS, "batch", DEFAULT_STORE, "batch");
        List<String> command = List.of(Images.COVAPP_PATH);
        awaitWebhookSees(pod(APP_NS, "probe", "batch", podSpec("Never", covapp(Images.COVAPP, command, List.of()))));

        List<String> jobArgs = List.of("-work", "7");
        Job job = new JobBuilder().withNewMetadata().withName("batch").withNamespace(APP_NS).endMetadata()
                .withNewSpec().withBackoffLimit(0).withNewTemplate().withNewMetadata().addToLabels("app", "batch")
                .endMetadata().withSpec(podSpec("Never", covapp(Images.COVAPP, command, jobArgs))).endTemplate()
                .endSpec().build();
        admin.batch().v1().jobs().inNamespace(APP_NS).resource(job).create();

        // crashes with exit 3 on every run; the kubelet restarts it (back-off 10 s, 20 s)
        List<String> crashArgs = List.of("-work", "12", "-exit", "3");
        admin.pods().inNamespace(APP_NS).resource(pod(APP_NS, "crashy", "batch",
                podSpec("Always", covapp(Images.COVAPP, command, crashArgs)))).create();

        admin.batch().v1().jobs().inNamespace(APP_NS).withName("batch").waitUntilCondition(
                j -> j != null && j.getStatus() != null && Integer.valueOf(1).equals(j.getStatus().getSucceeded()),
                CONVERGE.toSeconds(), TimeUnit.SECONDS);
        Pod jobPod = admin.pods().inNamespace(APP_NS).withLabel("job-name", "batch").list().getItems().get(0);
        assertWrapped(jobPod, cc, command, jobArgs);
        assertEquals(0, terminated(jobPod).getExitCode());
        List<JsonNode> jobRuns = awaitGcsManifests(cc, jobPod.getMetadata().getName(), 1);
        assertEquals(0, jobRuns.get(0).path("exitCode").asInt(-1), jobRuns.toString());

        // in back-off after its third run or later: every finished run's counters are committed (a run whose upload
        // did not commit leaves its files to the next run's upload, so count counter files, not manifests)
        Pod inBackOff = waitPod(APP_NS, "crashy", "restarted twice", p -> restarts(p) >= 2
                && p.getStatus().getContainerStatuses().get(0).getState().getWaiting() != null);
        int finishedRuns = restarts(inBackOff) + 1;
        KubeApiServer.waitUntil("the counters of all " + finishedRuns + " runs of crashy are committed", null,
                () -> committedCounters(cc, "crashy").size() >= finishedRuns);
        Pod crashy = admin.pods().inNamespace(APP_NS).withName("crashy").get();
        assertWrapped(crashy, cc, command, crashArgs);
        // the app's own exit code, through the agent, in the pod status
        assertEquals(3, crashy.getStatus().getContainerStatuses().get(0).getLastState().getTerminated().getExitCode());
        // the agent's own lines of the last two runs (what the kubelet keeps), for the failure messages below
        String agentLog = "previous run:\n" + admin.pods().inNamespace(APP_NS).withName("crashy").inContainer("app")
                .terminated().getLog() + "last run:\n" + admin.pods().inNamespace(APP_NS).withName("crashy")
                .inContainer("app").getLog();
        // Stop it for good with a graceful delete: the API keeps the pod until the kubelet has stopped its container,
        // so a run the kubelet started after the look above has ended, and its agent has committed its upload, before
        // the pod is gone. (With a grace period of 0 the pod object went at once while a last run could still be
        // uploading, and the expected set below missed that run.) What storage holds then is every run the pod had.
        admin.pods().inNamespace(APP_NS).withName("crashy").delete();
        admin.pods().inNamespace(APP_NS).withName("crashy").waitUntilCondition(p -> p == null, CONVERGE.toSeconds(),
                TimeUnit.SECONDS);
        List<JsonNode> runs = gcsManifests(cc, "crashy");
        Set<String> runIds = new TreeSet<>();
        int crashes = 0;
        for (JsonNode m : runs) {
            runIds.add(m.path("runId").asText());
            if (m.path("exitCode").asInt(-1) == 3) {
                crashes++;
            } else {
                // only a run that the delete's SIGTERM reached before covapp handled signals ends otherwise
                assertEquals(15, m.path("signal").asInt(-1), "a run neither crashed with 3 nor was stopped: " + m);
            }
        }
        assertEquals(runs.size(), runIds.size(), "each upload has its own run id: " + runIds);
        assertTrue(crashes >= finishedRuns, "every run seen before the delete (" + finishedRuns
                + ") committed an upload: " + runs + "\n" + agentLog);
        // each crashed run wrote one counter file, and each is committed: by its own upload, or by the next run's
        Set<String> crashCounters = committedCounters(cc, "crashy");
        assertEquals(crashes, crashCounters.size(), "one committed counter file per crashed run: " + runs);

        Path out = work.resolve("collected-batch");
        String log = runCli(List.of("collect", "--capture", APP_NS + "/batch", "--wait", "--timeout", "3m",
                "-o", out.toString()), cliEnv(), "manifests of crashy: " + runs + "\n" + agentLog);
        Set<String> expected = new TreeSet<>(crashCounters);
        expected.addAll(committedCounters(cc, jobPod.getMetadata().getName()));
        Set<String> collected = new TreeSet<>(listing(out).stream().filter(f -> f.startsWith("covcounters.")).toList());
        assertEquals(expected, collected, "every run's counters (job and each crash) are collected:\n" + log);
        assertTrue(GoTools.coveragePercent(out) > 0, log);
    }

    static int restarts(Pod p) {
        return p.getStatus().getContainerStatuses() == null || p.getStatus().getContainerStatuses().isEmpty() ? 0
                : p.getStatus().getContainerStatuses().get(0).getRestartCount();
    }

    /** Names of the counter files the committed manifests of a pod list. */
    static Set<String> committedCounters(CoverageCapture cc, String pod) throws Exception {
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

    @Test
    @Order(4)
    void imageEntrypointAppExitingNonZeroShowsItsExitCodeAndUploadsToAHostPath() throws Exception {
        // file:// storage through a hostPath (not allowed under "restricted", so this namespace only labels)
        String ns = "e2e-hostpath";
        namespace(ns, true, false);
        String url = "file://" + hostStorage;
        CoverageCapture cc = capture(ns, "files", url, "files",
                new CommandOverride("app", List.of(Images.COVAPP_PATH)));
        // no command in the pod: the image's ENTRYPOINT; the capture's commandOverride says what it is
        Container app = new ContainerBuilder(covapp(Images.COVAPP_ENTRYPOINT, List.of(), List.of("-work", "9",
                "-exit", "4"))).addNewVolumeMount().withName("storage").withMountPath(hostStorage.toString())
                .endVolumeMount().build();
        PodSpec spec = new PodSpecBuilder(podSpec("Never", app)).addNewVolume().withName("storage").withNewHostPath()
                .withPath(hostStorage.toString()).withType("Directory").endHostPath().endVolume().build();
        Pod desired = pod(ns, "exits-4", "files", spec);
        awaitWebhookSees(desired);
        admin.pods().inNamespace(ns).resource(desired).create();

        Pod done = waitPod(ns, "exits-4", "Failed", p -> "Failed".equals(p.getStatus().getPhase()));
        assertWrapped(done, cc, List.of(Images.COVAPP_PATH), List.of("-work", "9", "-exit", "4"));
        assertEquals(4, terminated(done).getExitCode(), "the app's own exit code: " + terminated(done));

        Path podDir = hostStorage.resolve(ns).resolve("files").resolve(cc.getMetadata().getUid()).resolve("exits-4");
        KubeApiServer.waitUntil("upload manifest below " + podDir, null, () -> {
            try (Stream<Path> s = Files.walk(podDir)) {
                return s.anyMatch(f -> f.getFileName().toString().equals("integcov-manifest.json"));
            } catch (java.nio.file.NoSuchFileException e) {
                return false;
            }
        });
        Path out = work.resolve("collected-hostpath");
        String log = runCli(List.of("collect", "--from", url, "-o", out.toString()), cliEnv());
        assertEquals(1, countFiles(out, "covcounters."), log);
        double percent = GoTools.coveragePercent(out);
        assertTrue(percent > 0 && percent < 100, percent + "\n" + log);
    }

    @Test
    @Order(5)
    void optedOutPodsAndUnlabelledNamespacesRunUnwrapped() throws Exception {
        namespace(APP_NS, true, true);
        capture(APP_NS, "covapp", DEFAULT_STORE, "covapp");
        List<String> command = List.of(Images.COVAPP_PATH);
        List<String> args = List.of("-serve", ":" + APP_PORT);
        Pod optedOut = new PodBuilder(pod(APP_NS, "opted-out", "covapp", podSpec("Never", covapp(Images.COVAPP, command,
                args)))).editMetadata().addToLabels(Labels.INJECT_LABEL, Labels.INJECT_DISABLED).endMetadata().build();
        Pod stored = admin.pods().inNamespace(APP_NS).resource(optedOut).create();
        assertFalse(injected(stored), "pod labelled " + Labels.INJECT_LABEL + "=disabled is not mutated");
        assertTrue(stored.getSpec().getInitContainers() == null || stored.getSpec().getInitContainers().isEmpty());
        assertEquals(command, stored.getSpec().getContainers().get(0).getCommand());
        Pod running = waitPod(APP_NS, "opted-out", "Running", p -> "Running".equals(p.getStatus().getPhase()));
        sendRequests(running.getStatus().getPodIP(), APP_PORT);
        CoverageCapture withNote = admin.resources(CoverageCapture.class).inNamespace(APP_NS).withName("covapp")
                .waitUntilCondition(c -> c.getStatus() != null && c.getStatus().getNotInjected() != null
                        && c.getStatus().getNotInjected().stream().anyMatch(n -> "opted-out".equals(n.getPod())),
                        CONVERGE.toSeconds(), TimeUnit.SECONDS);
        assertTrue(withNote.getStatus().getNotInjected().stream().filter(n -> "opted-out".equals(n.getPod()))
                .allMatch(n -> n.getReason().contains("opted out")), withNote.getStatus().getNotInjected().toString());

        // the namespace really enforces Pod Security "restricted" (so the wrapped pods above complied)
        Pod loose = new PodBuilder(pod(APP_NS, "not-restricted", "covapp", podSpec("Never", covapp(Images.COVAPP,
                command, args)))).editSpec().withSecurityContext(null).editFirstContainer().withSecurityContext(null)
                .endContainer().endSpec().build();
        KubernetesClientException rejected = assertThrows(KubernetesClientException.class,
                () -> admin.pods().inNamespace(APP_NS).resource(loose).create());
        assertEquals(403, rejected.getCode(), rejected.getMessage());
        assertTrue(rejected.getMessage().contains("restricted"), rejected.getMessage());

        String other = "e2e-not-labelled";
        namespace(other, false, false);
        capture(other, "covapp", DEFAULT_STORE, "covapp");
        Pod plain = admin.pods().inNamespace(other).resource(pod(other, "plain", "covapp", podSpec("Never",
                covapp(Images.COVAPP, command, args)))).create();
        assertFalse(injected(plain), "namespace without " + Labels.INJECT_LABEL + "=enabled is not mutated");
        assertEquals(command, plain.getSpec().getContainers().get(0).getCommand());
        Pod plainRunning = waitPod(other, "plain", "Running", p -> "Running".equals(p.getStatus().getPhase()));
        sendRequests(plainRunning.getStatus().getPodIP(), APP_PORT);
        admin.pods().inNamespace(APP_NS).withName("opted-out").withGracePeriod(0).delete();
        admin.pods().inNamespace(other).withName("plain").withGracePeriod(0).delete();
    }

    @Test
    @Order(6)
    void podsCreatedWhileTheWebhookIsDownRunUnwrappedAndTheOperatorSaysSo() throws Exception {
        namespace(APP_NS, true, true);
        capture(APP_NS, "covapp", DEFAULT_STORE, "covapp");
        // the webhook scaled to 0: no endpoint behind its Service
        integcov.stopWebhook();
        try {
            // failurePolicy Ignore: the apiserver cannot reach the webhook and still admits the pod, unmutated
            List<String> command = List.of(Images.COVAPP_PATH);
            Pod stored = admin.pods().inNamespace(APP_NS).resource(pod(APP_NS, "created-while-down", "covapp",
                    podSpec("Never", covapp(Images.COVAPP, command, List.of("-serve", ":" + APP_PORT))))).create();
            assertFalse(injected(stored), "webhook down: pod admitted unmutated");
            assertEquals(command, stored.getSpec().getContainers().get(0).getCommand());
            Pod running = waitPod(APP_NS, "created-while-down", "Running",
                    p -> "Running".equals(p.getStatus().getPhase()));
            sendRequests(running.getStatus().getPodIP(), APP_PORT);

            CoverageCapture cc = admin.resources(CoverageCapture.class).inNamespace(APP_NS).withName("covapp")
                    .waitUntilCondition(c -> c.getStatus() != null && c.getStatus().getNotInjected() != null
                            && c.getStatus().getNotInjected().stream()
                                    .anyMatch(n -> "created-while-down".equals(n.getPod())),
                            CONVERGE.toSeconds(), TimeUnit.SECONDS);
            String hint = cc.getStatus().getNotInjected().stream()
                    .filter(n -> "created-while-down".equals(n.getPod())).findFirst().orElseThrow().getReason();
            assertTrue(hint.contains("delete the pod"), hint);
            assertTrue(cc.getStatus().getNotInjectedPods() >= 1, "notInjectedPods " + cc.getStatus().getNotInjectedPods());
            admin.pods().inNamespace(APP_NS).withName("created-while-down").withGracePeriod(0).delete();
        } finally {
            integcov.startWebhook();
        }
    }
}
