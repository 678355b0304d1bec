package io.integcov.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.LocalPortForward;
import io.integcov.model.CoverageCapture;
import io.integcov.model.CoverageCaptureSpec;
import io.integcov.model.Labels;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The webhook stays available while one of its pods goes away: deploy/ runs 2 replicas behind the Service with a
 * PodDisruptionBudget, so when one pod is deleted (SIGTERM, removed from the Service's endpoints, replaced by the
 * Deployment) kube-apiserver keeps reaching the other. Pods are created without pause from before the delete until the
 * replacement is ready, and every one of them must come back injected (failurePolicy Ignore would otherwise admit
 * them silently unmutated). The same while the operator rotates the webhook's CA: the caBundle trusts the old and the
 * new CA while the webhook pods still serve the old certificate, until the kubelet has delivered the new Secret and
 * the webhook has reloaded it. The pods carry a nodeSelector no node has, and are deleted right after their admission:
 * admission is what is tested.
 */
@ExtendWith({LocalClusterExtension.class, SystemPodLogsOnFailure.class})
class WebhookAvailabilityTest {
    static final String NS = "e2e-availability";

    static IntegcovInCluster integcov;
    static KubernetesClient admin;

    @BeforeAll
    static void install(LocalCluster cluster) throws Exception {
        integcov = IntegcovInCluster.in(cluster);
        admin = cluster.api().adminClient();
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS)
                .addToLabels(Labels.INJECT_LABEL, Labels.INJECT_ENABLED).endMetadata().build()).serverSideApply();
        admin.serviceAccounts().inNamespace(NS).withName("default").waitUntilCondition(sa -> sa != null,
                IntegcovInCluster.START.toSeconds(), TimeUnit.SECONDS);
        CoverageCaptureSpec spec = new CoverageCaptureSpec();
        spec.setSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("app", "avail")).build());
        admin.resources(CoverageCapture.class).inNamespace(NS).resource(new CoverageCapture(NS, "avail", spec))
                .serverSideApply();
        KubeApiServer.waitUntil("a dry-run create in " + NS + " is mutated by the webhook", null,
                () -> injected(admin.pods().inNamespace(NS).resource(pod("probe")).dryRun().create()));
    }

    /** A pod of the capture that no node runs (a nodeSelector label no node has). */
    static Pod pod(String name) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(NS).addToLabels("app", "avail")
                .endMetadata().withNewSpec().withNodeSelector(Map.of(WebhookAdmissionTest.UNSCHEDULABLE_LABEL, "true"))
                .withTerminationGracePeriodSeconds(0L).addToContainers(new ContainerBuilder().withName("app")
                        .withImage("registry.invalid/app:1").withCommand("/app").build())
                .endSpec().build();
    }

    static boolean injected(Pod p) {
        return p.getMetadata().getAnnotations() != null
                && p.getMetadata().getAnnotations().containsKey(Labels.INJECTED_ANNOTATION);
    }

    /** Creates pods one after the other until stopped; records which came back injected and which not. */
    static final class Creator implements Runnable {
        final AtomicBoolean stop = new AtomicBoolean();
        final List<String> injected = Collections.synchronizedList(new ArrayList<>());
        final List<String> notInjected = Collections.synchronizedList(new ArrayList<>());
        final String prefix;
        volatile Throwable failure;

        Creator(String prefix) {
            this.prefix = prefix;
        }

        int created() {
            return injected.size() + notInjected.size();
        }

        @Override
        public void run() {
            try {
                for (int i = 0; !stop.get(); i++) {
                    Pod stored = admin.pods().inNamespace(NS).resource(pod(prefix + "-" + i)).create();
                    (injected(stored) ? injected : notInjected).add(stored.getMetadata().getName() + " at "
                            + stored.getMetadata().getCreationTimestamp());
                    // gone again at once: thousands of pods would only load the operator's status of the capture
                    admin.pods().inNamespace(NS).resource(stored).withGracePeriod(0).delete();
                    Thread.sleep(50); // a steady stream of creations, not a flood of the 2-core machine
                }
            } catch (RuntimeException | Error e) {
                failure = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void awaitCreated(int count) throws Exception {
            KubeApiServer.waitUntil(count + " pods created", null, () -> {
                if (failure != null) {
                    throw new AssertionError("creating pods failed", failure);
                }
                return created() >= count;
            });
        }

        void stopAndJoin(Thread t) throws InterruptedException {
            stop.set(true);
            t.join(TimeUnit.MINUTES.toMillis(2));
            if (failure != null) {
                throw new AssertionError("creating pods failed", failure);
            }
        }
    }

    @Test
    void everyPodIsInjectedWhileAWebhookPodIsDeletedAndReplaced() throws Exception {
        PodDisruptionBudget pdb = admin.policy().v1().podDisruptionBudget().inNamespace(IntegcovInCluster.SYSTEM_NS)
                .withName(IntegcovInCluster.WEBHOOK).get();
        assertNotNull(pdb, "deploy/ has a PodDisruptionBudget for the webhook");
        List<Pod> before = integcov.pods(IntegcovInCluster.WEBHOOK);
        assertEquals(IntegcovInCluster.WEBHOOK_REPLICAS, before.size());
        Set<String> beforeNames = before.stream().map(p -> p.getMetadata().getName())
                .collect(Collectors.toCollection(TreeSet::new));
        String victim = before.get(0).getMetadata().getName();

        Creator creator = new Creator("during-delete");
        Thread t = new Thread(creator, "create-pods");
        t.start();
        try {
            creator.awaitCreated(5);
            // a graceful delete, as a node drain or a rollout does it
            admin.pods().inNamespace(IntegcovInCluster.SYSTEM_NS).withName(victim).delete();
            admin.pods().inNamespace(IntegcovInCluster.SYSTEM_NS).withName(victim).waitUntilCondition(p -> p == null,
                    IntegcovInCluster.START.toSeconds(), TimeUnit.SECONDS);
            int atReplacement = creator.created();
            integcov.awaitAvailable(IntegcovInCluster.WEBHOOK, IntegcovInCluster.WEBHOOK_REPLICAS);
            Set<String> after = integcov.pods(IntegcovInCluster.WEBHOOK).stream().map(p -> p.getMetadata().getName())
                    .collect(Collectors.toCollection(TreeSet::new));
            assertTrue(!after.contains(victim) && !after.equals(beforeNames), "replaced: " + beforeNames + " -> "
                    + after);
            // and some more once the replacement serves
            creator.awaitCreated(creator.created() + 5);
            System.out.printf("e2e: %d pods created while webhook pod %s was deleted (gone after %d) and replaced%n",
                    creator.created(), victim, atReplacement);
        } finally {
            creator.stopAndJoin(t);
        }
        assertEquals(List.of(), creator.notInjected, creator.notInjected.size() + " of " + creator.created()
                + " pods admitted without injection while webhook pod " + victim + " went away\n"
                + integcov.diagnostics());
        assertTrue(creator.created() >= 10, "pods created: " + creator.created());
    }

    /** The certificates of a PEM bundle. */
    static List<X509Certificate> certificates(String pem) throws Exception {
        List<X509Certificate> out = new ArrayList<>();
        for (var c : CertificateFactory.getInstance("X.509").generateCertificates(
                new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
            out.add((X509Certificate) c);
        }
        return out;
    }

    static List<X509Certificate> caBundle() throws Exception {
        return certificates(new String(Base64.getDecoder().decode(integcov.webhooks().get(0).getClientConfig()
                .getCaBundle()), StandardCharsets.US_ASCII));
    }

    /** The serving certificate webhook pod {@code pod} presents (a TLS handshake through a port-forward). */
    static X509Certificate served(String pod) throws Exception {
        try (LocalPortForward f = admin.pods().inNamespace(IntegcovInCluster.SYSTEM_NS).withName(pod)
                .portForward(8443, InetAddress.getLoopbackAddress(), 0)) {
            SSLContext ssl = SSLContext.getInstance("TLS");
            X509Certificate[] seen = new X509Certificate[1];
            ssl.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                    seen[0] = chain[0]; // only recorded: the test checks who signed it
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            try (SSLSocket socket = (SSLSocket) ssl.getSocketFactory().createSocket(
                    f.getLocalAddress(), f.getLocalPort())) {
                socket.setSoTimeout(10_000);
                socket.startHandshake();
            }
            return seen[0];
        }
    }

    static boolean signedBy(X509Certificate cert, X509Certificate ca) {
        try {
            cert.verify(ca.getPublicKey());
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void everyPodIsInjectedWhileTheOperatorRotatesTheWebhookCa() throws Exception {
        integcov.awaitReady();
        X509Certificate oldCa = certificates(integcov.caPem()).get(0);
        // The operator replaces a CA whose key does not match its certificate (WebhookCertificates.check: NEW_CA) at
        // its next check: a ca.key of another key pair makes it rotate, as an expiring CA would.
        Secret secret = integcov.webhookTlsSecret();
        java.security.KeyPairGenerator gen = java.security.KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        String foreignKey = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(
                StandardCharsets.US_ASCII)).encodeToString(gen.generateKeyPair().getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";

        Creator creator = new Creator("during-rotation");
        Thread t = new Thread(creator, "create-pods");
        t.start();
        X509Certificate newCa;
        try {
            creator.awaitCreated(5);
            secret.getData().put("ca.key", Base64.getEncoder().encodeToString(foreignKey.getBytes(
                    StandardCharsets.US_ASCII)));
            admin.secrets().inNamespace(IntegcovInCluster.SYSTEM_NS).resource(secret).update();
            KubeApiServer.waitUntil("the operator rotates the CA of Secret " + IntegcovInCluster.TLS_SECRET, null,
                    () -> !certificates(integcov.caPem()).get(0).equals(oldCa));
            newCa = certificates(integcov.caPem()).get(0);
            // while the pods may still serve the old certificate, the caBundle trusts both CAs
            List<X509Certificate> bundle = caBundle();
            assertTrue(bundle.contains(newCa) && bundle.contains(oldCa), "caBundle holds the new and the old CA: "
                    + bundle.stream().map(c -> c.getSubjectX500Principal() + " " + c.getNotBefore()).toList());
            // the kubelet delivers the new Secret, each webhook pod reloads it and serves a certificate of the new CA
            for (Pod p : integcov.pods(IntegcovInCluster.WEBHOOK)) {
                String name = p.getMetadata().getName();
                KubeApiServer.waitUntil("webhook pod " + name + " serves a certificate of the new CA", null,
                        () -> signedBy(served(name), newCa));
            }
            creator.awaitCreated(creator.created() + 5);
            System.out.printf("e2e: %d pods created while the webhook CA was rotated%n", creator.created());
        } finally {
            creator.stopAndJoin(t);
        }
        assertEquals(List.of(), creator.notInjected, creator.notInjected.size() + " of " + creator.created()
                + " pods admitted without injection during the CA rotation\n" + integcov.diagnostics());
        // no webhook pod was restarted for it: the new pair was reloaded in place
        for (Pod p : integcov.pods(IntegcovInCluster.WEBHOOK)) {
            assertEquals(0, p.getStatus().getContainerStatuses().get(0).getRestartCount(), p.getMetadata().getName());
        }
    }
}
