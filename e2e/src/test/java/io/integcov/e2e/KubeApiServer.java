package io.integcov.e2e;

import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.net.ssl.SSLContext;

/**
 * A real etcd + kube-apiserver on loopback, from the binaries that src/ci/build-k8s.sh caches, owned by the test:
 * free ports, the apiserver's own self-signed serving certificate (in {@code cert-dir}), a static admin token in group
 * {@code system:masters}, RBAC authorization, MutatingAdmissionWebhook, and a service-account signing key (so
 * TokenRequest works and components can run as their deploy/ ServiceAccounts).
 *
 * <pre>
 * try (KubeApiServer api = KubeApiServer.start(workDir)) { KubernetesClient c = api.adminClient(); ... }
 * </pre>
 */
public final class KubeApiServer implements AutoCloseable {
    /** Deadline for etcd and kube-apiserver to become ready (a start-up bound, not an assertion). */
    private static final Duration START_DEADLINE = Duration.ofSeconds(180);

    private final Path workDir;
    private final List<ManagedProcess> processes = new ArrayList<>();
    private final List<KubernetesClient> clients = new ArrayList<>();
    private final String adminToken = UUID.randomUUID().toString();
    private int apiPort;
    private Path caFile;
    private SSLContext ssl;

    private KubeApiServer(Path workDir) {
        this.workDir = workDir;
    }

