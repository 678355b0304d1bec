package io.integcov.cli.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.server.mock.OutputStreamMessage;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.ErrorStreamMessage;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.server.mock.StatusMessage;
import io.integcov.model.Labels;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.net.URLEncoder;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The pods/exec path of {@code collect --flush} against fabric8's mock API server: the websocket of each exec carries
 * the agent's stderr and its exit status, which decide success or failure per container.
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
        server.expect().get().withPath(execPath("api-1", "app", List.of(Labels.WRAPPER_PATH, "flush")))
                .andUpgradeToWebSocket().open()
                .waitFor(10).andEmit(new ErrorStreamMessage("integcov-agent: uploaded 2 files\n"))
                .waitFor(10).andEmit(new StatusMessage(0))
                .waitFor(300).andEmit(new OutputStreamMessage("")) // the mock closes right after its last message
                .done().once();
        server.expect().get().withPath(execPath("api-2", "integcov-agent", List.of("/integcov-agent", "flush")))
                .andUpgradeToWebSocket().open()
                .waitFor(10).andEmit(new ErrorStreamMessage("integcov-agent: no program listens for flush"
                        + " requests in /var/run/integcov/covdata\n"))
                .waitFor(10).andEmit(new StatusMessage(exitCode(1)))
                .waitFor(300).andEmit(new OutputStreamMessage(""))
                .done().once();

        List<Flusher.Result> results = new Flusher(client, "shop", "e2e", 4).flushAll(Duration.ofSeconds(30));

        assertEquals(List.of(
                new Flusher.Result(new Flusher.Target("api-1", "app", "wrap", List.of(Labels.WRAPPER_PATH, "flush")),
                        true, "integcov-agent: uploaded 2 files"),
                new Flusher.Result(new Flusher.Target("api-2", "integcov-agent", "sidecar",
                        List.of("/integcov-agent", "flush")), false, "integcov-agent flush exited 1: integcov-agent:"
                        + " no program listens for flush requests in /var/run/integcov/covdata")),
                results);
    }

    @Test
    void anExecTheApiServerRefusesIsAFailureOfThatPodOnly() throws Exception {
        createPods();
        server.expect().get().withPath(execPath("api-1", "app", List.of(Labels.WRAPPER_PATH, "flush")))
                .andUpgradeToWebSocket().open()
                .waitFor(10).andEmit(new StatusMessage(0))
                .waitFor(300).andEmit(new OutputStreamMessage("")) // the mock closes right after its last message
                .done().once();
        // no expectation for api-2: the mock answers 404 as an API server does for a pod that is gone

        List<Flusher.Result> results = new Flusher(client, "shop", "e2e", 4).flushAll(Duration.ofSeconds(30));

        assertEquals(2, results.size());
        assertEquals(true, results.get(0).ok(), results.get(0).detail());
        assertEquals(false, results.get(1).ok());
        assertEquals("api-2", results.get(1).target().pod());
        org.junit.jupiter.api.Assertions.assertTrue(
                results.get(1).detail().startsWith("cannot exec integcov-agent flush: "), results.get(1).detail());
    }
}
