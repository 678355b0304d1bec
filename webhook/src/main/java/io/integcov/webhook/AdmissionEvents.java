package io.integcov.webhook;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.integcov.model.CaptureEvents;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.time.Instant;
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
 * one daemon thread posts the Events with {@link CaptureEvents}, which names an Event after what it says, so repeats
 * (from this replica after the window, or from another replica) raise the count of one Event.
 */
@ApplicationScoped
public class AdmissionEvents {
    private static final Logger LOG = Logger.getLogger(AdmissionEvents.class);
    static final String COMPONENT = "integcov-webhook";
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
                Event event = event(notice, Instant.now());
                int count = CaptureEvents.post(kubernetes, event);
                LOG.debugf("Event %s posted (count %d)", event.getMetadata().getName(), count);
            } catch (RuntimeException e) {
                LOG.warnf("cannot create Event %s on CoverageCapture %s/%s: %s", notice.reason(),
                        notice.capture().getMetadata().getNamespace(), notice.capture().getMetadata().getName(),
                        e.getMessage());
            }
        }
    }

    /** The Warning Event for the notice (count 1; {@link CaptureEvents#post} aggregates repeats). */
    static Event event(Admission.Notice notice, Instant now) {
        return CaptureEvents.build(notice.capture(), COMPONENT, "Warning", notice.reason(), notice.message(), now);
    }
}