    /**
     * Starts etcd and kube-apiserver in {@code workDir} and waits until {@code /readyz} answers 200. Skips the test
     * when the binaries are missing (fails instead when INTEGCOV_E2E_REQUIRED is set).
     */
    public static KubeApiServer start(Path workDir) throws Exception {
        List<Path> bins = E2eEnv.requireBinaries("etcd", "kube-apiserver");
        KubeApiServer s = new KubeApiServer(workDir.toAbsolutePath());
        try {
            s.doStart(bins.get(0), bins.get(1));
        } catch (Exception | Error e) {
            s.close();
            throw e;
        }
        return s;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    private void doStart(Path etcdBin, Path apiBin) throws Exception {
        Files.createDirectories(workDir);
        int etcdClient = freePort();
        int etcdPeer = freePort();
        String etcdUrl = "http://127.0.0.1:" + etcdClient;
        ManagedProcess etcd = ManagedProcess.start("etcd", List.of(etcdBin.toString(),
                "--name", "integcov-e2e",
                "--data-dir", workDir.resolve("etcd-data").toString(),
                "--listen-client-urls", etcdUrl,
                "--advertise-client-urls", etcdUrl,
                "--listen-peer-urls", "http://127.0.0.1:" + etcdPeer,
                "--initial-advertise-peer-urls", "http://127.0.0.1:" + etcdPeer),
                Map.of(), workDir, workDir.resolve("etcd.log"));
        processes.add(etcd);
        HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        waitUntil("etcd " + etcdUrl + "/health", etcd, () -> {
            HttpResponse<String> r = plain.send(HttpRequest.newBuilder(URI.create(etcdUrl + "/health"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 && r.body().contains("true");
        });

        Path certDir = Files.createDirectories(workDir.resolve("pki"));
        Path saKey = certDir.resolve("sa.key");
        Pem.writeRsaKey(saKey);
        Path tokens = certDir.resolve("tokens.csv");
        Files.writeString(tokens, adminToken + ",integcov-e2e-admin,integcov-e2e-admin,\"system:masters\"\n");
        apiPort = freePort();
        List<String> cmd = List.of(apiBin.toString(),
                "--etcd-servers=" + etcdUrl,
                "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1",
                "--secure-port=" + apiPort,
                "--cert-dir=" + certDir, // no --tls-cert-file: the apiserver writes a self-signed pair here
                "--token-auth-file=" + tokens,
                "--authorization-mode=RBAC",
                "--enable-admission-plugins=MutatingAdmissionWebhook",
                "--service-cluster-ip-range=10.96.0.0/16",
                "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                "--service-account-key-file=" + saKey,
                "--service-account-signing-key-file=" + saKey,
                "--api-audiences=https://kubernetes.default.svc.cluster.local",
                "--allow-privileged=true",
                "--profiling=false",
                "--v=1");
        ManagedProcess api = ManagedProcess.start("kube-apiserver", cmd, Map.of(), workDir,
                workDir.resolve("kube-apiserver.log"));
        processes.add(api);

        caFile = certDir.resolve("apiserver.crt");
        waitUntil("kube-apiserver self-signed certificate " + caFile, api,
                () -> Files.isRegularFile(caFile) && Files.size(caFile) > 0);
        ssl = Pem.trusting(Files.readAllBytes(caFile));
        HttpClient tls = HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(2)).build();
        waitUntil("kube-apiserver " + url() + "/readyz", api, () -> {
            HttpResponse<String> r = tls.send(HttpRequest.newBuilder(URI.create(url() + "/readyz"))
                    .header("Authorization", "Bearer " + adminToken).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200;
        });
    }

    @FunctionalInterface
    interface Probe {
        boolean ready() throws Exception;
    }

    /** Polls {@code probe} until true; fails early with the log tail if {@code owner} dies, or at the start deadline. */
    static void waitUntil(String what, ManagedProcess owner, Probe probe) throws Exception {
        Instant deadline = Instant.now().plus(START_DEADLINE);
        Exception last = null;
        while (Instant.now().isBefore(deadline)) {
            if (owner != null) {
                owner.checkAlive();
            }
            try {
                if (probe.ready()) {
                    return;
                }
                last = null;
            } catch (ConnectException | javax.net.ssl.SSLException | java.net.http.HttpTimeoutException e) {
                last = e;
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("not ready within " + START_DEADLINE + ": " + what
                + (last != null ? " (last error: " + last + ")" : "")
                + (owner != null ? "; log " + owner.log() + ":\n" + owner.logTail(40) : ""));
    }

    /** The k8s.io/kubernetes version src/ci/k8s-build/go.mod pins (what src/ci/build-k8s.sh builds). */
    public static String pinnedVersion() throws IOException {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^\\s*(?:require\\s+)?k8s\\.io/kubernetes (v\\S+)")
                .matcher(Files.readString(E2eEnv.repoRoot().resolve("src/ci/k8s-build/go.mod")));
        if (!m.find()) {
            throw new IllegalStateException("no k8s.io/kubernetes requirement in src/ci/k8s-build/go.mod");
        }
        return m.group(1);
    }

    public String url() {
        return "https://127.0.0.1:" + apiPort;
    }

    public int port() {
        return apiPort;
    }

    /** PEM bundle the apiserver serves with (trust it to talk to the apiserver). */
    public Path caFile() {
        return caFile;
    }

    public SSLContext sslContext() {
        return ssl;
    }

    public String adminToken() {
        return adminToken;
    }

    public Path workDir() {
        return workDir;
    }

    public ManagedProcess apiserverProcess() {
        return processes.get(1);
    }

    public Config config(String token) {
        return new ConfigBuilder(Config.empty())
                .withMasterUrl(url())
                .withCaCertFile(caFile.toString())
                .withOauthToken(token)
                .withNamespace("default")
                .withRequestTimeout(30_000)
                .withConnectionTimeout(10_000)
                .build();
    }

    /** A client as {@code system:masters}; closed with the server. */
    public KubernetesClient adminClient() {
        return client(adminToken);
    }

    /** A client authenticating with {@code token}; closed with the server. */
    public KubernetesClient client(String token) {
        KubernetesClient c = new KubernetesClientBuilder().withConfig(config(token)).build();
        clients.add(c);
        return c;
    }

    /** A token for a ServiceAccount, minted by the apiserver (TokenRequest API), valid for an hour. */
    public String serviceAccountToken(String namespace, String serviceAccount) {
        TokenRequest tr = adminClient().serviceAccounts().inNamespace(namespace).withName(serviceAccount)
                .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build());
        return tr.getStatus().getToken();
    }

    /** Writes a kubeconfig for {@code token} (user name {@code user}) and returns its path. */
    public Path writeKubeconfig(Path file, String user, String token) throws IOException {
        String yaml = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: integcov-e2e
                  cluster:
                    server: %s
                    certificate-authority: %s
                users:
                - name: %s
                  user:
                    token: %s
                contexts:
                - name: integcov-e2e
                  context:
                    cluster: integcov-e2e
                    user: %s
                    namespace: default
                current-context: integcov-e2e
                """.formatted(url(), caFile, user, token, user);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, yaml);
        return file;
    }

    @Override
    public void close() {
        for (KubernetesClient c : clients) {
            try {
                c.close();
            } catch (RuntimeException ignored) {
                // best effort
            }
        }
        clients.clear();
        // apiserver first, then etcd
        for (int i = processes.size() - 1; i >= 0; i--) {
            processes.get(i).close();
        }
        processes.clear();
    }
}
