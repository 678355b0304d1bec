package io.integcov.cli.collect;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The two Kubernetes API reads collect makes (a CoverageCapture, the pods of a namespace) over HTTPS with client
 * certificate authentication, so that a test exercises the real kubeconfig, TLS and key handling of the fabric8 client.
 * Paths without a canned answer get a Kubernetes-style 404.
 */
final class FakeApiServer implements AutoCloseable {
    private final HttpsServer server;
    private final Map<String, String> answers = new ConcurrentHashMap<>();
    /** Subject of the client certificate of every request served. */
    final List<String> clients = new CopyOnWriteArrayList<>();

    FakeApiServer(SSLContext context) throws IOException {
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(context) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters parameters = context.getDefaultSSLParameters();
                parameters.setNeedClientAuth(true);
                params.setSSLParameters(parameters);
            }
        });
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "https://127.0.0.1:" + server.getAddress().getPort();
    }

    void answer(String path, String json) {
        answers.put(path, json);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            X509Certificate client = (X509Certificate) ((HttpsExchange) exchange).getSSLSession()
                    .getPeerCertificates()[0];
            clients.add(client.getSubjectX500Principal().getName());
            String body = answers.get(exchange.getRequestURI().getPath());
            int status = body == null ? 404 : 200;
            if (body == null) {
                body = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"NotFound\","
                        + "\"code\":404,\"message\":\"not found\"}";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
