package io.integcov.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * integcov installed into the {@link LocalCluster} from deploy/: the CRD, namespace, RBAC and the
 * MutatingWebhookConfiguration applied for real (pointing at https://127.0.0.1:PORT), the operator and the webhook run on
 * the host from their Quarkus fast-jars (their images need Docker to build), each authenticated with a token of its
 * deploy/ ServiceAccount, so deploy/'s RBAC is exactly what they get. The deploy/ Deployments are server-side dry runs.
 * The webhook injects the agent image built by {@link Images#agent}.
 */
final class IntegcovOnHost implements AutoCloseable {
    static final String SYSTEM_NS = "integcov-system";
    /** Start-up bound for operator and webhook (not an assertion on speed). */
    static final Duration START = Duration.ofMinutes(3);

    final LocalCluster cluster;
    final KubernetesClient admin;
    final Path work;
    final Manifests.Applied deployed;
    final int webhookPort;
    final String agentImage;
    final ManagedProcess operator;
    ManagedProcess webhook;

    private IntegcovOnHost(LocalCluster cluster, Path work, Manifests.Applied deployed, int webhookPort,
            String agentImage, ManagedProcess operator) {
        this.cluster = cluster;
        this.admin = cluster.api().adminClient();
        this.work = work;
        this.deployed = deployed;
        this.webhookPort = webhookPort;
        this.agentImage = agentImage;
        this.operator = operator;
    }

    /**
     * Applies deploy/ (or -Dintegcov.e2e.deploy=DIR), starts the operator (with {@code operatorEnv} added, e.g.
     * STORAGE_EMULATOR_HOST), waits for the webhook TLS Secret it issues, then starts the webhook and waits until it
     * answers with that certificate.
     */
    static IntegcovOnHost install(LocalCluster cluster, Path work, Map<String, String> operatorEnv) throws Exception {
        KubernetesClient admin = cluster.api().adminClient();
        Crds.apply(admin);
        int webhookPort = KubeApiServer.freePort();
        List<HasMetadata> objects = Manifests.kustomize(admin, deployBase());
        Manifests.Applied deployed = Manifests.apply(admin, objects, "https://127.0.0.1:" + webhookPort);
        Images.agent(cluster);

        Map<String, String> env = new LinkedHashMap<>(operatorEnv);
        env.put("QUARKUS_HTTP_PORT", Integer.toString(KubeApiServer.freePort()));
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("INTEGCOV_OPERATOR_RESYNC_INTERVAL", "2s");
        // what an overlay for a webhook reached at https://127.0.0.1 adds
        env.put("INTEGCOV_WEBHOOK_TLS_EXTRA_SANS", "127.0.0.1");
        env.put("INTEGCOV_WEBHOOK_TLS_CHECK_INTERVAL", "2s");
        ManagedProcess operator = startFromDeployment(cluster, work, "operator", deployment(deployed, "operator"), env);
        IntegcovOnHost installed = new IntegcovOnHost(cluster, work, deployed, webhookPort, Images.AGENT, operator);
        try {
            KubeApiServer.waitUntil("operator creates the webhook TLS Secret in " + SYSTEM_NS, operator, () -> {
                Secret s = installed.webhookTlsSecret();
                return s != null && s.getData() != null && s.getData().keySet().containsAll(List.of("tls.crt", "tls.key"));
            });
            installed.startWebhook();
        } catch (Exception | Error e) {
            installed.close();
            throw e;
        }
        return installed;
    }

    /** deploy/ (system property integcov.e2e.deploy names another kustomize dir, e.g. an overlay). */
    static Path deployBase() {
        String override = System.getProperty("integcov.e2e.deploy");
        if (override != null && !override.isBlank()) {
            return Path.of(override);
        }
        return E2eEnv.repoRoot().resolve("deploy");
    }

    static Deployment deployment(Manifests.Applied deployed, String nameContains) {
        return deployed.ofKind(Deployment.class).stream()
                .filter(d -> d.getMetadata().getName().contains(nameContains)).findFirst()
                .orElseThrow(() -> new IllegalStateException("deploy/ has no Deployment named *" + nameContains + "*"));
    }

    /** (Re)starts the webhook on {@link #webhookPort} and waits until it serves the operator's certificate. */
    void startWebhook() throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("QUARKUS_HTTP_SSL_PORT", Integer.toString(webhookPort));
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("QUARKUS_HTTP_PORT", Integer.toString(KubeApiServer.freePort()));
        env.put("INTEGCOV_AGENT_IMAGE", agentImage);
        webhook = startFromDeployment(cluster, work, "webhook", deployment(deployed, "webhook"), env);
        HttpClient https = HttpClient.newBuilder()
                .sslContext(Pem.trusting(caPem().getBytes(StandardCharsets.US_ASCII)))
                .connectTimeout(Duration.ofSeconds(2)).build();
        KubeApiServer.waitUntil("webhook ready on https://127.0.0.1:" + webhookPort + " with the operator's certificate",
                webhook, () -> https.send(HttpRequest.newBuilder(
                        URI.create("https://127.0.0.1:" + webhookPort + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode() == 200);
    }

    /**
     * Runs a deploy/ Deployment's single container from its module's fast-jar on the host, prepared as its pod would
     * be: the container's env (literal values; downward-API metadata.namespace/name), its Secret and emptyDir volumes
     * as host directories (env values under a mount path point into them), KUBECONFIG with a token of the
     * Deployment's ServiceAccount instead of the in-cluster token mount, plus {@code overrides}.
     */
    static ManagedProcess startFromDeployment(LocalCluster cluster, Path work, String module, Deployment d,
            Map<String, String> overrides) throws Exception {
        KubeApiServer api = cluster.api();
        String ns = d.getMetadata().getNamespace();
        PodSpec spec = d.getSpec().getTemplate().getSpec();
        assertEquals(1, spec.getContainers().size(), "one container in Deployment " + d.getMetadata().getName());
        Container c = spec.getContainers().get(0);
        String podName = d.getMetadata().getName() + "-on-host";
        Path dir = Files.createDirectories(work.resolve(module));

        Map<String, Path> mounts = new LinkedHashMap<>();
        for (VolumeMount m : c.getVolumeMounts() == null ? List.<VolumeMount>of() : c.getVolumeMounts()) {
            Volume v = spec.getVolumes().stream().filter(x -> x.getName().equals(m.getName())).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no volume " + m.getName()));
            Path host = Files.createDirectories(dir.resolve("volumes").resolve(v.getName()));
            if (v.getSecret() != null) {
                Secret s = api.adminClient().secrets().inNamespace(ns).withName(v.getSecret().getSecretName()).get();
                assertNotNull(s, "Secret " + ns + "/" + v.getSecret().getSecretName() + " of volume " + v.getName());
                List<KeyToPath> items = v.getSecret().getItems() != null && !v.getSecret().getItems().isEmpty()
                        ? v.getSecret().getItems()
                        : s.getData().keySet().stream().map(k -> new KeyToPath(k, null, k)).toList();
                for (KeyToPath item : items) {
                    Files.write(host.resolve(item.getPath()), Base64.getDecoder().decode(s.getData().get(item.getKey())));
                }
            } else if (v.getEmptyDir() == null) {
                throw new IllegalStateException("volume " + v.getName() + ": only secret and emptyDir are supported");
            }
            mounts.put(m.getMountPath(), host);
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar e : c.getEnv() == null ? List.<EnvVar>of() : c.getEnv()) {
            String value = e.getValue();
            if (e.getValueFrom() != null) {
                String field = e.getValueFrom().getFieldRef() != null ? e.getValueFrom().getFieldRef().getFieldPath() : "";
                value = switch (field) {
                    case "metadata.namespace" -> ns;
                    case "metadata.name" -> podName;
                    default -> throw new IllegalStateException("env " + e.getName() + ": unsupported valueFrom "
                            + e.getValueFrom());
                };
            }
            String mount = null; // the deepest mount path the value is at or below
            for (String m : mounts.keySet()) {
                if (value != null && (value.equals(m) || value.startsWith(m + "/"))
                        && (mount == null || m.length() > mount.length())) {
                    mount = m;
                }
            }
            if (mount != null) {
                value = mounts.get(mount) + value.substring(mount.length());
            }
            env.put(e.getName(), value == null ? "" : value);
        }
        String sa = spec.getServiceAccountName();
        assertNotNull(sa, "Deployment " + d.getMetadata().getName() + " names no serviceAccountName");
        env.put("KUBECONFIG", api.writeKubeconfig(dir.resolve(module + ".kubeconfig"),
                "system:serviceaccount:" + ns + ":" + sa, api.serviceAccountToken(ns, sa)).toString());
        env.putAll(overrides);
        return QuarkusApp.start(module, env, dir);
    }

    /** The webhook TLS Secret the operator manages (type kubernetes.io/tls in the system namespace), or null. */
    Secret webhookTlsSecret() {
        return admin.secrets().inNamespace(SYSTEM_NS).list().getItems().stream()
                .filter(s -> "kubernetes.io/tls".equals(s.getType())).findFirst().orElse(null);
    }

    String caPem() {
        Secret s = webhookTlsSecret();
        assertNotNull(s, "webhook TLS Secret");
        String b64 = s.getData().get("ca.crt");
        assertNotNull(b64, "ca.crt in Secret " + s.getMetadata().getName() + ": " + s.getData().keySet());
        return new String(Base64.getDecoder().decode(b64), StandardCharsets.US_ASCII);
    }

    @Override
    public void close() {
        for (ManagedProcess p : new ManagedProcess[] {webhook, operator}) {
            if (p != null) {
                p.close();
            }
        }
    }
}
