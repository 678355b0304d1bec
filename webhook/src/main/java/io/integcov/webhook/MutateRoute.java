package io.integcov.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import org.jboss.logging.Logger;

/**
 * {@code POST /mutate} as a Vert.x route answered on the event loop: an admission is a few hundred microseconds of
 * CPU and no I/O (the CoverageCaptures come from the informer cache, Events are queued), so handing it to a worker
 * thread would cost more than the work. Reviews above {@code integcov.worker-review-bytes} go to a small worker pool
 * so that a big pod does not stall the loop; above {@code integcov.max-review-bytes} they are admitted unchanged
 * without building their tree; above the API server's own limit (3 MiB) the body handler answers 413 before reading.
 *
 * <p>
 * Never a 5xx: a body that is not JSON, or has no {@code request.uid} to answer to, gets 400 with a message; any
 * other failure gets 200 with allowed=true and a warning (fail open).
 */
@ApplicationScoped
public class MutateRoute {
    /** The API server never sends more (its own request body limit). */
    static final long API_SERVER_MAX_BODY = 3L * 1024 * 1024;
    private static final Logger LOG = Logger.getLogger(MutateRoute.class);
    /** Jackson writes in chunks of 8000 bytes: the answer to a usual pod (about 5 KB) fills the buffer once. */
    private static final int REPLY_BUFFER_BYTES = 8192;

    @Inject
    Admission admission;
    @Inject
    WebhookConfig config;
    @Inject
    AdmissionEvents events;
    @Inject
    AdmissionMetrics metrics;
    @Inject
    Vertx vertx;

    private volatile WorkerExecutor largeReviews;

    /** A status and JSON body to send. */
    record Reply(int status, Buffer body, Admission.Outcome outcome, Admission.Notice notice) {
    }

    void routes(@Observes Router router) {
        largeReviews = vertx.createSharedWorkerExecutor("integcov-large-reviews", config.largeReviewWorkers());
        router.post("/mutate")
                // one body buffer of the announced size instead of growing one from 1 KiB as the chunks arrive
                .handler(BodyHandler.create(false).setBodyLimit(API_SERVER_MAX_BODY).setPreallocateBodyBuffer(true))
                .handler(this::mutate);
    }

    void mutate(RoutingContext ctx) {
        long start = System.nanoTime();
        Buffer body = ctx.body().buffer();
        Buffer b = body == null ? Buffer.buffer() : body;
        if (b.length() > config.workerReviewBytes()) {
            largeReviews.<Reply>executeBlocking(() -> answer(b), false)
                    .onComplete(r -> send(ctx, r.succeeded() ? r.result() : error(r.cause()), start));
        } else {
            send(ctx, answer(b), start);
        }
    }

    /** Never throws. */
    Reply answer(Buffer body) {
        JsonNode review = null;
        String uid = null;
        try {
            if (body.length() > config.maxReviewBytes()) {
                try (InputStream in = new ByteBufInputStream(body.getByteBuf())) {
                    Admission.Answer a = Admission.tooLarge(in, body.length(), config.maxReviewBytes());
                    return a == null ? badRequest("body is not an AdmissionReview: request.uid is missing")
                            : ok(a);
                }
            }
            try (InputStream in = new ByteBufInputStream(body.getByteBuf())) {
                review = ReviewReader.read(in);
            } catch (Exception e) {
                return badRequest("body is not JSON: " + e.getMessage());
            }
            uid = Admission.uid(review);
            if (uid == null) {
                return badRequest("body is not an AdmissionReview: request.uid is missing");
            }
            return ok(admission.review(review));
        } catch (Exception | StackOverflowError | OutOfMemoryError e) {
            if (uid == null) {
                return badRequest("cannot read the AdmissionReview: " + e);
            }
            LOG.warnf("admission %s: not injected (fail open): %s", uid, e.toString());
            return ok(Admission.failOpen(review, uid, e));
        }
    }

    /** The answer streamed straight into the response buffer. */
    private static Reply ok(Admission.Answer answer) {
        ByteBuf body = Unpooled.buffer(REPLY_BUFFER_BYTES);
        try (OutputStream out = new ByteBufOutputStream(body)) {
            answer.writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // cannot happen in memory
        }
        return new Reply(200, Buffer.buffer(body), answer.outcome(), answer.notice());
    }

    private static Reply badRequest(String message) {
        String line = message.lines().findFirst().orElse("").strip();
        if (line.length() > 300) {
            line = line.substring(0, 300) + "...";
        }
        return new Reply(400, Buffer.buffer(Admission.bytes(Admission.MAPPER.createObjectNode().put("error", line))),
                Admission.Outcome.invalid, null);
    }

    private static Reply error(Throwable t) {
        return badRequest("cannot read the AdmissionReview: " + t);
    }

    private void send(RoutingContext ctx, Reply reply, long start) {
        ctx.response().setStatusCode(reply.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(reply.body());
        metrics.record(reply.outcome(), System.nanoTime() - start);
        if (reply.notice() != null) {
            events.offer(reply.notice());
        }
    }
}
