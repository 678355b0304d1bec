package io.integcov.operator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.integcov.model.CoverageCapture;
import io.integcov.model.CoverageCaptureSpec;
import io.integcov.model.CoverageCaptureStatus;
import io.integcov.model.Labels;
import io.integcov.model.PodNote;
import io.integcov.model.StorageSpec;
import io.integcov.model.UploadRecord;
import io.integcov.operator.status.Conditions;
import io.integcov.operator.tls.PemCodec;
import io.integcov.operator.tls.TlsMaterial;
import io.integcov.operator.tls.WebhookCertificates;
import io.integcov.storage.FileStorage;
import io.integcov.storage.KeyLayout;
import io.integcov.storage.Manifest;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** The operator end to end against the fabric8 mock API server in CRUD mode. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@TestProfile(OperatorTestProfile.class)
class CoverageCaptureOperatorTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @Inject
    KubernetesClient client;

    @TestHTTPResource("/q/metrics")
    URL metrics;

    @Test
    void statusFollowsPodsAndTheCapturesOwnUploadsAndEventsReportTheChanges() throws Exception {
        String namespace = "team-a";
        Path storageRoot = Files.createTempDirectory("integcov-storage");
        FileStorage storage = new FileStorage(storageRoot);

        createPod(namespace, "api-0", Map.of("app", "api"), Map.of(Labels.INJECTED_ANNOTATION, "api-cov"));
        createPod(namespace, "api-old", Map.of("app", "api"), Map.of());
        createPod(namespace, "web-0", Map.of("app", "web"), Map.of());
        createPod("team-b", "api-elsewhere", Map.of("app", "api"), Map.of(Labels.INJECTED_ANNOTATION, "api-cov"));

        CoverageCaptureSpec spec = new CoverageCaptureSpec();
        spec.setStorage(new StorageSpec("file://" + storageRoot));
        spec.setSelector(new LabelSelectorBuilder().addToMatchLabels("app", "api").build());
        CoverageCapture created = client.resource(new CoverageCapture(namespace, "api-cov", spec)).create();
        String uid = created.getMetadata().getUid();
        assertNotNull(uid, "the API server gives every object a uid");
        String own = KeyLayout.capturePrefix(namespace, "api-cov", uid);
        storage.putBytes(own + "api-0/api/run-1/" + Manifest.FILE_NAME, manifest(namespace, "api-0", "run-1"));
        // an earlier capture of the same name (another uid) and another capture of the namespace
        storage.putBytes(namespace + "/api-cov/old-uid/api-0/api/run-0/" + Manifest.FILE_NAME,
                manifest(namespace, "api-0", "run-0"));
        storage.putBytes(namespace + "/other/uid-9/api-0/api/run-9/" + Manifest.FILE_NAME,
                manifest(namespace, "api-0", "run-9"));

        CoverageCaptureStatus status = awaitStatus(namespace, "api-cov",
                s -> Integer.valueOf(2).equals(s.getMatchedPods()) && s.getUploads().size() == 1);
        assertEquals(1, status.getInjectedPods());
        assertEquals(1, status.getNotInjectedPods());
        assertEquals(1, status.getUploadCount());
        PodNote note = status.getNotInjected().get(0);
        assertEquals("api-old", note.getPod());
        assertTrue(note.getReason().contains("delete the pod so it is recreated"), note.getReason());
        UploadRecord upload = status.getUploads().get(0);
        assertEquals("api-0", upload.getPod());
        assertEquals("run-1", upload.getRunId());
        assertEquals("wrap", upload.getMode());
        assertEquals(42L, upload.getBytes());
        assertEquals(condition(status, Conditions.READY).getStatus(), "True");
        assertEquals(condition(status, Conditions.INVALID_SPEC).getStatus(), "False");
        CoverageCapture stored = client.resources(CoverageCapture.class).inNamespace(namespace).withName("api-cov").get();
        assertEquals(stored.getMetadata().getGeneration(), status.getObservedGeneration());
        Event notInjected = awaitEvent(namespace, "api-cov", "PodNotInjected");
        assertEquals("Warning", notInjected.getType());
        assertTrue(notInjected.getMessage().startsWith("pod api-old: "), notInjected.getMessage());
        assertEquals(uid, notInjected.getInvolvedObject().getUid());
        assertTrue(awaitEvent(namespace, "api-cov", "UploadCommitted").getMessage()
                .startsWith("pod api-0 container api run run-1: 1 files, 42 bytes"));

        // a new pod is noticed through the pod informer, a new upload through the storage poll
        createPod(namespace, "api-1", Map.of("app", "api"), Map.of(Labels.INJECTED_ANNOTATION, "api-cov"));
        storage.putBytes(own + "api-1/api/run-2/" + Manifest.FILE_NAME, manifest(namespace, "api-1", "run-2"));
        status = awaitStatus(namespace, "api-cov",
                s -> Integer.valueOf(2).equals(s.getInjectedPods()) && s.getUploads().size() == 2);
        assertEquals(3, status.getMatchedPods());
        assertEquals(2, status.getUploadCount());

        client.pods().inNamespace(namespace).withName("api-old").delete();
        status = awaitStatus(namespace, "api-cov", s -> Integer.valueOf(0).equals(s.getNotInjectedPods()));
        assertEquals(List.of(), status.getNotInjected());
    }

    /** A capture without spec.storage is read from the default store the operator's settings name. */
    @Test
    void captureWithoutStorageCountsTheUploadsOfTheDefaultStore() throws Exception {
        String namespace = "team-d";
        CoverageCapture created = client.resource(new CoverageCapture(namespace, "cov", new CoverageCaptureSpec()))
                .create();
        new FileStorage(OperatorTestProfile.DEFAULT_STORE_DIR).putBytes(KeyLayout.capturePrefix(namespace, "cov",
                created.getMetadata().getUid()) + "api-0/api/run-1/" + Manifest.FILE_NAME,
                manifest(namespace, "api-0", "run-1"));
        CoverageCaptureStatus status = awaitStatus(namespace, "cov", s -> Integer.valueOf(1).equals(s.getUploadCount()));
        assertEquals("True", condition(status, Conditions.READY).getStatus());
        assertEquals("False", condition(status, Conditions.INVALID_SPEC).getStatus());
    }

    @Test
    void aRecreatedCaptureStartsWithoutTheUploadsOfItsPredecessor() throws Exception {
        String namespace = "team-r";
        Path storageRoot = Files.createTempDirectory("integcov-storage");
        CoverageCaptureSpec spec = new CoverageCaptureSpec();
        spec.setStorage(new StorageSpec("file://" + storageRoot));
        CoverageCapture first = client.resource(new CoverageCapture(namespace, "ci", spec)).create();
        new FileStorage(storageRoot).putBytes(KeyLayout.capturePrefix(namespace, "ci", first.getMetadata().getUid())
                + "api-0/api/run-1/" + Manifest.FILE_NAME, manifest(namespace, "api-0", "run-1"));
        awaitStatus(namespace, "ci", s -> Integer.valueOf(1).equals(s.getUploadCount()));

        client.resource(first).delete();
        await().atMost(PATIENCE).until(() -> client.resources(CoverageCapture.class).inNamespace(namespace)
                .withName("ci").get() == null);
        CoverageCapture second = client.resource(new CoverageCapture(namespace, "ci", spec)).create();

        CoverageCaptureStatus status = awaitStatus(namespace, "ci", s -> s.getUploadCount() != null
                && condition(s, Conditions.READY) != null && "True".equals(condition(s, Conditions.READY).getStatus()));
        assertTrue(!first.getMetadata().getUid().equals(second.getMetadata().getUid()), "a new uid");
        assertEquals(0, status.getUploadCount());
        assertEquals(List.of(), status.getUploads());
    }

    @Test
    void joSdkMetricsAreServedForPrometheus() throws Exception {
        CoverageCaptureSpec spec = new CoverageCaptureSpec();
        spec.setStorage(new StorageSpec("file:///nonexistent-integcov-storage"));
        client.resource(new CoverageCapture("team-m", "metered", spec)).create();
        awaitStatus("team-m", "metered", s -> condition(s, Conditions.READY) != null);

        HttpClient http = HttpClient.newHttpClient();
        String body = await().atMost(PATIENCE).until(() -> http.send(HttpRequest.newBuilder(metrics.toURI()).build(),
                HttpResponse.BodyHandlers.ofString()).body(), text -> text.contains("reconciliations_success_total"));
        assertTrue(body.lines().anyMatch(line -> line.startsWith("reconciliations_success_total{")
                && line.contains("controller_name=\"" + CoverageCaptureReconciler.NAME + "\"")), body);
    }

    @Test
    void invalidSpecIsReported() {
        CoverageCaptureSpec spec = new CoverageCaptureSpec();
        spec.setStorage(new StorageSpec("s3://bucket/cov"));
        spec.setSelector(new LabelSelectorBuilder().addNewMatchExpression().withKey("app").withOperator("In")
                .endMatchExpression().build());
        client.resource(new CoverageCapture("team-c", "broken", spec)).create();

        CoverageCaptureStatus status = awaitStatus("team-c", "broken",
                s -> condition(s, Conditions.INVALID_SPEC) != null);
        Condition invalid = condition(status, Conditions.INVALID_SPEC);
        assertEquals("True", invalid.getStatus());
        assertTrue(invalid.getMessage().contains("spec.storage.url"), invalid.getMessage());
        assertTrue(invalid.getMessage().contains("spec.selector.matchExpressions[0].values"), invalid.getMessage());
        assertEquals("False", condition(status, Conditions.READY).getStatus());
        Event event = awaitEvent("team-c", "broken", "InvalidSpec");
        assertEquals("Warning", event.getType());
        assertEquals(invalid.getMessage(), event.getMessage());
    }

    @Test
    void webhookCertificateIsCreatedAndItsCaPatchedIntoTheWebhookConfiguration() throws Exception {
        client.resource(new MutatingWebhookConfigurationBuilder()
                .withNewMetadata().withName("integcov").endMetadata()
                .addNewWebhook().withName("pods.integcov.io")
                .withNewClientConfig().withUrl("https://127.0.0.1:8443/mutate").endClientConfig()
                .withAdmissionReviewVersions("v1").withSideEffects("None").endWebhook()
                .build()).create();

        // the operator widens the caBundle to a new CA before it writes the Secret (trusted before served), so a
        // caBundle alone does not mean the Secret exists yet: wait for the Secret, then for the caBundle to hold its CA
        Secret secret = await().atMost(PATIENCE).until(
                () -> client.secrets().inNamespace("integcov-system").withName("integcov-webhook-tls").get(),
                java.util.Objects::nonNull);
        await().atMost(PATIENCE).until(
                () -> client.admissionRegistration().v1().mutatingWebhookConfigurations().withName("integcov").get(),
                mwc -> secret.getData().get("ca.crt").equals(mwc.getWebhooks().get(0).getClientConfig().getCaBundle()));

        assertEquals("kubernetes.io/tls", secret.getType());
        String caPem = decode(secret.getData().get("ca.crt"));

        X509Certificate serving = PemCodec.parseCertificate(decode(secret.getData().get("tls.crt")));
        serving.verify(PemCodec.parseCertificate(caPem).getPublicKey());
        List<String> sans = WebhookCertificates.subjectAltNamesOf(serving);
        assertTrue(sans.containsAll(List.of("integcov-webhook.integcov-system.svc",
                "integcov-webhook.integcov-system.svc.cluster.local", "127.0.0.1", "localhost")), sans.toString());

        Path outputDir = Path.of(OperatorTestProfile.TLS_OUTPUT_DIR);
        // the files are written after the Secret, in the same check: wait until they hold what the Secret holds
        await().atMost(PATIENCE).until(() -> Files.exists(outputDir.resolve("tls.key"))
                && decode(secret.getData().get("tls.crt")).equals(Files.readString(outputDir.resolve("tls.crt")))
                && caPem.equals(Files.readString(outputDir.resolve("ca.crt"))));
    }

    @Test
    void aServingCertificateWithWrongNamesIsReissuedUnderTheSameCa() throws Exception {
        var secrets = client.secrets().inNamespace("integcov-system");
        Secret original = await().atMost(PATIENCE).until(() -> secrets.withName("integcov-webhook-tls").get(),
                java.util.Objects::nonNull);
        TlsMaterial material = TlsMaterial.fromSecretData(decodeAll(original.getData()));
        TlsMaterial wrongNames = WebhookCertificates.reissueServing(material, List.of("somewhere-else.example"),
                Duration.ofDays(30), java.time.Instant.now());
        secrets.withName("integcov-webhook-tls").edit(secret -> {
            secret.getData().put(TlsMaterial.CERT, encode(wrongNames.certPem()));
            secret.getData().put(TlsMaterial.KEY, encode(wrongNames.keyPem()));
            return secret;
        });

        Secret renewed = await().atMost(PATIENCE).until(() -> secrets.withName("integcov-webhook-tls").get(),
                secret -> !decode(secret.getData().get(TlsMaterial.CERT)).equals(wrongNames.certPem()));
        TlsMaterial result = TlsMaterial.fromSecretData(decodeAll(renewed.getData()));
        assertEquals(material.caCertPem(), result.caCertPem(), "the CA (and so the caBundle) is kept");
        assertEquals(material.caKeyPem(), result.caKeyPem());
        X509Certificate serving = PemCodec.parseCertificate(result.certPem());
        assertTrue(WebhookCertificates.subjectAltNamesOf(serving).contains("integcov-webhook.integcov-system.svc"));
        serving.verify(PemCodec.parseCertificate(result.caCertPem()).getPublicKey());
    }

    private static Map<String, String> decodeAll(Map<String, String> data) {
        Map<String, String> decoded = new java.util.HashMap<>();
        data.forEach((key, value) -> decoded.put(key, decode(value)));
        return decoded;
    }

    private static String encode(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
    }

    private CoverageCaptureStatus awaitStatus(String namespace, String name, Predicate<CoverageCaptureStatus> done) {
        return await().atMost(PATIENCE).until(() -> {
            CoverageCapture capture = client.resources(CoverageCapture.class).inNamespace(namespace).withName(name).get();
            return capture == null ? null : capture.getStatus();
        }, status -> status != null && done.test(status));
    }

    private Event awaitEvent(String namespace, String capture, String reason) {
        return await().atMost(PATIENCE).until(() -> client.v1().events().inNamespace(namespace).list().getItems()
                .stream()
                .filter(e -> capture.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason()))
                .findFirst().orElse(null), java.util.Objects::nonNull);
    }

    private static Condition condition(CoverageCaptureStatus status, String type) {
        return Conditions.find(status.getConditions(), type).orElse(null);
    }

    private void createPod(String namespace, String name, Map<String, String> labels, Map<String, String> annotations) {
        Pod pod = new PodBuilder().withNewMetadata().withNamespace(namespace).withName(name).withLabels(labels)
                .withAnnotations(annotations).endMetadata()
                .withNewSpec().addNewContainer().withName("api").withImage("example/api").endContainer().endSpec()
                .build();
        client.resource(pod).create();
    }

    private static byte[] manifest(String namespace, String pod, String runId) {
        return new Manifest(Manifest.CURRENT_VERSION, namespace, "api-cov", "uid", pod, "api", runId, "wrap", 0, null,
                "2026-03-01T10:00:00Z", "2026-03-01T10:01:00Z", "2026-03-01T10:01:01Z",
                List.of(new Manifest.FileEntry("covmeta.1", 42, 1)), List.of()).toJson();
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.US_ASCII);
    }
}
