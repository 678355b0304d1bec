package io.integcov.webhook;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.integcov.model.CoverageCapture;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Kubernetes Events on the CoverageCapture for pods it selected but integcov skipped or collided with: admission
 * warnings of controller-made pods reach the controller, not the user, so {@code kubectl describe covcap} is where they
 * see it. Admission never waits for the API server: {@link #offer} only puts the notice into a bounded queue (dropped
 * and counted when full) after dropping repeats of the same message for the same capture within
 * {@code integcov.events.dedupe-window} (the replicas of a ReplicaSet share one pod name pattern and give one Event);
 * one daemon thread creates the Events, named so that two webhook replicas create the same Event only once.
 */
@ApplicationScoped
public class AdmissionEvents {
    private static final Logger LOG = Logger.getLogger(AdmissionEvents.class);
    static final String COMPONENT = "integcov-webhook";
    static final int MAX_MESSAGE = 1024;
    /** Object names are DNS subdomains: at most 253 characters. */
    static final int MAX_NAME = 253;
    private static final int MAX_REMEMBERED = 10_000;

    @Inject
    WebhookConfig config;
    @Inject
    Instance<KubernetesClient> client;
    @Inject
    AdmissionMetrics metrics;

    private final Map<String, Long> lastSent = new ConcurrentHashMap<>();
    private volatile BlockingQueue<Admission.Notice> queue;
    private volatile Thread sender;

    void start(@Observes StartupEvent event) {
        if (!config.events().enabled() || config.captures().source() != WebhookConfig.Source.informer) {
            return;
        }
        queue = new ArrayBlockingQueue<>(config.events().queueSize());
        KubernetesClient kubernetes = client.get();
        Thread t = new Thread(() -> send(kubernetes), "integcov-events");
        t.setDaemon(true);
        sender = t;
        t.start();
    }

    void stop(@Observes ShutdownEvent event) {
        Thread t = sender;
        if (t != null) {
            t.interrupt();
        }
    }

    /** Queues an Event for the notice unless the same one was queued within the window; never blocks. */
    public void offer(Admission.Notice notice) {
        BlockingQueue<Admission.Notice> q = queue;
        if (q == null || notice == null) {
            return;
        }
        String key = notice.capture().getMetadata().getNamespace() + "/" + notice.capture().getMetadata().getName()
                + "/" + notice.capture().getMetadata().getUid() + "|" + notice.reason() + "|" + notice.message();
        long now = System.nanoTime();
        long window = config.events().dedupeWindow().toNanos();
        Long previous = lastSent.get(key);
        if (previous != null && now - previous < window) {
            return;
        }
        if (lastSent.size() >= MAX_REMEMBERED) {
            lastSent.values().removeIf(t -> now - t >= window);
            if (lastSent.size() >= MAX_REMEMBERED) {
                lastSent.clear();
            }
        }
        lastSent.put(key, now);
        if (!q.offer(notice)) {
            lastSent.remove(key);
            if (metrics != null) {
                metrics.eventDropped();
            }
        }
    }

    private void send(KubernetesClient kubernetes) {
        while (!Thread.currentThread().isInterrupted()) {
            Admission.Notice notice;
            try {
                notice = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            try {
                Event event = event(notice, Instant.now(), config.events().dedupeWindow());
                if (!create(kubernetes, event)) {
                    LOG.debugf("Event %s exists: another webhook replica reported it", event.getMetadata().getName());
                }
            } catch (RuntimeException e) {
                LOG.warnf("cannot create Event %s on CoverageCapture %s/%s: %s", notice.reason(),
                        notice.capture().getMetadata().getNamespace(), notice.capture().getMetadata().getName(),
                        e.getMessage());
            }
        }
    }

    /** Creates the Event; false when one of that name exists (409: another replica sent it). */
    static boolean create(KubernetesClient kubernetes, Event event) {
        try {
            kubernetes.v1().events().inNamespace(event.getMetadata().getNamespace()).resource(event).create();
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
                return false;
            }
            throw e;
        }
    }

    /**
     * The Event's name: the capture's name and a hash of what the Event says (capture uid, reason, message) and of the
     * dedupe window it falls in. Every webhook replica names the same notice in the same window alike, so the API
     * server keeps one Event and the other replicas get 409 (each replica also dedupes on its own, see {@link #offer}).
     */
    static String eventName(Admission.Notice notice, Instant now, Duration window) {
        long bucket = now.getEpochSecond() / Math.max(1, window.toSeconds());
        String what = notice.capture().getMetadata().getUid() + "|" + notice.reason() + "|" + notice.message() + "|"
                + bucket;
        String hash = HexFormat.of().formatHex(sha256(what), 0, 8);
        String prefix = notice.capture().getMetadata().getName();
        int room = MAX_NAME - 1 - hash.length();
        return (prefix.length() > room ? prefix.substring(0, room) : prefix) + "." + hash;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** A core/v1 Warning Event whose involvedObject is the CoverageCapture. */
    static Event event(Admission.Notice notice, Instant now, Duration window) {
        CoverageCapture capture = notice.capture();
        String time = DateTimeFormatter.ISO_INSTANT.format(now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        String message = notice.message().length() > MAX_MESSAGE ? notice.message().substring(0, MAX_MESSAGE - 3) + "..."
                : notice.message();
        return new EventBuilder()
                .withNewMetadata()
                .withName(eventName(notice, now, window))
                .withNamespace(capture.getMetadata().getNamespace())
                .endMetadata()
                .withNewInvolvedObject()
                .withApiVersion(capture.getApiVersion())
                .withKind(capture.getKind())
                .withName(capture.getMetadata().getName())
                .withNamespace(capture.getMetadata().getNamespace())
                .withUid(capture.getMetadata().getUid())
                .withResourceVersion(capture.getMetadata().getResourceVersion())
                .endInvolvedObject()
                .withType("Warning")
                .withReason(notice.reason())
                .withMessage(message)
                .withNewSource().withComponent(COMPONENT).endSource()
                .withReportingComponent(COMPONENT)
                .withReportingInstance(System.getenv().getOrDefault("HOSTNAME", COMPONENT))
                .withFirstTimestamp(time)
                .withLastTimestamp(time)
                .withCount(1)
                .build();
    }
}
