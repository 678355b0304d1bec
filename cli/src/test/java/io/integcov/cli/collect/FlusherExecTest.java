package io.integcov.cli.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.server.mock.OutputStreamMessage;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.server.mock.StatusMessage;
import io.integcov.model.Labels;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.integcov.testing.Kubeconfig;
import java.net.URLEncoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pods/exec path of {@code collect --flush} against fabric8's mock API server: the websocket of each exec carries
 * the agent's exit status (as a kube-apiserver sends it), which decides success or failure per container. The agent's
 * output is left out: the mock server sometimes drops the status frame that follows an output frame (the last output
 * line in the report is tested in FlusherTest).
 */
class FlusherExecTest {
    KubernetesMockServer server;
    KubernetesClient client;

    @BeforeEach
    void start() {
        // pods stored CRUD-style (exec first waits until its pod is ready), exec answered by expectations
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        server = new KubernetesMockServer(new Context(), new MockWebServer(), responses,
                new KubernetesMixedDispatcher(responses), false);
        server.init();
        client = server.createClient();
    }

    @AfterEach
    void stop() {
        client.close();
        server.destroy();
    }

    static String execPath(String pod, String container, List<String> command) {
        StringBuilder path = new StringBuilder("/api/v1/namespaces/shop/pods/" + pod + "/exec?");
        for (String part : command) {
            path.append("command=").append(URLEncoder.encode(part, StandardCharsets.UTF_8)).append('&');
        }
        return path.append("container=").append(container).append("&stdout=true&stderr=true").toString();
    }

    static final List<String> WRAPPED_FLUSH = List.of(Labels.AGENT_PATH, "flush");
    static final List<String> SIDECAR_FLUSH = List.of("/integcov-agent", "flush");

    /** The mock API server answers one exec of {@code command}: {@code exit} on the error channel, then it closes. */
    void expectExec(String pod, String container, List<String> command, StatusMessage exit) {
        server.expect().get().withPath(execPath(pod, container, command))
                .andUpgradeToWebSocket().open()
                .waitFor(200).andEmit(exit)
                .waitFor(1000).andEmit(new OutputStreamMessage("")) // the mock closes right after its last message
                .done().once();
    }

    /** The status a kube-apiserver sends on the error channel when the command exits non-zero. */
    static Status exitCode(int code) {
        return new StatusBuilder().withStatus("Failure").withReason("NonZeroExitCode").withNewDetails()
                .addNewCause().withReason("ExitCode").withMessage(String.valueOf(code)).endCause().endDetails()
                .build();
    }

    void createPods() {
        create(FlusherTest.pod("e2e", "Running", false, List.of(FlusherTest.installer()),
                List.of(FlusherTest.wrapped("app"))), "api-1");
        create(FlusherTest.pod("e2e", "Running", false, List.of(FlusherTest.sidecar("app")),
                List.of(FlusherTest.plain("app"))), "api-2");
        create(FlusherTest.pod("e2e", "Succeeded", false, List.of(FlusherTest.installer()),
                List.of(FlusherTest.wrapped("app"))), "done-1");
    }

    void create(Pod pod, String name) {
        client.pods().inNamespace("shop").resource(new PodBuilder(pod).editMetadata().withName(name).endMetadata()
                .editStatus().addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus()
                .build()).create();
    }

    @Test
    void eachRunningPodIsFlushedAndAFailedFlushIsReportedWithTheAgentsLastLine() throws Exception {
        createPods();
        expectExec("api-1", "app", WRAPPED_FLUSH, new StatusMessage(0));
        expectExec("api-2", "integcov-agent", SIDECAR_FLUSH, new StatusMessage(exitCode(1)));

        List<Flusher.Result> results = new Flusher(client, "shop", "e2e", 4).flushAll(Duration.ofSeconds(30));

        assertEquals(List.of(
                new Flusher.Result(new Flusher.Target("api-1", "app", "wrap", List.of(Labels.AGENT_PATH, "flush")),
                        true, ""),
                new Flusher.Result(new Flusher.Target("api-2", "integcov-agent", "sidecar",
                        List.of("/integcov-agent", "flush")), false, "integcov-agent flush exited 1")),
                results);
    }

    @Test
    void anExecTheApiServerRefusesIsAFailureOfThatPodOnly() throws Exception {
        createPods();
        expectExec("api-1", "app", WRAPPED_FLUSH, new StatusMessage(0));
        // no expectation for api-2: the mock answers 404 as an API server does for a pod that is gone

        List<Flusher.Result> results = new Flusher(client, "shop", "e2e", 4).flushAll(Duration.ofSeconds(30));

        assertEquals(2, results.size());
        assertEquals(true, results.get(0).ok(), results.get(0).detail());
        assertEquals(false, results.get(1).ok());
        assertEquals("api-2", results.get(1).target().pod());
        assertTrue(results.get(1).detail().startsWith("cannot exec integcov-agent flush: "), results.get(1).detail());
    }

    @Test
    void collectFlushReportsEachPodAndExitsOneWhenAFlushFailedButStillCollects(@TempDir Path work) throws Exception {
        createPods();
        expectExec("api-1", "app", WRAPPED_FLUSH, new StatusMessage(0));
        expectExec("api-2", "integcov-agent", SIDECAR_FLUSH, new StatusMessage(exitCode(1)));
        Path storage = Files.createDirectories(work.resolve("bucket"));
        server.expect().get().withPath("/apis/integcov.io/v1alpha1/namespaces/shop/coveragecaptures/e2e")
                .andReturn(200, "{\"apiVersion\":\"integcov.io/v1alpha1\",\"kind\":\"CoverageCapture\","
                        + "\"metadata\":{\"name\":\"e2e\",\"namespace\":\"shop\",\"uid\":\"u-1\"},"
                        + "\"spec\":{\"storage\":{\"url\":\"file://" + storage + "\"}}}").always();
        Path kubeconfig = Kubeconfig.forServer(client.getMasterUrl().toString()).token("t").namespace("shop")
                .write(work.resolve("kubeconfig"));
        System.setProperty("kubeconfig", kubeconfig.toString());
        try {
            CollectCommandTest.Result result = CollectCommandTest.collect("--capture", "shop/e2e", "--flush",
                    "--timeout", "30s", "-o", work.resolve("out").toString());

            assertEquals(1, result.exitCode(), result.err());
            assertTrue(result.err().contains("integcov collect: flushed pod api-1 container app (wrap)"), result.err());
            assertTrue(result.err().contains("integcov collect: error: flush failed in pod api-2 container"
                    + " integcov-agent (sidecar): integcov-agent flush exited 1"), result.err());
            assertTrue(result.err().contains("flushed 1 of 2 containers"), result.err());
            assertFalse(result.err().contains("done-1"), result.err());
        } finally {
            System.clearProperty("kubeconfig");
        }
    }
}
