package io.integcov.webhook;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.net.URL;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** /q/health over HTTPS (plain HTTP is disabled), with the same app and mock API server as MutateEndpointTest. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class HealthEndpointTest {
    @TestHTTPResource(value = "/q/health/ready", tls = true)
    URL ready;
    @TestHTTPResource(value = "/q/health/live", tls = true)
    URL live;
    @TestHTTPResource(value = "/q/health/started", tls = true)
    URL started;
    @Inject
    CaptureCache cache;

    @Test
    void readyOverHttpsOnceTheInformerHasSynced() throws Exception {
        for (int i = 0; i < 1200 && !cache.synced(); i++) { // bounded wait for the informer, asserts nothing about time
            Thread.sleep(100);
        }
        assertTrue(cache.synced(), "the informer never synced");
        assertEquals("https", ready.getProtocol());
        Response r = given().relaxedHTTPSValidation().get(ready);
        assertEquals(200, r.statusCode(), r.asString());
        JsonPath json = r.jsonPath();
        assertEquals("UP", json.getString("status"));
        List<Map<String, Object>> checks = json.getList("checks");
        Map<String, Object> ours = checks.stream().filter(c -> CaptureCacheReadiness.NAME.equals(c.get("name")))
                .findFirst().orElseThrow(() -> new AssertionError("no " + CaptureCacheReadiness.NAME + " in " + checks));
        assertEquals("UP", ours.get("status"));
        assertEquals(Map.of("source", "informer"), ours.get("data"));
    }

    /** What deploy/'s liveness and startup probes get. */
    @Test
    void liveAndStartedOverHttps() {
        for (URL url : List.of(live, started)) {
            Response r = given().relaxedHTTPSValidation().get(url);
            assertEquals(200, r.statusCode(), url + ": " + r.asString());
            assertEquals("UP", r.jsonPath().getString("status"), url.toString());
        }
    }
}
