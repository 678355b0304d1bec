package io.integcov.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.integcov.model.DefaultStore;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * integcov installed into the {@link LocalCluster} exactly as users install it: the images built from
 * deploy/docker/*.Dockerfile by src/ci/images/build.sh (buildah, stand-in bases) and imported into the cluster's
 * containerd, then {@code kubectl apply -k} of an overlay of deploy/ that only renames the images
 * (localhost/integcov/IMAGE:0.1.0 and the default store's stand-in image) and sets imagePullPolicy Never. The
 * operator (1 replica, leader election) and the webhook (2 replicas, PodDisruptionBudget) run as pods with their
 * ServiceAccounts' RBAC; the operator issues the webhook's certificate and patches the caBundle; kube-apiserver reaches
 * the webhook through its Service. The default store (fake-gcs-server on a PersistentVolumeClaim) runs as deploy/
 * installs it.
 *
 * <p>The images are built once per test JVM (an unchanged tree rebuilds in seconds), imported and applied once per
 * cluster; every test class shares the installation ({@link #in(LocalCluster)}).
 */
final class IntegcovInCluster {
    static final String SYSTEM_NS = DefaultStore.NAMESPACE;
    static final String OPERATOR = "integcov-operator";
    static final String WEBHOOK = "integcov-webhook";
    static final String STORE = DefaultStore.SERVICE;
    static final String WEBHOOK_CONFIGURATION = "integcov";
    static final String TLS_SECRET = "integcov-webhook-tls";
    static final int WEBHOOK_REPLICAS = 2;
    /** The tag src/ci/images/build.sh gives the images (deploy/base/kustomization.yaml's). */
    static final String TAG = "0.1.0";
    static final String IMAGE_PREFIX = "localhost/integcov/";
    /** The agent image the webhook injects (deploy/'s integcov/agent, renamed by the overlay). */
    static final String AGENT_IMAGE = IMAGE_PREFIX + "agent:" + TAG;
    /** The default store's public image (deploy/base/store.yaml); it cannot be pulled here. */
    static final String STORE_IMAGE = "docker.io/fsouza/fake-gcs-server";
    /** Its stand-in (src/ci/cluster/store-standin.sh). */
    static final String STORE_STANDIN = "localhost/integcov-standin/fake-gcs-server";
    /** Bound for the installation to converge (image import, JVM start-up, certificate): not an assertion on speed. */
    static final Duration START = Duration.ofMinutes(5);

    private static Path builtImages;
    private static IntegcovInCluster installed;

    final LocalCluster cluster;
    final KubernetesClient admin;
    final Path work;

    private IntegcovInCluster(LocalCluster cluster, Path work) {
        this.cluster = cluster;
        this.admin = cluster.api().adminClient();
        this.work = work;
    }

    /** integcov installed in {@code cluster} (installed on the first call for that cluster), ready to admit pods. */
    static synchronized IntegcovInCluster in(LocalCluster cluster) throws Exception {
        if (installed != null && installed.cluster == cluster) {
            installed.awaitReady();
            return installed;
        }
        IntegcovInCluster i = new IntegcovInCluster(cluster, E2eEnv.workDir("integcov-install"));
        i.install();
        installed = i;
        return i;
    }

    /** The installation of this JVM's current cluster, or null before the first {@link #in}. */
    static synchronized IntegcovInCluster current() {
        return installed;
    }

    // --- installing ------------------------------------------------------------------------------------------------

    /** The image archives of agent, operator and webhook, built once per JVM by src/ci/images/build.sh. */
    static synchronized Path images() throws Exception {
        if (builtImages == null) {
            Path out = Files.createDirectories(E2eEnv.workRoot().getParent().resolve("images"));
            Path log = E2eEnv.workRoot().resolve("images-build.log");
            long t0 = System.nanoTime();
            System.out.println("integcov: building the images from deploy/docker (src/ci/images/build.sh; log " + log
                    + ")");
            run(BUILD, log, E2eEnv.repoRoot().resolve("src/ci/images/build.sh").toString(), out.toString());
            System.out.printf("integcov: images agent, operator, webhook built from deploy/docker in %.1fs (%s)%n",
                    (System.nanoTime() - t0) / 1e9, log);
            builtImages = out;
        }
        return builtImages;
    }

    /** Bound for src/ci/images/build.sh (cold: 6-15 min on 2 cores; unchanged: seconds). */
    static final Duration BUILD = Duration.ofMinutes(40);

