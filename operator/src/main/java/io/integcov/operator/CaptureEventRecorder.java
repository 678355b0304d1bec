package io.integcov.operator;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.integcov.model.CaptureEvents;
import io.integcov.model.CoverageCapture;
import io.integcov.operator.status.StatusEvents;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * Posts core/v1 Events on a CoverageCapture, so that {@code kubectl describe covcap} and {@code kubectl get events}
 * show what happened; a repeat raises the count of the Event that says the same ({@link CaptureEvents}). An Event that
 * cannot be posted is logged: it never fails a reconcile.
 */
@ApplicationScoped
public class CaptureEventRecorder {
    static final String COMPONENT = "integcov-operator";
    private static final Logger LOG = Logger.getLogger(CaptureEventRecorder.class);

    private final KubernetesClient client;

    public CaptureEventRecorder(KubernetesClient client) {
        this.client = client;
    }

    public void record(CoverageCapture capture, StatusEvents.Event event) {
        Event posted = CaptureEvents.build(capture, COMPONENT, event.type(), event.reason(), event.message(),
                Instant.now());
        try {
            CaptureEvents.post(client, posted);
        } catch (RuntimeException e) {
            LOG.warnf("cannot post Event %s on CoverageCapture %s/%s: %s", event.reason(),
                    capture.getMetadata().getNamespace(), capture.getMetadata().getName(), e.getMessage());
        }
    }
}
