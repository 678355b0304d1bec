package io.integcov.webhook;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.integcov.model.CoverageCapture;
import io.integcov.model.CoverageCaptureSpec;
import io.integcov.model.StorageSpec;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.net.ConnectException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

/**
 * Sends {@code integcov.warmup.requests} AdmissionReviews over {@code integcov.warmup.connections} TLS connections to
 * the webhook's own HTTPS port on 127.0.0.1 at start-up, and reports ready ({@value #NAME}) only once they are
 * answered: the TLS handshakes, the event loops' buffers, the route and the JIT are warm before the API server sends
 * the first real pod (it gives the webhook only timeoutSeconds). {@link Warmup} warms the admission code in-process;
 * this warms the whole HTTPS path.
 *
 * <p>
 * The reviews have no side effects: dry runs of a pod in {@link #NAMESPACE}, a namespace name Kubernetes cannot
 * create, matched by the built-in {@link #CAPTURE} instead of the cache; no Event, counted under the outcome
 * {@code warmup} and not in the latency histogram. On a failure or after {@code integcov.warmup.timeout} the check
 * reports ready anyway (logged): the warm-up never keeps the webhook from serving.
 */
@Readiness
@Singleton
public class HttpsWarmup implements HealthCheck {
    static final String NAME = "https-warm-up";
    /** Not a valid namespace name (no colon allowed), so no real pod is ever in it. */
    static final String NAMESPACE = "integcov:warm-up";
    /** The capture that selects every warm-up pod. */
    static final CoverageCapture CAPTURE = capture();
    private static final Logger LOG = Logger.getLogger(HttpsWarmup.class);

    enum State {
        pending, done, failed, disabled
    }

    private final Vertx vertx;
    private final WebhookConfig config;
    private final IntSupplier port;
    private volatile State state = State.pending;
    private volatile String message = "HTTPS warm-up not finished yet";

    @Inject
    HttpsWarmup(Vertx vertx, WebhookConfig config) {
        this(vertx, config, HttpsWarmup::httpsPort);
    }

    HttpsWarmup(Vertx vertx, WebhookConfig config, IntSupplier port) {
        this.vertx = vertx;
        this.config = config;
        this.port = port;
    }

    void start(@Observes StartupEvent event) {
        if (!config.warmup().enabled()) {
            finish(State.disabled, "HTTPS warm-up disabled");
            return;
        }
        run();
    }

    /** Starts the warm-up; the check reports UP when it has ended, however it ended. */
    void run() {
        WebhookConfig.HttpsWarmupSettings settings = config.warmup();
        long startNanos = System.nanoTime();
        Promise<Void> deadline = Promise.promise();
        long timer = vertx.setTimer(settings.timeout().toMillis(), t -> deadline.tryFail(
                "no answer to all " + settings.requests() + " warm-up reviews within " + settings.timeout()));
        HttpClient client;
        try {
            client = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setVerifyHost(false)
                    .setTrustOptions(new PemTrustOptions().addCertPath(
                            Path.of(config.tlsDir(), "tls.crt").toString()))
                    .setKeepAlive(true), new PoolOptions().setHttp1MaxSize(settings.connections()));
        } catch (RuntimeException e) {
            vertx.cancelTimer(timer);
            finish(State.failed, "HTTPS warm-up could not start: " + e);
            return;
        }
        AtomicInteger left = new AtomicInteger(settings.requests());
        List<Future<Void>> chains = new ArrayList<>();
        for (int i = 0; i < settings.connections(); i++) {
            chains.add(chain(client, left, deadline.future()));
        }
        Future.all(chains).onComplete(r -> {
            if (r.succeeded()) {
                deadline.tryComplete();
            } else {
                deadline.tryFail(r.cause());
            }
        });
        deadline.future().onComplete(r -> {
            vertx.cancelTimer(timer);
            client.close();
            long millis = (System.nanoTime() - startNanos) / 1_000_000;
            if (r.succeeded()) {
                finish(State.done, "HTTPS warm-up: " + settings.requests() + " reviews over "
                        + settings.connections() + " connections in " + millis + " ms");
            } else {
                finish(State.failed, "HTTPS warm-up ended after " + millis + " ms without finishing (ready anyway): "
                        + r.cause().getMessage());
            }
        });
    }

    /** One connection's share: reviews one after the other until none is left. */
    private Future<Void> chain(HttpClient client, AtomicInteger left, Future<Void> deadline) {
        if (deadline.isComplete() || left.getAndDecrement() <= 0) {
            return Future.succeededFuture();
        }
        return send(client, deadline).compose(ok -> chain(client, left, deadline));
    }

    /** One review; a refused connection (the server not listening yet) is retried until the deadline. */
    private Future<Void> send(HttpClient client, Future<Void> deadline) {
        Buffer body = Buffer.buffer(Admission.bytes(review("warm-up")));
        return client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
                .setPort(port.getAsInt()).setURI("/mutate").putHeader("Content-Type", "application/json"))
                .compose(req -> req.send(body))
                .compose(resp -> resp.body().compose(b -> resp.statusCode() == 200 && b.toString().contains("\"patch\"")
                        ? Future.<Void>succeededFuture()
                        : Future.failedFuture("warm-up review answered " + resp.statusCode() + ": " + b)))
                .recover(e -> {
                    if (e instanceof ConnectException && !deadline.isComplete()) {
                        Promise<Void> retry = Promise.promise();
                        vertx.setTimer(20, t -> send(client, deadline).onComplete(retry));
                        return retry.future();
                    }
                    return Future.failedFuture(e);
                });
    }

    private void finish(State end, String text) {
        message = text;
        state = end;
        if (end == State.failed) {
            LOG.warn(text);
        } else {
            LOG.info(text);
        }
    }

    State state() {
        return state;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named(NAME).withData("state", state.name());
        if (state == State.pending) {
            return response.down().withData("message", message).build();
        }
        return response.up().build();
    }

    /** A dry-run AdmissionReview of a pod in {@link #NAMESPACE}. */
    static ObjectNode review(String uid) {
        ObjectNode review = Admission.MAPPER.createObjectNode();
        ObjectNode request = review.put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview")
                .putObject("request");
        request.put("uid", uid).put("namespace", NAMESPACE).put("operation", "CREATE").put("dryRun", true);
        request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
        ObjectNode pod = request.putObject("object");
        pod.putObject("metadata").put("name", "warm-up").put("namespace", NAMESPACE);
        pod.putObject("spec").putArray("containers").addObject().put("name", "app").put("image", "app")
                .putArray("command").add("/app");
        return review;
    }

    private static CoverageCapture capture() {
        CoverageCaptureSpec spec = new CoverageCaptureSpec();
        spec.setStorage(new StorageSpec("file:///warm-up"));
        return new CoverageCapture("warm-up", NAMESPACE, spec);
    }

    /** The HTTPS port the server listens on (the test port in tests, where 0 is replaced by the one chosen). */
    private static int httpsPort() {
        var config = ConfigProvider.getConfig();
        if (LaunchMode.current() == LaunchMode.TEST) {
            return config.getOptionalValue("quarkus.http.test-ssl-port", Integer.class).orElse(8444);
        }
        return config.getOptionalValue("quarkus.http.ssl-port", Integer.class).orElse(8443);
    }
}
