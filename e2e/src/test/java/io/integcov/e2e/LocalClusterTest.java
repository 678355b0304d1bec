package io.integcov.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The e2e harness itself: a real kube-apiserver + etcd, RBAC enforced, the committed CRD usable. */
class KubeApiServerTest {
    static Path work;
    static KubeApiServer api;
    static KubernetesClient admin;
    static String skip;

    @BeforeAll
    static void start() throws Exception {
        skip = E2eEnv.skipReason("etcd", "kube-apiserver");
        work = E2eEnv.workDir("KubeApiServerTest");
        if (skip == null) {
            api = KubeApiServer.start(work);
            admin = api.adminClient();
        }
    }

    @BeforeEach
    void skipWithoutBinaries() {
        Assumptions.assumeTrue(skip == null, skip);
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
    }

    @Test
    void servesTheApiWithAdminCredentials() throws Exception {
        // the binary reports the k8s.io/kubernetes release pinned in src/ci/k8s-build/go.mod
        assertEquals(KubeApiServer.pinnedVersion(), admin.getKubernetesVersion().getGitVersion());
        assertNotNull(admin.namespaces().withName("default").get(), "namespace default");
        assertNotNull(admin.rbac().clusterRoles().withName("cluster-admin").get(), "bootstrap RBAC roles exist");
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
    void writesAUsableKubeconfig() throws Exception {
        Path kc = api.writeKubeconfig(work.resolve("admin.kubeconfig"), "admin", api.adminToken());
        String yaml = Files.readString(kc);
        try (KubernetesClient c = new io.fabric8.kubernetes.client.KubernetesClientBuilder()
                .withConfig(io.fabric8.kubernetes.client.Config.fromKubeconfig(yaml)).build()) {
            assertEquals(api.url() + "/", c.getMasterUrl().toString());
            assertNotNull(c.namespaces().withName("kube-system").get(), "kube-system via kubeconfig");
        }
    }

    @Test
    void appliesTheCommittedCrdAndStoresACoverageCapture() throws Exception {
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

        // the CRD's OpenAPI schema is enforced by the apiserver: storage is required, and its URL has a pattern
        CoverageCaptureSpec noStorage = new CoverageCaptureSpec();
        KubernetesClientException missing = assertThrows(KubernetesClientException.class,
                () -> admin.resources(CoverageCapture.class).inNamespace(ns)
                        .resource(new CoverageCapture(ns, "no-storage", noStorage)).create());
        assertEquals(422, missing.getCode(), missing.getMessage());
        assertTrue(missing.getMessage().contains("storage"), missing.getMessage());

        CoverageCaptureSpec badUrl = new CoverageCaptureSpec();
        badUrl.setStorage(new StorageSpec("http://example.com/x"));
        KubernetesClientException invalid = assertThrows(KubernetesClientException.class,
                () -> admin.resources(CoverageCapture.class).inNamespace(ns)
                        .resource(new CoverageCapture(ns, "bad-url", badUrl)).create());
        assertEquals(422, invalid.getCode(), invalid.getMessage());
        assertTrue(invalid.getMessage().contains("spec.storage.url"), invalid.getMessage());
    }
}
