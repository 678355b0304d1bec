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
        org.awaitility.Awaitility.await("the informer syncs").atMost(MutateEndpointTest.PATIENCE).until(cache::synced);
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

    /**
     * The health port speaks TLS with the certificate of integcov.tls-dir (src/test/resources/tls in tests), and a
     * plain-HTTP request to it gets no health answer (plain HTTP is disabled: the kubelet's HTTPS probes are the only
     * way in).
     */
    @Test
    void healthIsServedOnlyOverTlsWithTheConfiguredCertificate() throws Exception {
        java.security.cert.Certificate expected;
        try (var in = java.nio.file.Files.newInputStream(java.nio.file.Path.of("src/test/resources/tls/tls.crt"))) {
            expected = java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        assertEquals(expected, TlsClients.servedCertificate(ready.getHost(), ready.getPort()), "the served certificate");

        // the port accepts connections (a refused one fails here), and a plain-HTTP request on it gets no HTTP answer:
        // the TLS server answers with an alert or closes
        try (java.net.Socket socket = new java.net.Socket(ready.getHost(), ready.getPort())) {
            socket.setSoTimeout(60_000);
            socket.getOutputStream().write(("GET " + ready.getPath() + " HTTP/1.1\r\nHost: " + ready.getHost()
                    + "\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readNBytes(5),
                    java.nio.charset.StandardCharsets.ISO_8859_1);
            assertTrue(!answer.startsWith("HTTP/"), "plain HTTP to the health port got an HTTP answer: " + answer);
        }
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
