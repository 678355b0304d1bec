package io.integcov.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.integcov.model.CoverageCapture;
import io.integcov.model.CoverageCaptureSpec;
import io.integcov.model.StorageSpec;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtendWith;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The cluster harness itself: a real control plane and kubelet + containerd + runc node, RBAC enforced, the committed
 * CRD usable, kubectl, and pods running from images built here (distroless-like: one static binary), reachable from
 * the host. Services, DNS, the bridge address and storage: {@link LocalClusterNetworkTest}.
 */
@ExtendWith(LocalClusterExtension.class)
class LocalClusterTest {
    static final Duration CONVERGE = Duration.ofMinutes(2);
    static LocalCluster cluster;
    static KubeApiServer api;
    static KubernetesClient admin;

    @BeforeAll
    static void start(LocalCluster c) throws Exception {
        cluster = c;
        api = c.api();
        admin = api.adminClient();
        Images.covapp(c);
    }

    @Test
    void servesTheApiAndTheNodeIsReady() throws Exception {
        // the binaries report the k8s.io/kubernetes release pinned in src/ci/k8s-build/go.mod
        assertEquals(KubeApiServer.pinnedVersion(), admin.getKubernetesVersion().getGitVersion());
        Node node = admin.nodes().withName(cluster.nodeName()).get();
        assertNotNull(node, "node " + cluster.nodeName() + " registered");
        assertEquals(KubeApiServer.pinnedVersion(), node.getStatus().getNodeInfo().getKubeletVersion());
        assertTrue(node.getStatus().getNodeInfo().getContainerRuntimeVersion().startsWith("containerd://"),
                node.getStatus().getNodeInfo().getContainerRuntimeVersion());
        assertTrue(node.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())),
                node.getStatus().getConditions().toString());
        assertNotNull(admin.namespaces().withName("default").get(), "namespace default");
        assertNotNull(admin.rbac().clusterRoles().withName("cluster-admin").get(), "bootstrap RBAC roles exist");
    }

    /** The e2e and the demo run {@code kubectl apply -k}; CI machines may have no kubectl, so build-k8s.sh builds it. */
    @Test
    void kubectlOfThePinnedReleaseUsesTheAdminKubeconfig() throws Exception {
        String version = run(cluster.kubectl().toString(), "version", "--client", "-o", "json");
        assertTrue(version.contains("\"gitVersion\": \"" + KubeApiServer.pinnedVersion() + "\""), version);
        assertEquals("node/" + cluster.nodeName(), run(cluster.kubectl().toString(), "--kubeconfig",
                cluster.adminKubeconfig().toString(), "get", "nodes", "-o", "name").trim());
    }

    static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(1, TimeUnit.MINUTES), String.join(" ", command));
        assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + out);
        return out;
    }

    @Test
    void enforcesRbacForServiceAccounts() {
        String ns = "rbac-check";
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
                .create();
        admin.serviceAccounts().inNamespace(ns)
                .resource(new ServiceAccountBuilder().withNewMetadata().withName("nobody").endMetadata().build()).create();
        String token = api.serviceAccountToken(ns, "nobody");
        KubernetesClient nobody = api.client(token);
        KubernetesClientException e = assertThrows(KubernetesClientException.class,
                () -> nobody.pods().inNamespace(ns).list());
        assertEquals(403, e.getCode(), "an unbound ServiceAccount must be forbidden: " + e.getMessage());
        assertTrue(e.getMessage().contains("system:serviceaccount:" + ns + ":nobody"), e.getMessage());
    }

    @Test
    void writesUsableKubeconfigs() throws Exception {
        for (Path kc : List.of(cluster.adminKubeconfig(), api.writeKubeconfig(cluster.workDir().resolve(
                "test-admin.kubeconfig"), "admin", api.adminToken()))) {
            assertKubeconfigWorks(Files.readString(kc));
        }
    }

    static void assertKubeconfigWorks(String yaml) {
        try (KubernetesClient c = new io.fabric8.kubernetes.client.KubernetesClientBuilder()
                .withConfig(io.fabric8.kubernetes.client.Config.fromKubeconfig(yaml)).build()) {
            assertEquals(api.url() + "/", c.getMasterUrl().toString());
            assertNotNull(c.namespaces().withName("kube-system").get(), "kube-system via kubeconfig");
        }
    }

    static Pod covappPod(String name, String image, List<String> command, String... args) {
        return new PodBuilder().withNewMetadata().withName(name).withLabels(Map.of("app", name)).endMetadata()
                .withNewSpec().withRestartPolicy("Never").withTerminationGracePeriodSeconds(10L)
                .withNewSecurityContext().withRunAsNonRoot(true).withRunAsUser(65532L)
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile().endSecurityContext()
                .addNewContainer().withName("app").withImage(image).withImagePullPolicy("Never")
                .withCommand(command).withArgs(args)
                .withNewSecurityContext().withAllowPrivilegeEscalation(false).withReadOnlyRootFilesystem(true)
                .withNewCapabilities().withDrop("ALL").endCapabilities().endSecurityContext()
                .endContainer().endSpec().build();
    }

    static void namespace(String ns) {
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
                .serverSideApply();
        // pods are refused until kube-controller-manager created the namespace's default ServiceAccount
        admin.serviceAccounts().inNamespace(ns).withName("default").waitUntilCondition(sa -> sa != null,
                CONVERGE.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void runsAPodFromALocallyBuiltImageAndTheHostReachesIt() throws Exception {
        String ns = "cluster-check";
        namespace(ns);
        admin.pods().inNamespace(ns).resource(covappPod("serving", Images.COVAPP, List.of(Images.COVAPP_PATH),
                "-serve", ":8080", "-work", "5")).create();
        Pod running = admin.pods().inNamespace(ns).withName("serving").waitUntilCondition(
                p -> p != null && "Running".equals(p.getStatus().getPhase()), CONVERGE.toSeconds(), TimeUnit.SECONDS);
        String podIp = running.getStatus().getPodIP();
        assertTrue(podIp.startsWith(cluster.bridgeIp().substring(0, cluster.bridgeIp().lastIndexOf('.') + 1)),
                "pod IP " + podIp + " on the bridge of " + cluster.bridgeIp());

        // the host reaches the pod on the bridge (the e2e scenarios send their requests this way)
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI uri = URI.create("http://" + podIp + ":8080/classify?n=15");
        KubeApiServer.waitUntil("covapp in pod serving answers on " + uri, null, () -> http.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
        assertEquals("fizzbuzz", http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString())
                .body().trim());

        // kubectl logs: apiserver -> kubelet over TLS (the kubelet's serving certificate is from the cluster CA)
        String log = admin.pods().inNamespace(ns).withName("serving").getLog();
        assertTrue(log.contains("covapp: classified 5 numbers"), log);

        // delete: the kubelet stops the container with SIGTERM (covapp prints the signal it got, then exits 0)
        ByteArrayOutputStream followed = new ByteArrayOutputStream();
        try (LogWatch watch = admin.pods().inNamespace(ns).withName("serving").watchLog(followed)) {
            admin.pods().inNamespace(ns).withName("serving").delete();
            admin.pods().inNamespace(ns).withName("serving").waitUntilCondition(p -> p == null, CONVERGE.toSeconds(),
                    TimeUnit.SECONDS);
        }
        assertTrue(followed.toString(StandardCharsets.UTF_8).contains("covapp: got terminated"), followed::toString);
    }

    @Test
    void runsTheImageEntrypointAndReportsTheExitCode() throws Exception {
        String ns = "cluster-check-exit";
        namespace(ns);
        // no command in the pod: the image's ENTRYPOINT runs, with the pod's args
        admin.pods().inNamespace(ns).resource(covappPod("exits", Images.COVAPP_ENTRYPOINT, List.of(),
                "-exit", "3", "-work", "4")).create();
        Pod done = admin.pods().inNamespace(ns).withName("exits").waitUntilCondition(
                p -> p != null && "Failed".equals(p.getStatus().getPhase()), CONVERGE.toSeconds(), TimeUnit.SECONDS);
        ContainerStateTerminated t = done.getStatus().getContainerStatuses().get(0).getState().getTerminated();
        assertEquals(3, t.getExitCode(), t.toString());
        assertTrue(admin.pods().inNamespace(ns).withName("exits").getLog().contains("classified 4 numbers"));
        admin.pods().inNamespace(ns).withName("exits").delete();
    }

    @Test
    void appliesTheCommittedCrdStoresCapturesWithAndWithoutStorageAndRejectsABadStorageUrl() throws Exception {
        List<CustomResourceDefinition> crds = Crds.apply(admin);
        assertTrue(crds.stream().anyMatch(c -> CoverageCapture.CRD_NAME.equals(c.getMetadata().getName())),
                "crds/ defines " + CoverageCapture.CRD_NAME);

        String ns = "crd-check";
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
                .create();
        CoverageCaptureSpec spec = new CoverageCaptureSpec();
        spec.setStorage(new StorageSpec("file:///tmp/integcov-e2e"));
        spec.setContainers(List.of("app"));
        spec.setSelector(new io.fabric8.kubernetes.api.model.LabelSelectorBuilder()
                .withMatchLabels(Map.of("app", "covapp")).build());
        spec.setUploadTimeoutSeconds(20);
        admin.resources(CoverageCapture.class).inNamespace(ns).resource(new CoverageCapture(ns, "cap", spec)).create();

        CoverageCapture read = admin.resources(CoverageCapture.class).inNamespace(ns).withName("cap").get();
        assertNotNull(read, "stored CoverageCapture");
        assertEquals("file:///tmp/integcov-e2e", read.getSpec().getStorage().getUrl());
        assertEquals(List.of("app"), read.getSpec().getContainers());
        assertEquals(Map.of("app", "covapp"), read.getSpec().getSelector().getMatchLabels());
        assertEquals(20, read.getSpec().getUploadTimeoutSeconds());
        assertEquals(1L, read.getMetadata().getGeneration());

        // spec.storage is optional (the in-cluster default store is used), and the API server stores such a capture
        CoverageCaptureSpec noStorage = new CoverageCaptureSpec();
        admin.resources(CoverageCapture.class).inNamespace(ns)
                .resource(new CoverageCapture(ns, "no-storage", noStorage)).create();
        CoverageCapture readNoStorage = admin.resources(CoverageCapture.class).inNamespace(ns).withName("no-storage")
                .get();
        assertNotNull(readNoStorage, "stored CoverageCapture without spec.storage");
        assertNull(readNoStorage.getSpec().getStorage(), "no storage defaulted by the API server");

        // the CRD's OpenAPI schema is enforced by the API server: a given storage URL has a pattern
        CoverageCaptureSpec badUrl = new CoverageCaptureSpec();
        badUrl.setStorage(new StorageSpec("http://example.com/x"));
        KubernetesClientException invalid = assertThrows(KubernetesClientException.class,
                () -> admin.resources(CoverageCapture.class).inNamespace(ns)
                        .resource(new CoverageCapture(ns, "bad-url", badUrl)).create());
        assertEquals(422, invalid.getCode(), invalid.getMessage());
        assertTrue(invalid.getMessage().contains("spec.storage.url"), invalid.getMessage());
    }
}
