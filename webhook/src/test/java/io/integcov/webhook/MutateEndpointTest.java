package io.integcov.webhook;

import static org.awaitility.Awaitility.await;

import static io.integcov.webhook.Fixtures.JSON;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.zjsonpatch.JsonPatch;
import io.integcov.model.CoverageCapture;
import io.integcov.model.CoverageCaptureSpec;
import io.integcov.model.Labels;
import io.integcov.model.StorageSpec;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Posts AdmissionReviews to /mutate over HTTPS (the test certificate in src/test/resources/tls), with CoverageCaptures
 * created in the fabric8 mock API server and seen through the webhook's informer, and applies the returned JSONPatch.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class MutateEndpointTest {
    /** A bound on waiting for the informer or the Event sender: reached only when they never get there. */
    static final java.time.Duration PATIENCE = java.time.Duration.ofMinutes(2);
    @TestHTTPResource(value = "/mutate", tls = true)
    URL mutate;
    @TestHTTPResource(value = "/q/metrics", tls = true)
    URL metrics;
    @Inject
    KubernetesClient client;
    @Inject
    CaptureCache cache;
    @Inject
    PodMutator mutator;

    @Test
    void deploymentPodIsPatchedAndThePatchAppliesToTheOriginal() throws Exception {
        CoverageCaptureSpec spec = spec("gs://cov/shop");
        spec.setSelector(new LabelSelectorBuilder().addToMatchLabels("app", "checkout").build());
        spec.setMode(CoverageCaptureSpec.Mode.Wrap); // the command-less istio-proxy is skipped, not served by a sidecar
        createAndAwait("shop", "checkout-cov", spec);
        JsonNode review = JSON.readTree(Path.of("src/test/resources/reviews/create-deployment-pod.json").toFile());

        JsonNode response = post(review);
        assertEquals("admission.k8s.io/v1", response.get("apiVersion").asText());
        assertEquals("0f4c6b2e-1a2b-4c3d-8e9f-000000000001", response.at("/response/uid").asText());
        assertTrue(response.at("/response/allowed").asBoolean());
        assertEquals("JSONPatch", response.at("/response/patchType").asText());
        List<String> warnings = Fixtures.strings(response.at("/response/warnings"));
        PodMutatorTest.assertWarnings(List.of("container istio-proxy has no command", "injected 1 of 2"), warnings);

        JsonNode original = review.at("/request/object");
        Pod patched = JSON.treeToValue(applyPatch(response, original), Pod.class);
        assertEquals("checkout-cov", patched.getMetadata().getAnnotations().get(Labels.INJECTED_ANNOTATION));
        assertEquals("istio-proxy:no-command", patched.getMetadata().getAnnotations().get(Labels.SKIPPED_ANNOTATION));
        assertEquals(List.of(Labels.AGENT_PATH, "run", "--", "/checkout"),
                patched.getSpec().getContainers().get(0).getCommand());
        assertEquals(List.of("--listen=:8080"), patched.getSpec().getContainers().get(0).getArgs());
        assertEquals("gs://cov/shop", PodMutatorTest.env(patched.getSpec().getContainers().get(0), Labels.ENV_STORAGE)
                .getValue());
        assertEquals(original.at("/spec/containers/1"), JSON.valueToTree(patched.getSpec().getContainers().get(1)),
                "the skipped sidecar is untouched");
        assertEquals(Labels.INIT_CONTAINER_NAME, patched.getSpec().getInitContainers().get(0).getName());
        assertEquals("integcov/agent:test", patched.getSpec().getInitContainers().get(0).getImage());
        assertEquals(List.of("kube-api-access-abcde", Labels.BIN_VOLUME, Labels.COVDATA_VOLUME),
                patched.getSpec().getVolumes().stream().map(v -> v.getName()).toList());
        assertEquals("1", patched.getSpec().getContainers().get(0).getResources().getLimits().get("cpu").toString());
        assertTrue(RestrictedCheck.violations(patched).stream().allMatch(v -> v.startsWith("istio-proxy:")),
                "only the user's own sidecar may violate restricted: " + RestrictedCheck.violations(patched));

        ObjectNode second = review.deepCopy();
        second.with("request").set("object", JSON.valueToTree(patched));
        JsonNode again = post(second);
        assertTrue(again.at("/response/allowed").asBoolean());
        assertTrue(again.at("/response/patch").isMissingNode(), "second pass: no patch, got " + again);
    }

    /** integcov.default-store.* (set for the test profile in application.properties) reaches the injected env. */
    @Test
    void captureWithoutStorageGetsTheConfiguredDefaultStore() throws Exception {
        createAndAwait("no-storage", "cov", new CoverageCaptureSpec());
        JsonNode pod = JSON.readTree("""
                {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "no-storage"},
                 "spec": {"containers": [{"name": "app", "image": "app:1", "command": ["/app"]}]}}""");
        Pod patched = JSON.treeToValue(applyPatch(post(review("uid-default-store", "no-storage", "CREATE", pod)), pod),
                Pod.class);
        var app = patched.getSpec().getContainers().get(0);
        assertEquals("gs://test-default-store/cov", PodMutatorTest.env(app, Labels.ENV_STORAGE).getValue());
        assertEquals("store.test-system.svc:4443", PodMutatorTest.env(app, Labels.ENV_AGENT_EMULATOR_HOST).getValue());
        assertNull(PodMutatorTest.env(app, Labels.ENV_STORAGE_EMULATOR_HOST), "the wrapped program sees no emulator of ours");
        assertEquals(Labels.INJECTED_LABEL_VALUE, patched.getMetadata().getLabels().get(Labels.INJECTED_LABEL));
    }

    /** Every pod case of the table-driven test, through the whole HTTP path: the patched pod equals PodMutator's. */
    @Test
    void everyPodFixtureRoundTripsThroughTheEndpoint() throws Exception {
        List<Fixtures.Case> cases = Fixtures.cases().toList();
        List<String> namespaces = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            String ns = "case-" + i;
            namespaces.add(ns);
            createAndAwait(ns, cases.get(i).capture().getMetadata().getName(), cases.get(i).capture().getSpec());
        }
        for (int i = 0; i < cases.size(); i++) {
            Fixtures.Case c = cases.get(i);
            JsonNode pod = c.podJson();
            JsonNode response = post(review("uid-" + i, namespaces.get(i), "CREATE", pod));
            assertEquals("uid-" + i, response.at("/response/uid").asText(), c.file());
            assertTrue(response.at("/response/allowed").asBoolean(), c.file());

            CoverageCapture cr = cache.inNamespace(namespaces.get(i)).get(0);
            PodMutator.Result expected = mutator.mutate(pod, cr);
            assertEquals(expected.warnings(), Fixtures.strings(response.at("/response/warnings")), c.file());
            boolean changes = expected.injected() || !expected.skipped().isEmpty();
            assertEquals(changes, response.at("/response/patch").isTextual(), c.file() + ": patch present");
            JsonNode patched = changes ? applyPatch(response, pod) : pod;
            // compared as parsed JSON text: the mutator's own tree may hold a long where parsing gives an int
            assertEquals(JSON.readTree(PodMutatorTest.patched(pod, expected).toString()), patched, c.file());

            JsonNode second = post(review("uid-" + i + "-again", namespaces.get(i), "CREATE", patched));
            assertTrue(second.at("/response/patch").isMissingNode(), c.file() + ": second pass gives no patch");
        }
    }

    @Test
    void deletedCaptureStopsInjection() throws Exception {
        createAndAwait("gone", "temp", spec("file:///cov"));
        JsonNode pod = Fixtures.load(Fixtures.PODS.resolve("01-single-container.yaml")).podJson();
        assertTrue(post(review("d1", "gone", "CREATE", pod)).at("/response/patch").isTextual());
        client.resources(CoverageCapture.class).inNamespace("gone").withName("temp").delete();
        await("the informer sees the delete").atMost(PATIENCE).until(() -> cache.inNamespace("gone").isEmpty());
        assertTrue(post(review("d2", "gone", "CREATE", pod)).at("/response/patch").isMissingNode());
    }

    @Test
    void onlyPodCreatesAreMutated() throws Exception {
        createAndAwait("ops", "all", spec("file:///cov"));
        JsonNode pod = Fixtures.load(Fixtures.PODS.resolve("01-single-container.yaml")).podJson();
        assertTrue(post(review("c", "ops", "CREATE", pod)).at("/response/patch").isTextual(), "CREATE is patched");
        for (String op : List.of("UPDATE", "DELETE", "CONNECT")) {
            JsonNode r = post(review("u-" + op, "ops", op, pod));
            assertTrue(r.at("/response/allowed").asBoolean());
            assertTrue(r.at("/response/patch").isMissingNode(), op);
        }
        ObjectNode configMap = review("cm", "ops", "CREATE", JSON.readTree("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\"}"));
        configMap.with("request").with("kind").put("kind", "ConfigMap");
        assertTrue(post(configMap).at("/response/patch").isMissingNode());
        ObjectNode ephemeral = review("eph", "ops", "CREATE", pod);
        ephemeral.with("request").put("subResource", "ephemeralcontainers");
        assertTrue(post(ephemeral).at("/response/patch").isMissingNode());
    }

    @Test
    void optedOutAndUnmatchedPodsAreLeftAlone() throws Exception {
        createAndAwait("optout", "all", spec("file:///cov"));
        ObjectNode pod = (ObjectNode) Fixtures.load(Fixtures.PODS.resolve("01-single-container.yaml")).podJson().deepCopy();
        pod.with("metadata").with("labels").put(Labels.INJECT_LABEL, Labels.INJECT_DISABLED);
        JsonNode r = post(review("o", "optout", "CREATE", pod));
        assertTrue(r.at("/response/patch").isMissingNode(), "opted out");
        assertTrue(r.at("/response/warnings").isMissingNode());

        JsonNode none = post(review("n", "no-captures-here", "CREATE",
                Fixtures.load(Fixtures.PODS.resolve("01-single-container.yaml")).podJson()));
        assertTrue(none.at("/response/allowed").asBoolean());
        assertTrue(none.at("/response/patch").isMissingNode(), "no CoverageCapture in that namespace");
    }

    @Test
    void internalErrorsFailOpenWithAWarning() throws Exception {
        createAndAwait("broken", "all", spec("file:///cov"));
        for (String object : List.of("\"a string\"", "{\"spec\":{\"containers\":\"not a list\"}}", "{\"metadata\":{}}",
                "{\"spec\":{\"containers\":{\"name\":\"x\"}}}", "[]")) {
            JsonNode r = post(review("e", "broken", "CREATE", JSON.readTree(object)));
            assertEquals("e", r.at("/response/uid").asText(), object);
            assertTrue(r.at("/response/allowed").asBoolean(), object);
            assertTrue(r.at("/response/patch").isMissingNode(), object);
            assertTrue(r.at("/response/warnings/0").asText().startsWith("integcov: pod not injected because of an error"),
                    object + " -> " + r);
            String warning = r.at("/response/warnings/0").asText();
            assertTrue(warning.length() <= 256 && warning.lines().count() == 1, "one short line: " + warning);
        }
    }

    @Test
    void garbageNeverGivesA5xx() throws Exception {
        List<byte[]> bodies = new ArrayList<>();
        for (String s : List.of("", "garbage", "{", "null", "[]", "42", "\"str\"", "{}", "{\"request\":{}}",
                "{\"request\":{\"uid\":42}}", "{\"request\":\"x\"}", "<AdmissionReview/>", "{\"request\":{\"uid\":\"\"}}",
                "[".repeat(100_000), "{\"a\":" + "9".repeat(100_000) + "}")) {
            bodies.add(s.getBytes(StandardCharsets.UTF_8));
        }
        bodies.add(new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2, (byte) 0x80});
        for (byte[] body : bodies) {
            String shown = new String(body, 0, Math.min(body.length, 40), StandardCharsets.UTF_8);
            Response r = given().relaxedHTTPSValidation().contentType("application/json").body(body).post(mutate);
            assertEquals(400, r.statusCode(), shown + " -> " + r.asString());
            assertFalse(r.jsonPath().getString("error").isBlank(), shown);
        }
        Response plain = given().relaxedHTTPSValidation().contentType("text/plain").body("hello").post(mutate);
        assertEquals(400, plain.statusCode());

        // a uid is recoverable: 200, allowed, whatever else is wrong
        for (String s : List.of("{\"request\":{\"uid\":\"u1\"}}", "{\"request\":{\"uid\":\"u2\",\"kind\":7,\"object\":[]}}",
                "{\"apiVersion\":\"bogus\",\"request\":{\"uid\":\"u3\",\"kind\":{\"kind\":\"Pod\"},\"operation\":\"CREATE\"}}")) {
            Response r = given().relaxedHTTPSValidation().contentType("application/json").body(s).post(mutate);
            assertEquals(200, r.statusCode(), s);
            JsonNode json = JSON.readTree(r.asByteArray());
            assertTrue(json.at("/response/allowed").asBoolean(), s);
            assertEquals("admission.k8s.io/v1", json.get("apiVersion").asText(), s);
        }
    }

    /**
     * The API server never sends more than 3 MiB; a larger body is refused with 413 on its Content-Length, before any of
     * it is sent (the request line and headers only go out here, then the status line is read).
     */
    @Test
    void bodyAboveTheApiServerLimitIs413BeforeItIsRead() throws Exception {
        try (java.net.Socket socket = TlsClients.trustAll().getSocketFactory().createSocket(mutate.getHost(), mutate.getPort())) {
            socket.setSoTimeout(60_000);
            socket.getOutputStream().write(("POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + (MutateRoute.API_SERVER_MAX_BODY + 1) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String status = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine();
            assertEquals("HTTP/1.1 413 Request Entity Too Large", status);
        }
    }

    /** Above integcov.max-review-bytes (1.5 MiB) the pod is admitted unchanged with a warning, its tree never built. */
    @Test
    void reviewTooLargeToMutateIsAdmittedUnchangedWithAWarning() throws Exception {
        createAndAwait("huge", "all", spec("file:///cov"));
        ObjectNode pod = (ObjectNode) Fixtures.load(Fixtures.PODS.resolve("01-single-container.yaml")).podJson().deepCopy();
        pod.with("metadata").with("annotations").put("padding", "x".repeat(2 * 1024 * 1024));
        JsonNode r = post(review("big", "huge", "CREATE", pod));
        assertEquals("big", r.at("/response/uid").asText());
        assertTrue(r.at("/response/allowed").asBoolean());
        assertTrue(r.at("/response/patch").isMissingNode(), "admitted unchanged");
        assertTrue(r.at("/response/warnings/0").asText().startsWith("integcov: pod not injected: the AdmissionReview is "),
                r.toString());
    }

    /**
     * A container with 5,500 env vars (about 0.5 MB; a whole-pod diff took the JVM to OOM on such pods) is injected:
     * our variables follow the user's, all of which are kept in order.
     */
    @Test
    void podWithThousandsOfEnvVarsIsInjected() throws Exception {
        createAndAwait("envs", "all", spec("file:///cov"));
        ObjectNode pod = (ObjectNode) Fixtures.load(Fixtures.PODS.resolve("01-single-container.yaml")).podJson().deepCopy();
        com.fasterxml.jackson.databind.node.ArrayNode env = ((ObjectNode) pod.at("/spec/containers/0")).putArray("env");
        for (int i = 0; i < 5500; i++) {
            env.addObject().put("name", "VAR_" + i).put("value", "value-" + i + "-" + "v".repeat(60));
        }
        JsonNode r = post(review("envs", "envs", "CREATE", pod));
        JsonNode patched = applyPatch(r, pod);
        JsonNode patchedEnv = patched.at("/spec/containers/0/env");
        for (int i = 0; i < 5500; i++) {
            assertEquals(env.get(i), patchedEnv.get(i));
        }
        assertEquals(Labels.ENV_GOCOVERDIR, patchedEnv.get(5500).get("name").asText());
        assertEquals("all", patched.at("/metadata/annotations").get(Labels.INJECTED_ANNOTATION).asText());
        byte[] patch = Base64.getDecoder().decode(r.at("/response/patch").asText());
        assertTrue(patch.length < 8192, "the patch holds only the additions: " + patch.length + " bytes");
    }

    /**
     * Skipped pods give a Warning Event on the CoverageCapture (reason NotLinux / Collision), once per message within the
     * dedupe window: two identical Windows pods, then a collision; Events are sent in order by one thread, so once the
     * Collision Event exists, every NotLinux Event that will ever be sent exists.
     */
    @Test
    void skippedPodsGiveOneEventPerMessageOnTheCapture() throws Exception {
        createAndAwait("events", "cov", spec("file:///cov"));
        CoverageCapture capture = client.resources(CoverageCapture.class).inNamespace("events").withName("cov").get();
        JsonNode windows = Fixtures.load(Fixtures.PODS.resolve("21-windows-pod-skipped.yaml")).podJson();
        post(review("w1", "events", "CREATE", windows));
        post(review("w2", "events", "CREATE", windows));
        post(review("c1", "events", "CREATE",
                Fixtures.load(Fixtures.PODS.resolve("24-volume-named-like-bin-skipped.yaml")).podJson()));
        List<io.fabric8.kubernetes.api.model.Event> events = eventsOnceOneIs("events", "Collision");
        assertEquals(List.of("NotLinux", "Collision"), events.stream()
                .sorted(java.util.Comparator.comparing(e -> e.getReason().equals("Collision")))
                .map(io.fabric8.kubernetes.api.model.Event::getReason).toList());
        for (io.fabric8.kubernetes.api.model.Event e : events) {
            assertEquals("Warning", e.getType());
            assertEquals("CoverageCapture", e.getInvolvedObject().getKind());
            assertEquals("cov", e.getInvolvedObject().getName());
            assertEquals(capture.getMetadata().getUid(), e.getInvolvedObject().getUid());
            assertEquals(AdmissionEvents.COMPONENT, e.getSource().getComponent());
        }
        String notLinux = events.stream().filter(e -> e.getReason().equals("NotLinux")).findFirst().orElseThrow()
                .getMessage();
        assertTrue(notLinux.startsWith("pod win: not injected (app:os,helper:os): pod is for windows"), notLinux);
    }

    /**
     * A dry run (kubectl --dry-run=server; the configuration says sideEffects NoneOnDryRun) gets the same answer as a
     * real admission but creates no Event: a skipped Windows pod in dry run, then a skipped (colliding) pod for real.
     * Events are sent in order by one thread, so once the real pod's Event exists the dry run's would exist too.
     */
    @Test
    void dryRunCreatesNoEventWhileARealAdmissionDoes() throws Exception {
        createAndAwait("dryrun", "cov", spec("file:///cov"));
        ObjectNode dryRun = review("d1", "dryrun", "CREATE",
                Fixtures.load(Fixtures.PODS.resolve("21-windows-pod-skipped.yaml")).podJson());
        dryRun.with("request").put("dryRun", true);
        JsonNode dryAnswer = post(dryRun);
        assertTrue(dryAnswer.at("/response/allowed").asBoolean());
        assertTrue(dryAnswer.at("/response/warnings/0").asText().contains("pod is for windows"), dryAnswer.toString());
        post(review("d2", "dryrun", "CREATE",
                Fixtures.load(Fixtures.PODS.resolve("24-volume-named-like-bin-skipped.yaml")).podJson()));
        List<io.fabric8.kubernetes.api.model.Event> events = eventsOnceOneIs("dryrun", "Collision");
        assertEquals(List.of("Collision"), events.stream().map(io.fabric8.kubernetes.api.model.Event::getReason).toList());
    }

    /** GET /q/metrics (HTTPS): integcov_admissions_total by outcome counts each answer. */
    @Test
    void metricsCountAdmissionsByOutcome() throws Exception {
        createAndAwait("metrics", "all", spec("file:///cov"));
        JsonNode pod = Fixtures.load(Fixtures.PODS.resolve("01-single-container.yaml")).podJson();
        double injected = admissions("injected");
        double ignored = admissions("ignored");
        post(review("m1", "metrics", "CREATE", pod));
        post(review("m2", "metrics", "CREATE", pod));
        post(review("m3", "metrics", "UPDATE", pod));
        assertEquals(injected + 2, admissions("injected"));
        assertEquals(ignored + 1, admissions("ignored"));
        String text = given().relaxedHTTPSValidation().get(metrics).asString();
        assertTrue(text.contains("integcov_admission_seconds_count"), "latency histogram");
    }

    double admissions(String outcome) {
        String prefix = "integcov_admissions_total{outcome=\"" + outcome + "\"";
        return given().relaxedHTTPSValidation().get(metrics).asString().lines().filter(l -> l.startsWith(prefix))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + prefix));
    }

    @Test
    void wrongMethodIsAClientError() {
        int status = given().relaxedHTTPSValidation().get(mutate).statusCode();
        assertTrue(status >= 400 && status < 500, "GET /mutate -> " + status);
    }

    // ---- helpers

    /**
     * The Events of the namespace once one has the reason (bounded wait for the sender thread, which sends in order:
     * every Event queued before that one exists too).
     */
    /** The Events of {@code namespace} once one of them has {@code reason} (the sender thread posts them). */
    List<io.fabric8.kubernetes.api.model.Event> eventsOnceOneIs(String namespace, String reason) {
        return await("the sender thread posts a " + reason + " Event in " + namespace).atMost(PATIENCE)
                .until(() -> client.v1().events().inNamespace(namespace).list().getItems(),
                        posted -> posted.stream().anyMatch(e -> e.getReason().equals(reason)));
    }

    static CoverageCaptureSpec spec(String url) {
        CoverageCaptureSpec spec = new CoverageCaptureSpec();
        spec.setStorage(new StorageSpec(url));
        return spec;
    }

    void createAndAwait(String namespace, String name, CoverageCaptureSpec spec) throws InterruptedException {
        client.resources(CoverageCapture.class).inNamespace(namespace).resource(new CoverageCapture(namespace, name, spec))
                .create();
        await("the informer sees CoverageCapture " + namespace + "/" + name).atMost(PATIENCE).until(() -> cache
                .inNamespace(namespace).stream().anyMatch(c -> c.getMetadata().getName().equals(name)));
    }

    static ObjectNode review(String uid, String namespace, String operation, JsonNode object) {
        ObjectNode review = JSON.createObjectNode();
        review.put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
        ObjectNode request = review.putObject("request");
        request.put("uid", uid).put("namespace", namespace).put("operation", operation);
        request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
        request.putObject("resource").put("group", "").put("version", "v1").put("resource", "pods");
        request.set("object", object);
        return review;
    }

    JsonNode post(JsonNode review) throws Exception {
        Response r = given().relaxedHTTPSValidation().contentType("application/json").body(review.toString()).post(mutate);
        assertEquals(200, r.statusCode(), r.asString());
        return JSON.readTree(r.asByteArray());
    }

    static JsonNode applyPatch(JsonNode response, JsonNode original) throws Exception {
        byte[] patch = Base64.getDecoder().decode(response.at("/response/patch").asText());
        return JsonPatch.apply(JSON.readTree(patch), original);
    }
}
