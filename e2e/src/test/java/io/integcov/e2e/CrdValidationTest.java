package io.integcov.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.integcov.model.CoverageCapture;
import io.integcov.testing.Cache;
import io.integcov.testing.RepoRoot;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CEL rules ({@code x-kubernetes-validations}) of the committed CRD in crds/, on a real kube-apiserver: each rule
 * rejects a spec that breaks it, with its message, and a spec using every field passes them all. The API server runs
 * alone with its etcd (no kubelet, no local cluster, no root), on ports the kernel hands out, with its work dir and
 * logs in target/e2e-work/crd-validation.
 */
class CrdValidationTest {
    /** Start-up bound for etcd and kube-apiserver (not an assertion on the code under test). */
    private static final Duration START_DEADLINE = Duration.ofSeconds(120);
    private static final String NAMESPACE = "default";

    private static final List<Process> processes = new ArrayList<>();
    private static final List<String> names = new ArrayList<>();
    private static Path work;
    private static KubernetesClient client;

    @BeforeAll
    static void startApiServerAndApplyCrd() throws Exception {
        Path etcd = Cache.dir().resolve("bin/etcd");
        Path apiServer = Cache.dir().resolve("bin/kube-apiserver");
        if (!Files.isExecutable(etcd) || !Files.isExecutable(apiServer)) {
            String missing = etcd + " or " + apiServer + " is missing (build them with src/ci/build-k8s.sh)";
            if (E2eEnv.required()) {
                throw new IllegalStateException(missing + "; " + E2eEnv.REQUIRED + " is set, so this is a failure");
            }
            Assumptions.abort(missing);
        }
        work = E2eEnv.workDir("crd-validation");

        String etcdUrl = "http://127.0.0.1:" + freePort();
        // the embedded etcd src/ci/build-k8s.sh builds; its peer URL defaults to a port the kernel picks
        start("etcd", etcd.toString(), "--name", "crd-validation", "--data-dir", work.resolve("etcd").toString(),
                "--listen-client-urls", etcdUrl, "--advertise-client-urls", etcdUrl);

        String token = UUID.randomUUID().toString();
        Files.writeString(work.resolve("tokens.csv"), token + ",integcov-admin,integcov-admin,\"system:masters\"\n");
        Path serviceAccountKey = work.resolve("sa.key");
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        Files.writeString(serviceAccountKey, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(rsa.generateKeyPair().getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        int apiPort = freePort();
        Path certDir = work.resolve("certs");
        start("kube-apiserver", apiServer.toString(), "--etcd-servers", etcdUrl,
                "--bind-address", "127.0.0.1", "--advertise-address", "127.0.0.1", "--secure-port", String.valueOf(apiPort),
                "--cert-dir", certDir.toString(), "--token-auth-file", work.resolve("tokens.csv").toString(),
                "--authorization-mode", "RBAC", "--service-cluster-ip-range", "10.96.0.0/16",
                "--service-account-issuer", "https://kubernetes.default.svc",
                "--service-account-key-file", serviceAccountKey.toString(),
                "--service-account-signing-key-file", serviceAccountKey.toString());

        // kube-apiserver writes its self-signed serving certificate (and the CA that signed it) there before listening
        Path servingCert = certDir.resolve("apiserver.crt");
        waitUntil("kube-apiserver's self-signed certificate " + servingCert, () -> Files.size(servingCert) > 0);
        client = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
                .withMasterUrl("https://127.0.0.1:" + apiPort).withCaCertFile(servingCert.toString())
                .withOauthToken(token).withNamespace(NAMESPACE).withRequestTimeout(30_000).build()).build();
        waitUntil("kube-apiserver /readyz", () -> "ok".equals(client.raw("/readyz")));

        Path crdFile = RepoRoot.find().resolve("crds").resolve(CoverageCapture.CRD_NAME + "-v1.yml");
        CustomResourceDefinition crd;
        try (InputStream in = Files.newInputStream(crdFile)) {
            crd = client.apiextensions().v1().customResourceDefinitions().load(in).item();
        }
        client.resource(crd).create();
        client.apiextensions().v1().customResourceDefinitions().withName(CoverageCapture.CRD_NAME)
                .waitUntilCondition(c -> c != null && c.getStatus() != null && c.getStatus().getConditions() != null
                        && c.getStatus().getConditions().stream()
                                .anyMatch(k -> "Established".equals(k.getType()) && "True".equals(k.getStatus())),
                        START_DEADLINE.toSeconds(), TimeUnit.SECONDS);
        waitUntil("the CoverageCapture resource is served", () -> captures().list() != null);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (client != null) {
            client.close();
        }
        for (int i = processes.size() - 1; i >= 0; i--) { // kube-apiserver before its etcd
            Process process = processes.get(i);
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    static Stream<Arguments> invalidSpecs() {
        return Stream.of(
                Arguments.of("containers: ['']",
                        "spec.containers", "container names must not be empty"),
                Arguments.of("containers: ['  ']",
                        "spec.containers", "container names must not be empty"),
                Arguments.of("containers: [app, sidecar, app]",
                        "spec.containers", "a container is listed twice"),
                Arguments.of("commandOverrides: [{container: '', command: [/app]}]",
                        "spec.commandOverrides[0].container", "must not be empty"),
                Arguments.of("commandOverrides: [{container: app, command: []}]",
                        "spec.commandOverrides[0].command", "must not be empty"),
                Arguments.of("commandOverrides: [{container: app, command: [' ', '-v']}]",
                        "spec.commandOverrides[0].command", "its first element (the executable) must not be empty"),
                Arguments.of("commandOverrides: [{container: app, command: [/a]}, {container: app, command: [/b]}]",
                        "spec.commandOverrides", "a container has more than one override"),
                Arguments.of("{containers: [app], commandOverrides: [{container: other, command: [/app]}]}",
                        "spec.commandOverrides", "every commandOverrides[].container must be listed in spec.containers"),
                Arguments.of("selector: {matchExpressions: [{key: app, operator: Is, values: [x]}]}",
                        "spec.selector", "matchExpressions[].operator must be one of In, NotIn, Exists, DoesNotExist"),
                Arguments.of("selector: {matchExpressions: [{key: app, operator: In}]}",
                        "spec.selector", "matchExpressions[].values must not be empty for operator In or NotIn"),
                Arguments.of("selector: {matchExpressions: [{key: app, operator: NotIn, values: []}]}",
                        "spec.selector", "matchExpressions[].values must not be empty for operator In or NotIn"),
                Arguments.of("selector: {matchExpressions: [{key: app, operator: Exists, values: [x]}]}",
                        "spec.selector", "matchExpressions[].values must be empty for operator Exists or DoesNotExist"),
                Arguments.of("selector: {matchExpressions: [{key: 'Bad_Prefix/app', operator: Exists}]}",
                        "spec.selector", "matchExpressions: label keys must be"),
                Arguments.of("selector: {matchExpressions: [{key: app, operator: In, values: ['-x']}]}",
                        "spec.selector", "matchExpressions: label keys must be"),
                Arguments.of("selector: {matchLabels: {'': x}}",
                        "spec.selector", "matchLabels: label keys must be"),
                Arguments.of("selector: {matchLabels: {'a/b/c': x}}",
                        "spec.selector", "matchLabels: label keys must be"),
                Arguments.of("selector: {matchLabels: {app: '" + "x".repeat(64) + "'}}", // the schema's maxLength
                        "spec.selector.matchLabels.app", "may not be more than 63 bytes"),
                Arguments.of("selector: {matchLabels: {app: 'x.'}}",
                        "spec.selector", "matchLabels: label keys must be"),
                Arguments.of("selector: {matchLabels: {'" + "p".repeat(254) + "/app': x}}",
                        "spec.selector", "matchLabels: label keys must be"),
                Arguments.of("agentImage: ' '",
                        "spec.agentImage", "must not be blank when set"),
                Arguments.of("wrapperImage: ' '",
                        "spec.wrapperImage", "must not be blank when set"),
                Arguments.of("{agentImage: 'localhost/integcov/agent:0.2.0', wrapperImage: 'localhost/integcov/agent:0.1.0'}",
                        "spec.wrapperImage", "wrapperImage is the deprecated name of agentImage"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidSpecs")
    void aSpecBreakingARuleIsRejectedWithItsMessage(String spec, String field, String message) {
        KubernetesClientException rejected = assertThrows(KubernetesClientException.class,
                () -> create(spec), "accepted: " + spec);
        assertEquals(422, rejected.getCode(), rejected.getMessage());
        String text = rejected.getMessage();
        assertTrue(text.contains(field + ": ") && text.contains(message),
                "expected '" + field + ": ... " + message + "' in: " + text);
    }

    @Test
    void aSpecUsingEveryRuledFieldIsAccepted() {
        GenericKubernetesResource created = create("""
                {selector: {matchLabels: {app: api, 'example.com/tier': '', version: v1.2_3-x},
                            matchExpressions: [{key: 'app.kubernetes.io/name', operator: In, values: [api, worker]},
                                               {key: track, operator: NotIn, values: [canary]},
                                               {key: team, operator: Exists}, {key: legacy, operator: DoesNotExist}]},
                 containers: [api, worker],
                 commandOverrides: [{container: api, command: [/api, --serve]}, {container: worker, command: [/worker]}],
                 uploadTimeoutSeconds: 30, agentImage: 'localhost/integcov/agent:0.1.0',
                 wrapperImage: 'localhost/integcov/agent:0.1.0'}""");
        assertEquals("api", ((List<?>) ((java.util.Map<?, ?>) created.getAdditionalProperties().get("spec"))
                .get("containers")).get(0));
    }

    @Test
    void overridesNeedNoContainerListWhenEveryContainerIsSelected() {
        create("{commandOverrides: [{container: any, command: [/app]}]}");
    }

    /** Creates (dry run: validated, never stored) a capture with this spec, given as YAML flow. */
    private static GenericKubernetesResource create(String spec) {
        GenericKubernetesResource capture = Serialization.unmarshal("""
                apiVersion: %s/%s
                kind: CoverageCapture
                metadata: {name: capture, namespace: %s}
                spec: %s
                """.formatted(CoverageCapture.GROUP, CoverageCapture.VERSION, NAMESPACE,
                spec.startsWith("{") ? spec : "{" + spec + "}"), GenericKubernetesResource.class);
        return captures().resource(capture).dryRun().create();
    }

    private static io.fabric8.kubernetes.client.dsl.MixedOperation<GenericKubernetesResource,
            io.fabric8.kubernetes.api.model.GenericKubernetesResourceList,
            io.fabric8.kubernetes.client.dsl.Resource<GenericKubernetesResource>> captures() {
        return client.genericKubernetesResources(CoverageCapture.GROUP + "/" + CoverageCapture.VERSION, "CoverageCapture");
    }

    private static void start(String name, String... command) throws IOException {
        names.add(name);
        processes.add(new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(work.resolve(name + ".log").toFile()).start());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @FunctionalInterface
    private interface Probe {
        boolean ready() throws Exception;
    }

    /**
     * Polls {@code probe} (every 200 ms) until true; an exception of the probe counts as not ready. Fails at once when
     * etcd or kube-apiserver exited, with its log, or at the start deadline with the probe's last error.
     */
    private static void waitUntil(String what, Probe probe) throws Exception {
        AtomicReference<Exception> last = new AtomicReference<>();
        try {
            Awaitility.await(what).atMost(START_DEADLINE).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(200))
                    .pollInSameThread().until(() -> {
                        for (int i = 0; i < processes.size(); i++) {
                            if (!processes.get(i).isAlive()) {
                                throw new IllegalStateException(names.get(i) + " exited with "
                                        + processes.get(i).exitValue() + " before " + what + "; its log: "
                                        + work.resolve(names.get(i) + ".log"));
                            }
                        }
                        try {
                            return probe.ready();
                        } catch (Exception e) {
                            last.set(e);
                            return false;
                        }
                    });
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException("not ready within " + START_DEADLINE + ": " + what + "; logs in " + work
                    + (last.get() == null ? "" : "; last error: " + last.get()), e);
        }
    }
}
