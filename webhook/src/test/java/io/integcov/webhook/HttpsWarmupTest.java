package io.integcov.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URL;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

/** The HTTPS warm-up against the test app's real HTTPS port. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class HttpsWarmupTest {
    @TestHTTPResource(value = "/mutate", tls = true)
    URL mutate;
    @Inject
    @org.eclipse.microprofile.health.Readiness
    HttpsWarmup startupWarmup;
    @Inject
    Vertx vertx;
    @Inject
    WebhookConfig config;
    @Inject
    Admission admission;
    @Inject
    MeterRegistry registry;

    @Test
    void downUntilTheWarmupRanThenUp() {
        HttpsWarmup warmup = new HttpsWarmup(vertx, config, mutate::getPort);
        assertEquals(HealthCheckResponse.Status.DOWN, warmup.call().getStatus(), "before the warm-up");
        double before = warmups();
        warmup.run();
        Awaitility.await("the warm-up ends").atMost(MutateEndpointTest.PATIENCE)
                .until(() -> warmup.state() != HttpsWarmup.State.pending);
        assertEquals(HttpsWarmup.State.done, warmup.state());
        assertEquals(HealthCheckResponse.Status.UP, warmup.call().getStatus());
        assertTrue(warmups() >= before + config.warmup().requests(), "warm-up reviews counted under outcome warmup");
    }

    /** The app's own warm-up, run at start-up, ended and made the check UP. */
    @Test
    void theStartupWarmupEndsUp() {
        Awaitility.await("the start-up warm-up ends").atMost(MutateEndpointTest.PATIENCE)
                .until(() -> startupWarmup.state() != HttpsWarmup.State.pending);
        assertEquals(HttpsWarmup.State.done, startupWarmup.state());
        assertEquals(HealthCheckResponse.Status.UP, startupWarmup.call().getStatus());
    }

    /** A port that speaks no TLS: the warm-up fails, and the check is UP all the same. */
    @Test
    void aFailingWarmupStillEndsUp() throws Exception {
        try (ServerSocket server = new ServerSocket(0)) {
            Thread closer = new Thread(() -> {
                while (!server.isClosed()) {
                    try (Socket s = server.accept()) {
                        s.getOutputStream().write("not TLS\r\n".getBytes());
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            closer.setDaemon(true);
            closer.start();
            HttpsWarmup warmup = new HttpsWarmup(vertx, config, server::getLocalPort);
            warmup.run();
            Awaitility.await("the warm-up ends").atMost(MutateEndpointTest.PATIENCE)
                    .until(() -> warmup.state() != HttpsWarmup.State.pending);
            assertEquals(HttpsWarmup.State.failed, warmup.state());
            assertEquals(HealthCheckResponse.Status.UP, warmup.call().getStatus());
        }
    }

    /**
     * A warm-up review leaves no Event even where a real one would (a container without command is skipped, and the
     * review is not a dry run here), and needs no CoverageCapture in the cluster.
     */
    @Test
    void warmupReviewsLeaveNoNotice() {
        ObjectNode review = HttpsWarmup.review("no-notice");
        ObjectNode request = (ObjectNode) review.get("request");
        request.remove("dryRun");
        ((ObjectNode) request.get("object").get("spec").get("containers").get(0)).remove("command");
        Admission.Answer answer = admission.review(review);
        assertEquals(Admission.Outcome.warmup, answer.outcome());
        assertNull(answer.notice());

        Admission.Answer injected = admission.review(HttpsWarmup.review("patched"));
        assertEquals(Admission.Outcome.warmup, injected.outcome());
        assertNotNull(injected.patch(), "the built-in capture injects the warm-up pod");
    }

    /** The latency histogram counts every admission but the warm-up's. */
    @Test
    void warmupReviewsAreNotInTheLatencyHistogram() {
        Awaitility.await("the start-up warm-up ends").atMost(MutateEndpointTest.PATIENCE)
                .until(() -> startupWarmup.state() != HttpsWarmup.State.pending);
        assertTrue(warmups() >= config.warmup().requests(), "warm-up reviews counted");
        double others = registry.find("integcov.admissions").counters().stream()
                .filter(c -> !"warmup".equals(c.getId().getTag("outcome"))).mapToDouble(Counter::count).sum();
        assertEquals((long) others, registry.find("integcov.admission").timer().count());
    }

    private double warmups() {
        return registry.find("integcov.admissions").tag("outcome", "warmup").counter().count();
    }
}
