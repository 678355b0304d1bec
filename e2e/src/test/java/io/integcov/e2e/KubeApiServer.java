package io.integcov.e2e;

import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.integcov.testing.Kubeconfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The kube-apiserver of the {@link LocalCluster} as the tests talk to it: its URL, the cluster CA, the static admin
 * token (group {@code system:masters}), fabric8 clients, ServiceAccount tokens and kubeconfigs. Starting and stopping
 * the processes is the cluster's job (src/ci/cluster/up.sh and down.sh), not this class's.
 */
public final class KubeApiServer implements AutoCloseable {
    /** Deadline for processes to become ready (a start-up bound, not an assertion). */
    private static final Duration START_DEADLINE = Duration.ofSeconds(180);

    private final String url;
    private final Path caFile;
    private final String adminToken;
    private final Path workDir;
    private final SSLContext ssl;
    private final List<KubernetesClient> clients = new ArrayList<>();

    KubeApiServer(String url, Path caFile, String adminToken, Path workDir) throws Exception {
        this.url = url;
        this.caFile = caFile;
        this.adminToken = adminToken;
        this.workDir = workDir;
        this.ssl = Pem.trusting(Files.readAllBytes(caFile));
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    @FunctionalInterface
    interface Probe {
        boolean ready() throws Exception;
    }

    /**
     * Polls {@code probe} (every 250 ms) until true; an I/O error of the probe (nothing listening yet, TLS not served
     * yet) counts as not ready. Fails at once with the log tail if {@code owner} dies, or at the start deadline with the
     * last error.
     */
    static void waitUntil(String what, ManagedProcess owner, Probe probe) throws Exception {
        AtomicReference<IOException> last = new AtomicReference<>();
        try {
            Awaitility.await(what).atMost(START_DEADLINE).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(250))
                    .pollInSameThread().until(() -> {
                        if (owner != null) {
                            owner.checkAlive();
                        }
                        try {
                            boolean ready = probe.ready();
                            last.set(null);
                            return ready;
                        } catch (IOException e) {
                            last.set(e);
                            return false;
                        }
                    });
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException("not ready within " + START_DEADLINE + ": " + what
                    + (last.get() != null ? " (last error: " + last.get() + ")" : "")
                    + (owner != null ? "; log " + owner.log() + ":\n" + owner.logTail(40) : ""), e);
        }
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
        return url;
    }

    /** The cluster CA (PEM): it signed the apiserver's and the kubelet's serving certificates. */
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
    public synchronized KubernetesClient client(String token) {
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

    /**
     * Writes a kubeconfig for {@code token} (user name {@code user}, namespace default; made by the tests' one
     * kubeconfig writer, {@link Kubeconfig}) and returns its path.
     */
    public Path writeKubeconfig(Path file, String user, String token) throws IOException {
        return Kubeconfig.forServer(url()).caFile(caFile).user(user).token(token).namespace("default").write(file);
    }

    /** Closes the clients handed out (the cluster itself is stopped by {@link LocalCluster#close()}). */
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
    }
}
