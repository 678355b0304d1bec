package io.integcov.operator;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.integcov.model.CoverageCapture;
import io.integcov.operator.status.StatusEvents;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.jboss.logging.Logger;

/**
 * Posts core/v1 Events on a CoverageCapture, so that {@code kubectl describe covcap} and {@code kubectl get events}
 * show what happened. An Event that cannot be posted is logged: it never fails a reconcile.
 */
@ApplicationScoped
public class CaptureEventRecorder {
    static final String COMPONENT = "integcov-operator";
    /** The API server rejects longer Event messages. */
    private static final int MAX_MESSAGE = 1024;
    private static final Logger LOG = Logger.getLogger(CaptureEventRecorder.class);

    private final KubernetesClient client;

    public CaptureEventRecorder(KubernetesClient client) {
        this.client = client;
    }

    public void record(CoverageCapture capture, StatusEvents.Event event) {
        String namespace = capture.getMetadata().getNamespace();
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        String message = event.message() == null ? "" : event.message();
        Event posted = new EventBuilder()
                .withNewMetadata().withGenerateName(capture.getMetadata().getName() + ".").withNamespace(namespace)
                .endMetadata()
                .withInvolvedObject(new ObjectReferenceBuilder()
                        .withApiVersion(capture.getApiVersion())
                        .withKind(capture.getKind())
                        .withNamespace(namespace)
                        .withName(capture.getMetadata().getName())
                        .withUid(capture.getMetadata().getUid())
                        .withResourceVersion(capture.getMetadata().getResourceVersion())
                        .build())
                .withType(event.type())
                .withReason(event.reason())
                .withMessage(message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE - 3) + "..." : message)
                .withFirstTimestamp(now)
                .withLastTimestamp(now)
                .withCount(1)
                .withNewSource().withComponent(COMPONENT).endSource()
                .withReportingComponent(COMPONENT)
                .build();
        try {
            client.v1().events().inNamespace(namespace).resource(posted).create();
        } catch (RuntimeException e) {
            LOG.warnf("cannot post Event %s on CoverageCapture %s/%s: %s", event.reason(), namespace,
                    capture.getMetadata().getName(), e.getMessage());
        }
    }
}