    /** Runs a command to completion within {@code limit}; stderr to {@code log}; fails with the log's end; stdout. */
    static String run(Duration limit, Path log, String... command) throws Exception {
        Files.createDirectories(log.toAbsolutePath().getParent());
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        java.util.concurrent.CompletableFuture<byte[]> out = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return p.getInputStream().readAllBytes();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        if (!p.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor();
            throw new IllegalStateException(String.join(" ", command) + " did not finish within " + limit + "; " + log);
        }
        if (p.exitValue() != 0) {
            List<String> lines = Files.readAllLines(log);
            throw new IllegalStateException(String.join(" ", command) + " failed (exit " + p.exitValue() + "); " + log
                    + ":\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
        }
        return new String(out.get(), StandardCharsets.UTF_8);
    }

    /** kubectl as src/ci/build-k8s.sh builds it into the integcov cache (the cluster's own version). */
    static Path kubectl() {
        Path k = E2eEnv.binDir().resolve("kubectl");
        if (!Files.isExecutable(k)) {
            throw new IllegalStateException(k + " is missing; build it: src/ci/build-k8s.sh");
        }
        return k;
    }

    /** A setting of the cluster's cluster.env (written by up.sh), e.g. CONTAINERD_ADDRESS. */
    String clusterEnv(String key) throws IOException {
        Properties env = new Properties();
        try (Reader r = Files.newBufferedReader(cluster.workDir().resolve("cluster.env"), StandardCharsets.UTF_8)) {
            env.load(r);
        }
        String v = env.getProperty(key);
        assertNotNull(v, key + " in " + cluster.workDir().resolve("cluster.env"));
        return v;
    }

    private void install() throws Exception {
        long t0 = System.nanoTime();
        Path archives = images();
        Path log = work.resolve("install.log");
        long t1 = System.nanoTime();
        run(START, log, E2eEnv.repoRoot().resolve("src/ci/images/build.sh").toString(), "import",
                clusterEnv("CONTAINERD_ADDRESS"), archives.toString());
        storeStandin();
        Path overlay = writeOverlay(work.resolve("overlay"), deployDir());
        String applied = run(START, log, kubectl().toString(), "--kubeconfig",
                cluster.adminKubeconfig().toString(), "apply", "-k", overlay.toString());
        Files.writeString(work.resolve("apply.out"), applied);
        long t2 = System.nanoTime();
        try {
            awaitReady();
        } catch (Exception | Error e) {
            throw new AssertionError(e.getMessage() + "\n" + diagnostics(), e);
        }
        System.out.printf("integcov: installed with kubectl apply -k %s; images imported in %.1fs, operator and webhook"
                + " Available after %.1fs (images built in %.1fs)%n", overlay, (t2 - t1) / 1e9,
                (System.nanoTime() - t2) / 1e9, (t1 - t0) / 1e9);
    }

    /** deploy/ (system property integcov.e2e.deploy names another kustomize directory to overlay). */
    static Path deployDir() {
        String override = System.getProperty("integcov.e2e.deploy");
        return override != null && !override.isBlank() ? Path.of(override).toAbsolutePath()
                : E2eEnv.repoRoot().resolve("deploy");
    }

    /**
     * Writes the overlay: deploy/ as it is, with only the image names changed (deploy/base/image-fields.yaml copied,
     * so the webhook's INTEGCOV_AGENT_IMAGE is renamed too) and imagePullPolicy Never on every container of
     * integcov-system (no registry can be reached; a missing image fails at once instead of after a pull time-out).
     */
    static Path writeOverlay(Path dir, Path deploy) throws IOException {
        Files.createDirectories(dir);
        Files.copy(deploy.resolve("base/image-fields.yaml"), dir.resolve("image-fields.yaml"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        String pullNever = """
                  - target:
                      group: apps
                      kind: Deployment
                      name: %s
                    patch: |-
                %s""";
        StringBuilder patches = new StringBuilder();
        for (String d : List.of(OPERATOR, WEBHOOK, STORE)) {
            StringBuilder ops = new StringBuilder();
            ops.append("      - op: add\n        path: /spec/template/spec/containers/0/imagePullPolicy\n"
                    + "        value: Never\n");
            if (d.equals(STORE)) { // its init containers: the bucket's mkdir and the repair
                for (int i = 0; i < 2; i++) {
                    ops.append("      - op: add\n        path: /spec/template/spec/initContainers/" + i
                            + "/imagePullPolicy\n        value: Never\n");
                }
            }
            patches.append(pullNever.formatted(d, ops));
        }
        String kustomization = """
                # Written by the e2e (IntegcovInCluster): deploy/ as users install it; only the images are renamed to
                # the locally built ones, and never pulled.
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources:
                  - %s
                configurations:
                  - image-fields.yaml
                images:
                  - name: integcov/agent
                    newName: %sagent
                    newTag: %s
                  - name: integcov/operator
                    newName: %soperator
                    newTag: %s
                  - name: integcov/webhook
                    newName: %swebhook
                    newTag: %s
                  - name: %s
                    newName: %s
                patches:
                %s""".formatted(dir.toAbsolutePath().relativize(deploy.toAbsolutePath()), IMAGE_PREFIX, TAG,
                IMAGE_PREFIX, TAG, IMAGE_PREFIX, TAG, STORE_IMAGE, STORE_STANDIN, patches);
        Files.writeString(dir.resolve("kustomization.yaml"), kustomization);
        return dir;
    }

    /**
     * The default store's stand-in image under {@link #STORE_STANDIN} (src/ci/cluster/store-standin.sh: the cached
     * static fake-gcs-server of store.yaml's version and a static busybox, as the public Alpine-based image has one).
     */
    void storeStandin() throws Exception {
        Matcher m = Pattern.compile(Pattern.quote(STORE_IMAGE) + ":(\\S+)")
                .matcher(Files.readString(deployDir().resolve("base/store.yaml")));
        assertTrue(m.find(), "deploy/base/store.yaml names image " + STORE_IMAGE);
        assertEquals(STORE_STANDIN + ":" + m.group(1), cluster.storeStandin());
    }

    // --- waiting -------------------------------------------------------------------------------------------------

    /**
     * Waits until operator, webhook and store are Available with all replicas ready and up to date, the operator holds
     * its Lease, the TLS Secret exists and every webhook of the MutatingWebhookConfiguration trusts its CA.
     */
    void awaitReady() throws Exception {
        awaitAvailable(OPERATOR, 1);
        awaitAvailable(STORE, 1);
        awaitAvailable(WEBHOOK, WEBHOOK_REPLICAS);
        KubeApiServer.waitUntil("the operator holds the leader-election Lease " + OPERATOR, null, () -> {
            var lease = admin.leases().inNamespace(SYSTEM_NS).withName(OPERATOR).get();
            return lease != null && lease.getSpec().getHolderIdentity() != null
                    && !lease.getSpec().getHolderIdentity().isBlank();
        });
        KubeApiServer.waitUntil("the operator created Secret " + TLS_SECRET + " and put its CA into the caBundle",
                null, () -> {
                    Secret s = webhookTlsSecret();
                    if (s == null || s.getData() == null || !s.getData().containsKey("ca.crt")) {
                        return false;
                    }
                    String ca = caPem();
                    return webhooks().stream().allMatch(w -> w.getClientConfig().getCaBundle() != null
                            && new String(Base64.getDecoder().decode(w.getClientConfig().getCaBundle()),
                                    StandardCharsets.US_ASCII).contains(ca.trim()));
                });
    }

    /** Waits until Deployment {@code name} has {@code replicas} ready, up-to-date replicas and is Available. */
    void awaitAvailable(String name, int replicas) {
        try {
            admin.apps().deployments().inNamespace(SYSTEM_NS).withName(name).waitUntilCondition(d -> d != null
                    && d.getStatus() != null
                    && Objects.equals(d.getStatus().getObservedGeneration(), d.getMetadata().getGeneration())
                    && Integer.valueOf(replicas).equals(d.getStatus().getReadyReplicas())
                    && Integer.valueOf(replicas).equals(d.getStatus().getUpdatedReplicas())
                    && Integer.valueOf(replicas).equals(d.getStatus().getReplicas())
                    && d.getStatus().getConditions() != null && d.getStatus().getConditions().stream()
                            .anyMatch(c -> "Available".equals(c.getType()) && "True".equals(c.getStatus())),
                    START.toSeconds(), TimeUnit.SECONDS);
        } catch (RuntimeException e) {
            Deployment d = admin.apps().deployments().inNamespace(SYSTEM_NS).withName(name).get();
            throw new AssertionError("Deployment " + SYSTEM_NS + "/" + name + " not Available with " + replicas
                    + " ready replicas within " + START + "; status " + (d == null ? "(none)" : d.getStatus())
                    + "\n" + diagnostics(), e);
        }
    }

    List<io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook> webhooks() {
        MutatingWebhookConfiguration mwc = admin.admissionRegistration().v1().mutatingWebhookConfigurations()
                .withName(WEBHOOK_CONFIGURATION).get();
        assertNotNull(mwc, "MutatingWebhookConfiguration " + WEBHOOK_CONFIGURATION);
        return mwc.getWebhooks();
    }

    /** The pods of a Deployment of integcov-system (by its app.kubernetes.io/name label). */
    List<Pod> pods(String deployment) {
        return admin.pods().inNamespace(SYSTEM_NS).withLabel("app.kubernetes.io/name", deployment).list().getItems();
    }

    // --- the webhook down and up ----------------------------------------------------------------------------------

    /** Scales the webhook to 0 and waits until no webhook pod is left. */
    void stopWebhook() {
        admin.apps().deployments().inNamespace(SYSTEM_NS).withName(WEBHOOK).scale(0);
        try {
            admin.pods().inNamespace(SYSTEM_NS).withLabel("app.kubernetes.io/name", WEBHOOK).informOnCondition(
                    List::isEmpty).get(START.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("webhook pods still there " + START + " after scaling to 0: "
                    + pods(WEBHOOK).stream().map(p -> p.getMetadata().getName()).toList(), e);
        }
    }

    /** Scales the webhook back to its replicas and waits until it is Available again. */
    void startWebhook() throws Exception {
        admin.apps().deployments().inNamespace(SYSTEM_NS).withName(WEBHOOK).scale(WEBHOOK_REPLICAS);
        awaitReady();
    }

    // --- TLS ------------------------------------------------------------------------------------------------------

    Secret webhookTlsSecret() {
        return admin.secrets().inNamespace(SYSTEM_NS).withName(TLS_SECRET).get();
    }

    String caPem() {
        Secret s = webhookTlsSecret();
        assertNotNull(s, "Secret " + SYSTEM_NS + "/" + TLS_SECRET);
        String b64 = s.getData().get("ca.crt");
        assertNotNull(b64, "ca.crt in Secret " + TLS_SECRET + ": " + s.getData().keySet());
        return new String(Base64.getDecoder().decode(b64), StandardCharsets.US_ASCII);
    }

    // --- diagnostics ----------------------------------------------------------------------------------------------

    /**
     * What went on in integcov-system, for failure messages: each pod's phase and container states, and the last
     * lines of every container's log (the previous run's too after a restart). The whole logs are written to
     * {@code dir}.
     */
    String diagnostics(Path dir) {
        StringBuilder sb = new StringBuilder("--- pods of ").append(SYSTEM_NS).append(" (logs in ").append(dir)
                .append(") ---\n");
        try {
            Files.createDirectories(dir);
            for (Pod p : admin.pods().inNamespace(SYSTEM_NS).list().getItems()) {
                String name = p.getMetadata().getName();
                sb.append(name).append(": ").append(p.getStatus().getPhase());
                List<ContainerStatus> statuses = new ArrayList<>();
                if (p.getStatus().getInitContainerStatuses() != null) {
                    statuses.addAll(p.getStatus().getInitContainerStatuses());
                }
                if (p.getStatus().getContainerStatuses() != null) {
                    statuses.addAll(p.getStatus().getContainerStatuses());
                }
                for (ContainerStatus cs : statuses) {
                    sb.append("\n  ").append(cs.getName()).append(" ready=").append(cs.getReady()).append(" restarts=")
                            .append(cs.getRestartCount()).append(' ').append(cs.getState());
                }
                sb.append('\n');
                List<Container> containers = new ArrayList<>(p.getSpec().getContainers());
                if (p.getSpec().getInitContainers() != null) {
                    containers.addAll(p.getSpec().getInitContainers());
                }
                for (Container c : containers) {
                    for (boolean previous : new boolean[] {true, false}) {
                        String log;
                        try {
                            var container = admin.pods().inNamespace(SYSTEM_NS).withName(name)
                                    .inContainer(c.getName());
                            log = previous ? container.terminated().getLog() : container.getLog();
                        } catch (RuntimeException e) {
                            if (previous) {
                                continue; // no previous run
                            }
                            log = "(log not readable: " + e.getMessage() + ")";
                        }
                        if (log == null || (previous && log.isEmpty())) {
                            continue;
                        }
                        String file = name + "." + c.getName() + (previous ? ".previous" : "") + ".log";
                        Files.writeString(dir.resolve(file), log);
                        String[] lines = log.split("\n");
                        sb.append("  --- ").append(file).append(" (last 30 of ").append(lines.length)
                                .append(" lines) ---\n");
                        for (int i = Math.max(0, lines.length - 30); i < lines.length; i++) {
                            sb.append("  ").append(lines[i]).append('\n');
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            sb.append("(diagnostics incomplete: ").append(e).append(")\n");
        }
        return sb.toString();
    }

    String diagnostics() {
        return diagnostics(work.resolve("logs-" + System.currentTimeMillis()));
    }
}
