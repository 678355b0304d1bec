package io.integcov.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.integcov.model.CoverageCapture;
import io.integcov.model.CoverageCaptureSpec;
import io.integcov.model.Labels;
import io.integcov.model.StorageSpec;
import io.integcov.testing.FakeGcs;
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
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 4 end to end: a real kube-apiserver + etcd; crds/ and deploy/ applied (Deployments as server-side dry runs, the
 * MutatingWebhookConfiguration pointing at https://127.0.0.1); the operator and the webhook run from their fast-jars
 * as the deploy/ ServiceAccounts (so deploy/ RBAC is what they get); the operator issues the webhook certificate and
 * patches the caBundle; a pod created in a namespace labelled integcov.io/inject=enabled is stored mutated; its init
 * and main containers run locally as a kubelet would; after SIGTERM the wrapper uploads to file:// storage, and
 * {@code integcov collect} + {@code go tool covdata percent} show real coverage.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CoverageEndToEndTest {
    static final String SYSTEM_NS = "integcov-system";
    static final String APP_NS = "e2e-apps";
    static final String COVAPP_IMAGE = "example.com/covapp:e2e";
    static final String COVAPP_IN_IMAGE = "/app/covapp";
    /** Bound for the cluster-side steps to converge (start-up, informers, reconcile): not an assertion on speed. */
    static final Duration CONVERGE = Duration.ofMinutes(2);

    static Path work;
    static String skip;
    static KubeApiServer api;
    static KubernetesClient admin;
    static Manifests.Applied deployed;
    static ManagedProcess operator;
    static ManagedProcess webhook;
    static Path storageDir;
    static Path covapp;
    static Path integcovLauncher;
    static int webhookPort;
    /** The wrapper image deploy/ configures the webhook with (INTEGCOV_WRAPPER_IMAGE of its Deployment). */
    static String wrapperImage;
    static Double collectedPercent;
    static final String GCS_BUCKET = "integcov-e2e";
    static FakeGcs fakeGcs;
    static String gcsSkip;

    @BeforeAll
    static void startCluster() throws Exception {
        skip = E2eEnv.skipReason("etcd", "kube-apiserver");
        work = E2eEnv.workDir("CoverageEndToEndTest");
        if (skip != null) {
            return;
        }
        Path operatorJar = QuarkusApp.jar("operator");
        Path webhookJar = QuarkusApp.jar("webhook");
        Path builtCliJar = E2eEnv.repoRoot().resolve("cli/target/integcov.jar");
        assertTrue(Files.isRegularFile(builtCliJar),
                builtCliJar + " is missing; build it: mvn -B -pl cli -am install -DskipTests");
        // a snapshot, like an image: a rebuild of cli/ during the run cannot change it
        Path cliJar = Files.copy(builtCliJar, work.resolve("integcov.jar"));
        assertTrue(Files.isRegularFile(operatorJar) && Files.isRegularFile(webhookJar));

        covapp = GoTools.buildCovapp(work.resolve("covapp-build"));
        // what the wrapper image holds at /usr/local/bin/integcov: here a launcher for the cli jar on this JVM
        integcovLauncher = work.resolve("image-integcov");
        Files.writeString(integcovLauncher, "#!/bin/sh\nexec " + Installer.shellQuote(QuarkusApp.java().toString())
                + " -jar " + Installer.shellQuote(cliJar.toString()) + " \"$@\"\n");
        integcovLauncher.toFile().setExecutable(true);
        storageDir = Files.createDirectories(work.resolve("storage"));

        api = KubeApiServer.start(work.resolve("cluster"));
        admin = api.adminClient();
        Crds.apply(admin);

        webhookPort = KubeApiServer.freePort();
        List<HasMetadata> objects = Manifests.kustomize(admin, deployBase());
        deployed = Manifests.apply(admin, objects, "https://127.0.0.1:" + webhookPort);

        gcsSkip = E2eEnv.skipReason("fake-gcs-server");
        if (gcsSkip == null) {
            fakeGcs = FakeGcs.start(GCS_BUCKET);
        }
        operator = startOperator();
        waitFor("operator creates the webhook TLS Secret in " + SYSTEM_NS, operator, () -> {
            Secret s = webhookTlsSecret();
            return s != null && s.getData() != null && s.getData().keySet().containsAll(List.of("tls.crt", "tls.key"));
        });
        webhook = startWebhook();
        HttpClient https = HttpClient.newBuilder()
                .sslContext(Pem.trusting(caPem().getBytes(StandardCharsets.US_ASCII)))
                .connectTimeout(Duration.ofSeconds(2)).build();
        waitFor("webhook answers on https://127.0.0.1:" + webhookPort + "/mutate with the operator's certificate",
                webhook, () -> {
                    HttpResponse<String> r = https.send(HttpRequest.newBuilder(
                            URI.create("https://127.0.0.1:" + webhookPort + "/mutate"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{}")).timeout(Duration.ofSeconds(5)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    return r.statusCode() > 0;
                });
    }

    /** deploy/base or deploy/ (system property integcov.e2e.deploy names another kustomize dir, e.g. an overlay). */
    static Path deployBase() {
        String override = System.getProperty("integcov.e2e.deploy");
        if (override != null && !override.isBlank()) {
            return Path.of(override);
        }
        Path root = E2eEnv.repoRoot();
        for (String candidate : List.of("deploy/base", "deploy")) {
            if (Files.exists(root.resolve(candidate).resolve("kustomization.yaml"))) {
                return root.resolve(candidate);
            }
        }
        throw new IllegalStateException("no kustomization.yaml in deploy/base or deploy/");
    }

    static Deployment deployment(String nameContains) {
        return deployed.ofKind(Deployment.class).stream()
                .filter(d -> d.getMetadata().getName().contains(nameContains)).findFirst()
                .orElseThrow(() -> new IllegalStateException("deploy/ has no Deployment named *" + nameContains + "*"));
    }

    /** The ServiceAccount a deploy/ Deployment runs as; the e2e runs that component with this account's token. */
    static String serviceAccountOf(Deployment d) {
        String sa = d.getSpec().getTemplate().getSpec().getServiceAccountName();
        assertNotNull(sa, "Deployment " + d.getMetadata().getName() + " names no serviceAccountName");
        return sa;
    }

    static Path kubeconfigFor(Deployment d) throws Exception {
        String ns = d.getMetadata().getNamespace();
        String sa = serviceAccountOf(d);
        return api.writeKubeconfig(work.resolve(d.getMetadata().getName() + ".kubeconfig"),
                "system:serviceaccount:" + ns + ":" + sa, api.serviceAccountToken(ns, sa));
    }

    /**
     * Runs a deploy/ Deployment's single container from its module's fast-jar, prepared as the kubelet would prepare
     * a pod of it: volumes materialized (e.g. the webhook's TLS Secret volume), env from the Deployment (downward API
     * resolved, container paths mapped to the host), plus {@code overrides} for what differs outside a cluster (ports,
     * KUBECONFIG with the Deployment's ServiceAccount token instead of the in-cluster token mount).
     */
    static ManagedProcess startFromDeployment(String module, Deployment d, Map<String, String> overrides)
            throws Exception {
        Pod pod = new PodBuilder().withNewMetadata().withName(d.getMetadata().getName() + "-e2e")
                .withNamespace(d.getMetadata().getNamespace()).withUid(java.util.UUID.randomUUID().toString())
                .withLabels(d.getSpec().getTemplate().getMetadata().getLabels()).endMetadata()
                .withSpec(d.getSpec().getTemplate().getSpec()).build();
        assertEquals(1, pod.getSpec().getContainers().size(), "one container in Deployment " + d.getMetadata().getName());
        LocalKubelet kubelet = new LocalKubelet(pod, work.resolve("kubelet").resolve(pod.getMetadata().getName()),
                new LocalKubelet.Images(), admin);
        Container c = pod.getSpec().getContainers().get(0);
        Map<String, String> env = new LinkedHashMap<>(kubelet.hostEnvironment(c, Map.of()));
        env.remove("HOSTNAME");
        env.put("KUBECONFIG", kubeconfigFor(d).toString());
        env.putAll(overrides);
        return QuarkusApp.start(module, env, work.resolve(module));
    }

    static ManagedProcess startOperator() throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("QUARKUS_HTTP_PORT", Integer.toString(KubeApiServer.freePort()));
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("INTEGCOV_OPERATOR_RESYNC_INTERVAL", "2s");
        // what an overlay for a webhook reached at https://127.0.0.1 adds
        env.put("INTEGCOV_WEBHOOK_TLS_EXTRA_SANS", "127.0.0.1");
        env.put("INTEGCOV_WEBHOOK_TLS_CHECK_INTERVAL", "2s");
        if (fakeGcs != null) {
            env.put("STORAGE_EMULATOR_HOST", fakeGcs.endpoint());
        }
        return startFromDeployment("operator", deployment("operator"), env);
    }

    static ManagedProcess startWebhook() throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("QUARKUS_HTTP_SSL_PORT", Integer.toString(webhookPort));
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("QUARKUS_HTTP_PORT", Integer.toString(KubeApiServer.freePort()));
        Deployment d = deployment("webhook");
        wrapperImage = d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                .filter(e -> "INTEGCOV_WRAPPER_IMAGE".equals(e.getName())).map(EnvVar::getValue).findFirst()
                .orElseThrow(() -> new AssertionError("deploy/ webhook Deployment sets no INTEGCOV_WRAPPER_IMAGE"));
        return startFromDeployment("webhook", d, env);
    }

    /** The webhook TLS Secret the operator manages (type kubernetes.io/tls in the system namespace), or null. */
    static Secret webhookTlsSecret() {
        return admin.secrets().inNamespace(SYSTEM_NS).list().getItems().stream()
                .filter(s -> "kubernetes.io/tls".equals(s.getType())).findFirst().orElse(null);
    }

    static String caPem() {
        Secret s = webhookTlsSecret();
        assertNotNull(s, "webhook TLS Secret");
        String b64 = s.getData().get("ca.crt");
        assertNotNull(b64, "ca.crt in Secret " + s.getMetadata().getName() + ": " + s.getData().keySet());
        return new String(Base64.getDecoder().decode(b64), StandardCharsets.US_ASCII);
    }

    static void waitFor(String what, ManagedProcess owner, KubeApiServer.Probe probe) throws Exception {
        KubeApiServer.waitUntil(what, owner, probe);
    }

    @AfterAll
    static void stopAll() throws Exception {
        for (ManagedProcess p : new ManagedProcess[] {webhook, operator}) {
            if (p != null) {
                p.close();
            }
        }
        if (api != null) {
            api.close();
        }
        if (fakeGcs != null) {
            fakeGcs.close();
        }
    }

    @BeforeEach
    void skipWithoutBinaries() {
        Assumptions.assumeTrue(skip == null, skip);
        operator.checkAlive();
    }

    static Pod covappPod(String name, Map<String, String> labels, int port) {
        return new PodBuilder()
                .withNewMetadata().withName(name).withNamespace(APP_NS).withLabels(labels).endMetadata()
                .withNewSpec()
                .withRestartPolicy("Never")
                .withNewSecurityContext().withRunAsNonRoot(true).withRunAsUser(1000L)
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile().endSecurityContext()
                .addNewVolume().withName("scratch").withNewEmptyDir().endEmptyDir().endVolume()
                .addNewContainer().withName("app").withImage(COVAPP_IMAGE)
                .withCommand(COVAPP_IN_IMAGE)
                .withArgs("-serve", "127.0.0.1:" + port, "-ready", "/scratch/ready", "-work", "$(WORK)",
                        "-print-env", "INTEGCOV_POD_NAME")
                .addNewEnv().withName("WORK").withValue("30").endEnv()
                .addNewVolumeMount().withName("scratch").withMountPath("/scratch").endVolumeMount()
                .withNewSecurityContext().withAllowPrivilegeEscalation(false).withNewCapabilities().withDrop("ALL")
                .endCapabilities().endSecurityContext()
                .endContainer()
                .endSpec().build();
    }

    static CoverageCapture capture() {
        CoverageCaptureSpec spec = new CoverageCaptureSpec();
        spec.setStorage(new StorageSpec(storageDir.toUri().toString().replaceFirst("^file:/(?!/)", "file:///")));
        spec.setSelector(new io.fabric8.kubernetes.api.model.LabelSelectorBuilder()
                .withMatchLabels(Map.of("app", "covapp")).build());
        spec.setUploadTimeoutSeconds(30);
        return new CoverageCapture(APP_NS, "covapp", spec);
    }

    static boolean injected(Pod p) {
        return p != null && p.getMetadata().getAnnotations() != null
                && p.getMetadata().getAnnotations().containsKey(Labels.INJECTED_ANNOTATION);
    }

    @Test
    @Order(1)
    void deployManifestsAreAcceptedAndTheOperatorTrustsTheWebhook() throws Exception {
        webhook.checkAlive();
        assertFalse(deployed.dryRun().isEmpty(), "deploy/ Deployments were server-side dry-run applied");
        assertTrue(deployed.dryRun().stream().allMatch(o -> o.getMetadata().getUid() != null),
                "the apiserver returned the dry-run objects");
        Secret tls = webhookTlsSecret();
        assertNotNull(tls, "operator created a kubernetes.io/tls Secret in " + SYSTEM_NS);
        String caBundle = Base64.getEncoder().encodeToString(caPem().getBytes(StandardCharsets.US_ASCII));
        waitFor("caBundle of the MutatingWebhookConfiguration(s) set by the operator", operator, () -> admin
                .admissionRegistration().v1().mutatingWebhookConfigurations().list().getItems().stream()
                .flatMap(m -> m.getWebhooks().stream())
                .allMatch(w -> caBundle.equals(w.getClientConfig().getCaBundle())));
        assertNotNull(tls.getData().get("tls.crt"));
        // leader election on (prod profile): the operator holds a Lease in its namespace, as its ServiceAccount
        waitFor("operator holds a leader-election Lease in " + SYSTEM_NS, operator, () -> admin.leases()
                .inNamespace(SYSTEM_NS).list().getItems().stream()
                .anyMatch(l -> l.getSpec() != null && l.getSpec().getHolderIdentity() != null
                        && !l.getSpec().getHolderIdentity().isBlank()));
        List<MutatingWebhookConfiguration> mwcs = admin.admissionRegistration().v1().mutatingWebhookConfigurations()
                .list().getItems();
        assertFalse(mwcs.isEmpty(), "deploy/ has a MutatingWebhookConfiguration");
        for (MutatingWebhook w : mwcs.stream().flatMap(m -> m.getWebhooks().stream()).toList()) {
            assertEquals("Ignore", w.getFailurePolicy(), w.getName());
            assertEquals("https://127.0.0.1:" + webhookPort + "/mutate", w.getClientConfig().getUrl(), w.getName());
            assertEquals(Map.of(Labels.INJECT_LABEL, Labels.INJECT_ENABLED), w.getNamespaceSelector().getMatchLabels());
        }
    }

    /** A namespace labelled for injection that enforces Pod Security "restricted", with its default ServiceAccount. */
    static void prepareNamespace(String ns) {
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns)
                .addToLabels(Labels.INJECT_LABEL, Labels.INJECT_ENABLED)
                // the injected init container, volumes and env must satisfy Pod Security "restricted"
                .addToLabels("pod-security.kubernetes.io/enforce", "restricted")
                .endMetadata().build()).serverSideApply();
        // no kube-controller-manager here: create the namespace's default ServiceAccount ourselves
        admin.serviceAccounts().inNamespace(ns).resource(new ServiceAccountBuilder().withNewMetadata()
                .withName("default").endMetadata().build()).serverSideApply();
    }

    /**
     * Creates a covapp pod (with {@code extraEnv}) that {@code cc} selects, checks the stored pod is mutated for
     * {@code cc}, runs it as a kubelet would (init container, then the app; one request; SIGTERM) and reports its status.
     */
    static LocalKubelet runCovappPod(CoverageCapture cc, String podName, Map<String, String> extraEnv) throws Exception {
        String ns = cc.getMetadata().getNamespace();
        int appPort = KubeApiServer.freePort();
        Pod base = covappPod(podName, Map.of("app", "covapp"), appPort);
        base.getMetadata().setNamespace(ns);
        extraEnv.forEach((k, v) -> base.getSpec().getContainers().get(0).getEnv().add(new EnvVar(k, v, null)));
        Pod desired = base;
        // the webhook learns about the CoverageCapture through its informer: wait until a server-side dry-run
        // create of the pod comes back mutated (this goes through the apiserver -> webhook path, nothing is stored)
        waitFor("a dry-run create of pod " + ns + "/" + podName + " is mutated by the webhook", webhook,
                () -> injected(admin.pods().inNamespace(ns).resource(desired).dryRun().create()));

        Pod created = admin.pods().inNamespace(ns).resource(desired).create();
        Pod stored = admin.pods().inNamespace(ns).withName(podName).get();
        assertEquals(created.getMetadata().getUid(), stored.getMetadata().getUid());
        assertEquals(cc.getMetadata().getName(), stored.getMetadata().getAnnotations().get(Labels.INJECTED_ANNOTATION));
        Container init = stored.getSpec().getInitContainers().stream()
                .filter(c -> Labels.INIT_CONTAINER_NAME.equals(c.getName())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + Labels.INIT_CONTAINER_NAME + " init container"));
        assertEquals(wrapperImage, init.getImage());
        Container app = stored.getSpec().getContainers().get(0);
        assertEquals(List.of(Labels.WRAPPER_PATH, "run", "--", COVAPP_IN_IMAGE), app.getCommand());
        assertEquals(desired.getSpec().getContainers().get(0).getArgs(), app.getArgs());
        Map<String, EnvVar> env = new LinkedHashMap<>();
        app.getEnv().forEach(e -> env.put(e.getName(), e));
        assertEquals(Labels.COVDATA_DIR, env.get(Labels.ENV_GOCOVERDIR).getValue());
        assertEquals(cc.getSpec().getStorage().getUrl(), env.get(Labels.ENV_STORAGE).getValue());
        assertNull(env.get(Labels.ENV_POD_NAME).getValue());
        assertEquals("metadata.name", env.get(Labels.ENV_POD_NAME).getValueFrom().getFieldRef().getFieldPath());
        assertEquals("30", env.get("WORK").getValue(), "user env kept");
        extraEnv.forEach((k, v) -> assertEquals(v, env.get(k).getValue(), "user env " + k + " kept"));
        List<String> volumes = stored.getSpec().getVolumes().stream().map(v -> v.getName()).toList();
        assertTrue(volumes.containsAll(List.of(Labels.BIN_VOLUME, Labels.COVDATA_VOLUME, "scratch")), volumes.toString());

        // run it as a kubelet would: init container to completion, then the app; then terminate it with SIGTERM
        LocalKubelet kubelet = new LocalKubelet(stored, work.resolve("kubelet").resolve(ns).resolve(podName),
                new LocalKubelet.Images().add(wrapperImage, "/usr/local/bin/integcov", integcovLauncher)
                        .add(COVAPP_IMAGE, COVAPP_IN_IMAGE, covapp),
                admin);
        Map<String, String> hostBase = Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        kubelet.runInitContainers(hostBase, CONVERGE);
        Path installed = kubelet.volumeDir(Labels.BIN_VOLUME).resolve("integcov");
        assertTrue(Files.isExecutable(installed), "init container installed the wrapper: " + installed);

        int exit;
        kubelet.reportRunning();
        try (ManagedProcess running = kubelet.start(app, hostBase)) {
            Path ready = kubelet.volumeDir("scratch").resolve("ready");
            waitFor("covapp under the wrapper is ready (" + ready + ")", running, () -> Files.exists(ready));
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> fizz = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + appPort + "/classify?n=15")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals("fizzbuzz", fizz.body().trim());
            exit = running.stop(CONVERGE);
            String log = Files.readString(running.log());
            assertTrue(log.contains("INTEGCOV_POD_NAME=" + podName), "downward API env reached the app:\n" + log);
            assertEquals(0, exit, "wrapper exit code after SIGTERM (covapp exits 0 on SIGTERM):\n" + log);
        }
        kubelet.reportTerminated(Map.of(app.getName(), exit));

        Path covdata = kubelet.volumeDir(Labels.COVDATA_VOLUME);
        try (Stream<Path> files = Files.list(covdata)) {
            assertTrue(files.anyMatch(f -> f.getFileName().toString().startsWith("covcounters.")),
                    "Go wrote coverage counters to the covdata volume " + covdata);
        }
        return kubelet;
    }

    /** {@code integcov collect --from url -o dir} then {@code go tool covdata percent}; asserts 0 < percent < 100. */
    static double collectAndMeasure(String url, Path dir, Map<String, String> env) throws Exception {
        String out = runCli(List.of("collect", "--from", url, "-o", dir.toString()), env);
        double percent = GoTools.coveragePercent(dir);
        try (Stream<Path> files = Files.list(dir)) {
            System.out.println("e2e: integcov collect --from " + url + " -> "
                    + files.map(f -> f.getFileName().toString()).sorted().toList()
                    + "\ne2e: go tool covdata percent: " + percent + "%\n" + out);
        }
        assertTrue(percent > 0, "go tool covdata percent on collected files: " + percent + "\n" + out);
        assertTrue(percent < 100, "neverCalled() is never covered: " + percent);
        return percent;
    }

    @Test
    @Order(2)
    void podIsMutatedRunsLocallyAndYieldsCoverage() throws Exception {
        webhook.checkAlive();
        prepareNamespace(APP_NS);
        CoverageCapture cc = capture();
        admin.resources(CoverageCapture.class).inNamespace(APP_NS).resource(cc).serverSideApply();

        runCovappPod(cc, "covapp-1", Map.of());

        Path podStorage = storageDir.resolve(APP_NS).resolve("covapp-1").resolve("app");
        assertTrue(Files.isDirectory(podStorage), "uploads under <url>/<ns>/<pod>/<container>: " + podStorage);
        collectedPercent = collectAndMeasure(cc.getSpec().getStorage().getUrl(), work.resolve("collected"), Map.of());
    }

    @Test
    @Order(4)
    void gcsStorageThroughFakeGcsServer() throws Exception {
        webhook.checkAlive();
        Assumptions.assumeTrue(gcsSkip == null, gcsSkip);
        String ns = "e2e-gcs";
        prepareNamespace(ns);
        CoverageCaptureSpec spec = capture().getSpec();
        spec.setStorage(new StorageSpec("gs://" + GCS_BUCKET + "/coverage"));
        CoverageCapture cc = new CoverageCapture(ns, "gcs", spec);
        admin.resources(CoverageCapture.class).inNamespace(ns).resource(cc).serverSideApply();

        // the pod reaches the emulator the way tests point a GCS client at one: STORAGE_EMULATOR_HOST in its env
        Map<String, String> emulator = Map.of("STORAGE_EMULATOR_HOST", fakeGcs.endpoint());
        runCovappPod(cc, "covapp-gcs", emulator);

        List<String> objects = fakeGcs.objectNames(GCS_BUCKET);
        assertTrue(objects.stream().anyMatch(o -> o.startsWith("coverage/" + ns + "/covapp-gcs/app/")
                && o.endsWith("/integcov-manifest.json")), "manifest uploaded to gs://: " + objects);
        double percent = collectAndMeasure(spec.getStorage().getUrl(), work.resolve("collected-gcs"), emulator);
        if (collectedPercent != null) {
            assertEquals(collectedPercent, percent, 0.0001, "same program, same work: same coverage as via file://");
        }
        // the operator (started with STORAGE_EMULATOR_HOST) reads the upload manifest from gs:// into the status
        CoverageCapture withUploads = admin.resources(CoverageCapture.class).inNamespace(ns).withName("gcs")
                .waitUntilCondition(c -> c != null && c.getStatus() != null && c.getStatus().getUploads() != null
                        && !c.getStatus().getUploads().isEmpty(), CONVERGE.toSeconds(), TimeUnit.SECONDS);
        assertEquals("covapp-gcs", withUploads.getStatus().getUploads().get(0).getPod());
    }

    @Test
    @Order(3)
    void operatorReportsTheCaptureReadyWithTheInjectedPodAndItsUpload() throws Exception {
        Assumptions.assumeTrue(admin.pods().inNamespace(APP_NS).withName("covapp-1").get() != null,
                "needs the pod of podIsMutatedRunsLocallyAndYieldsCoverage");
        CoverageCapture cc = admin.resources(CoverageCapture.class).inNamespace(APP_NS).withName("covapp")
                .waitUntilCondition(c -> c != null && c.getStatus() != null
                        && c.getStatus().getUploads() != null && !c.getStatus().getUploads().isEmpty(),
                        CONVERGE.toSeconds(), TimeUnit.SECONDS);
        assertEquals(cc.getMetadata().getGeneration(), cc.getStatus().getObservedGeneration());
        assertTrue(cc.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())),
                "Ready condition: " + cc.getStatus().getConditions());
        assertEquals(1, cc.getStatus().getInjectedPods());
        assertEquals(0, cc.getStatus().getNotInjectedPods());

        // CI teardown path: the storage URL from the CR, waiting on the (finished) injected pods
        Assumptions.assumeTrue(collectedPercent != null, "needs the --from collection of the previous test");
        Path kubeconfig = api.writeKubeconfig(work.resolve("admin.kubeconfig"), "admin", api.adminToken());
        Path out = work.resolve("collected-by-capture");
        String log = runCli(List.of("collect", "--capture", APP_NS + "/covapp", "--wait", "--timeout", "PT2M",
                "-o", out.toString(), "--textfmt", work.resolve("cover.txt").toString()),
                Map.of("KUBECONFIG", kubeconfig.toString()));
        assertEquals(collectedPercent, GoTools.coveragePercent(out), 0.0001, log);
        String textfmt = Files.readString(work.resolve("cover.txt"));
        assertTrue(textfmt.startsWith("mode: "), textfmt);
        assertTrue(textfmt.contains("integcov.io/testapps/covapp/main.go:"), textfmt);
    }

    @Test
    @Order(5)
    void optedOutPodsAndOtherNamespacesAreLeftAlone() throws Exception {
        webhook.checkAlive();
        Pod optedOut = covappPod("opted-out", Map.of("app", "covapp", Labels.INJECT_LABEL, Labels.INJECT_DISABLED),
                1);
        Pod stored = admin.pods().inNamespace(APP_NS).resource(optedOut).create();
        assertFalse(injected(stored), "pod labelled " + Labels.INJECT_LABEL + "=disabled is not mutated");
        assertTrue(stored.getSpec().getInitContainers() == null || stored.getSpec().getInitContainers().isEmpty(),
                "no init container injected: " + stored.getSpec().getInitContainers());
        assertEquals(List.of(COVAPP_IN_IMAGE), stored.getSpec().getContainers().get(0).getCommand());
        CoverageCapture withNote = admin.resources(CoverageCapture.class).inNamespace(APP_NS).withName("covapp")
                .waitUntilCondition(c -> c != null && c.getStatus() != null && c.getStatus().getNotInjected() != null
                        && c.getStatus().getNotInjected().stream().anyMatch(n -> "opted-out".equals(n.getPod())),
                        CONVERGE.toSeconds(), TimeUnit.SECONDS);
        assertTrue(withNote.getStatus().getNotInjected().stream().filter(n -> "opted-out".equals(n.getPod()))
                .allMatch(n -> n.getReason().contains("opted out")), withNote.getStatus().getNotInjected().toString());

        // the namespace really enforces Pod Security "restricted" (so the admitted mutated pod of test 2 complied)
        Pod loose = new PodBuilder(covappPod("not-restricted", Map.of("app", "covapp"), 1)).editSpec()
                .withSecurityContext(null).editFirstContainer().withSecurityContext(null).endContainer().endSpec()
                .build();
        io.fabric8.kubernetes.client.KubernetesClientException rejected = org.junit.jupiter.api.Assertions.assertThrows(
                io.fabric8.kubernetes.client.KubernetesClientException.class,
                () -> admin.pods().inNamespace(APP_NS).resource(loose).create());
        assertEquals(403, rejected.getCode(), rejected.getMessage());
        assertTrue(rejected.getMessage().contains("restricted"), rejected.getMessage());

        String other = "e2e-not-labelled";
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(other).endMetadata().build())
                .serverSideApply();
        admin.serviceAccounts().inNamespace(other).resource(new ServiceAccountBuilder().withNewMetadata()
                .withName("default").endMetadata().build()).serverSideApply();
        CoverageCapture cc = capture();
        cc.getMetadata().setNamespace(other);
        admin.resources(CoverageCapture.class).inNamespace(other).resource(cc).serverSideApply();
        Pod p = new PodBuilder(covappPod("plain", Map.of("app", "covapp"), 1)).editMetadata().withNamespace(other)
                .endMetadata().build();
        Pod plain = admin.pods().inNamespace(other).resource(p).create();
        assertFalse(injected(plain), "namespace without " + Labels.INJECT_LABEL + "=enabled is not mutated");
        assertEquals(List.of(COVAPP_IN_IMAGE), plain.getSpec().getContainers().get(0).getCommand());
    }

    static String runCli(List<String> args) throws Exception {
        return runCli(args, Map.of());
    }

    static String runCli(List<String> args, Map<String, String> env) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(integcovLauncher.toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(CONVERGE.toSeconds(), TimeUnit.SECONDS), "integcov " + args + " did not finish");
        assertEquals(0, p.exitValue(), "integcov " + args + ":\n" + out);
        return out;
    }

    /** Shell quoting for the launcher script. */
    static final class Installer {
        static String shellQuote(String s) {
            return "'" + s.replace("'", "'\\''") + "'";
        }
    }

    @Test
    @Order(6)
    void podsCreatedWhileTheWebhookIsDownAreAdmittedUnmutatedAndReportedByTheOperator() throws Exception {
        Assumptions.assumeTrue(admin.namespaces().withName(APP_NS).get() != null, "needs the namespace of test 2");
        webhook.stop(CONVERGE);
        // failurePolicy Ignore: the apiserver cannot reach the webhook, and still admits the pod, unmutated
        Pod stored = admin.pods().inNamespace(APP_NS)
                .resource(covappPod("created-while-down", Map.of("app", "covapp"), 1)).create();
        assertFalse(injected(stored), "webhook down: pod admitted unmutated");
        assertEquals(List.of(COVAPP_IN_IMAGE), stored.getSpec().getContainers().get(0).getCommand());

        CoverageCapture cc = admin.resources(CoverageCapture.class).inNamespace(APP_NS).withName("covapp")
                .waitUntilCondition(c -> c != null && c.getStatus() != null && c.getStatus().getNotInjected() != null
                        && c.getStatus().getNotInjected().stream()
                                .anyMatch(n -> "created-while-down".equals(n.getPod())),
                        CONVERGE.toSeconds(), TimeUnit.SECONDS);
        String hint = cc.getStatus().getNotInjected().stream().filter(n -> "created-while-down".equals(n.getPod()))
                .findFirst().orElseThrow().getReason();
        assertTrue(hint.contains("delete the pod"), hint);
        assertTrue(cc.getStatus().getNotInjectedPods() >= 1, "notInjectedPods " + cc.getStatus().getNotInjectedPods());
        assertEquals(1, cc.getStatus().getInjectedPods());
    }
}
