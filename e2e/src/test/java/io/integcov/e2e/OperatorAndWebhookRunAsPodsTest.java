package io.integcov.e2e;

import static io.integcov.e2e.CoverageScenarios.DEFAULT_STORE;
import static io.integcov.e2e.CoverageScenarios.assertWrapped;
import static io.integcov.e2e.CoverageScenarios.covapp;
import static io.integcov.e2e.CoverageScenarios.pod;
import static io.integcov.e2e.CoverageScenarios.podSpec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.integcov.model.CoverageCapture;
import io.integcov.model.Labels;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * integcov as {@code kubectl apply -k} of deploy/ installs it ({@link IntegcovInCluster}): the operator (leader
 * election) and the webhook (2 replicas) run as pods from the images built from deploy/docker, each as its own
 * ServiceAccount and never restarted, with the JVM flags deploy/ gives them; the operator holds the Lease and issued the
 * webhook's certificate for its Service's DNS name, which the caBundle trusts; the Service leads to both webhook pods,
 * and kube-apiserver reaches the webhook through it (a dry-run create in a labelled namespace comes back wrapped).
 */
@ExtendWith({LocalClusterExtension.class, CoverageScenariosExtension.class, SystemPodLogsOnFailure.class})
class OperatorAndWebhookRunAsPodsTest {
    static final String NS = "e2e-probe";

    @Test
    void operatorAndWebhookRunAsPodsFromTheBuiltImagesAndTheApiServerReachesTheWebhookThroughItsService(
            CoverageScenarios s) throws Exception {
        // what kubectl apply -k installed: 1 operator (leader election), 2 webhook replicas, the store; each pod from
        // the images built from deploy/docker, as its own ServiceAccount, all containers ready and never restarted
        Map<String, Integer> replicas = Map.of(IntegcovInCluster.OPERATOR, 1, IntegcovInCluster.WEBHOOK,
                IntegcovInCluster.WEBHOOK_REPLICAS);
        for (Map.Entry<String, Integer> e : replicas.entrySet()) {
            String component = e.getKey().substring("integcov-".length());
            List<Pod> pods = s.integcov.pods(e.getKey());
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
                    String log = s.admin.pods().inNamespace(IntegcovInCluster.SYSTEM_NS)
                            .withName(p.getMetadata().getName()).getLog();
                    assertTrue(log.contains("Picked up JAVA_TOOL_OPTIONS: " + flags), log);
                }
            }
        }
        // leader election: the one operator pod holds the Lease, as its ServiceAccount
        String operatorPod = s.integcov.pods(IntegcovInCluster.OPERATOR).get(0).getMetadata().getName();
        assertEquals(operatorPod, s.admin.leases().inNamespace(IntegcovInCluster.SYSTEM_NS)
                .withName(IntegcovInCluster.OPERATOR).get().getSpec().getHolderIdentity());

        // the certificate: issued in the cluster by the operator, for the Service's DNS names; the caBundle trusts it
        Secret tls = s.integcov.webhookTlsSecret();
        assertNotNull(tls, "the operator created the webhook's TLS Secret");
        java.security.cert.X509Certificate serving = (java.security.cert.X509Certificate) java.security.cert
                .CertificateFactory.getInstance("X.509").generateCertificate(new java.io.ByteArrayInputStream(
                        Base64.getDecoder().decode(tls.getData().get("tls.crt"))));
        List<String> sans = serving.getSubjectAlternativeNames().stream().map(n -> String.valueOf(n.get(1))).toList();
        assertTrue(sans.contains("integcov-webhook.integcov-system.svc"), sans.toString());
        for (MutatingWebhook w : s.integcov.webhooks()) {
            // reached through the Service (no URL), failing open
            assertNull(w.getClientConfig().getUrl(), w.getName());
            assertEquals(IntegcovInCluster.WEBHOOK, w.getClientConfig().getService().getName());
            assertEquals(IntegcovInCluster.SYSTEM_NS, w.getClientConfig().getService().getNamespace());
            assertEquals("Ignore", w.getFailurePolicy(), w.getName());
            assertEquals(Map.of(Labels.INJECT_LABEL, Labels.INJECT_ENABLED), w.getNamespaceSelector().getMatchLabels());
            assertTrue(new String(Base64.getDecoder().decode(w.getClientConfig().getCaBundle()),
                    StandardCharsets.US_ASCII).contains(s.integcov.caPem().trim()), "caBundle trusts the CA");
        }
        // the Service leads to both webhook pods
        Set<String> webhookIps = s.integcov.pods(IntegcovInCluster.WEBHOOK).stream().map(p -> p.getStatus().getPodIP())
                .collect(Collectors.toCollection(TreeSet::new));
        KubeApiServer.waitUntil("Endpoints of Service " + IntegcovInCluster.WEBHOOK + " are " + webhookIps, null,
                () -> {
                    var ep = s.admin.endpoints().inNamespace(IntegcovInCluster.SYSTEM_NS)
                            .withName(IntegcovInCluster.WEBHOOK).get();
                    return ep != null && ep.getSubsets() != null && webhookIps.equals(ep.getSubsets().stream()
                            .flatMap(ss -> ss.getAddresses() == null ? Stream.empty() : ss.getAddresses().stream())
                            .map(a -> a.getIp()).collect(Collectors.toCollection(TreeSet::new)));
                });

        // kube-apiserver calls the webhook through the Service: a pod created in a labelled namespace comes back
        // mutated (a dry run: nothing is stored or run)
        s.namespace(NS, true, true);
        CoverageCapture cc = s.capture(NS, "probe", DEFAULT_STORE, "probe");
        Pod probe = pod(NS, "probe", "probe", podSpec("Never", covapp(Images.COVAPP, List.of(Images.COVAPP_PATH),
                List.of())));
        s.awaitWebhookSees(probe);
        assertWrapped(s.admin.pods().inNamespace(NS).resource(probe).dryRun().create(), cc,
                List.of(Images.COVAPP_PATH), List.of());
        s.admin.resources(CoverageCapture.class).inNamespace(NS).withName("probe").delete();
    }
}
