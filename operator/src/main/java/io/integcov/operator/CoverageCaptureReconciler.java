package io.integcov.operator;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Pod;
import io.integcov.model.CoverageCapture;
import io.integcov.model.CoverageCaptureStatus;
import io.integcov.model.DefaultStore;
import io.integcov.model.LabelSelectors;
import io.integcov.operator.status.SpecValidator;
import io.integcov.operator.status.StatusCalculator;
import io.integcov.operator.status.StatusEvents;
import io.integcov.operator.status.UploadListing;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.ResourceIDMapper;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.polling.PerResourcePollingConfigurationBuilder;
import io.javaoperatorsdk.operator.processing.event.source.polling.PerResourcePollingEventSource;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Keeps each CoverageCapture's status current and reports its changes as Events. Two event sources trigger it: pod
 * changes (an informer mapping a pod to the captures selecting it) and storage, polled per capture by a
 * {@link PerResourcePollingEventSource} (storage has no change notifications) that triggers a reconcile only when the
 * capture's committed uploads changed (and, while an injected pod that ended awaits its verdict, once per poll
 * interval). The status itself is computed by {@link StatusCalculator}, the Events by
 * {@link StatusEvents}; this class only wires them.
 */
@ControllerConfiguration(name = CoverageCaptureReconciler.NAME)
public class CoverageCaptureReconciler implements Reconciler<CoverageCapture> {
    public static final String NAME = "coveragecapture";
    static final String UPLOADS_SOURCE = "uploads";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final UploadScanner uploadScanner;
    private final CaptureEventRecorder events;
    private final OperatorConfig config;
    private final DefaultStore defaultStore;

    public CoverageCaptureReconciler(UploadScanner uploadScanner, CaptureEventRecorder events, OperatorConfig config,
            DefaultStoreConfig defaultStore) {
        this.uploadScanner = uploadScanner;
        this.events = events;
        this.config = config;
        this.defaultStore = defaultStore.store();
    }

    @Override
    public List<EventSource<?, CoverageCapture>> prepareEventSources(EventSourceContext<CoverageCapture> context) {
        var pods = InformerEventSourceConfiguration.from(Pod.class, CoverageCapture.class)
                .withSecondaryToPrimaryMapper((Pod pod) -> context.getPrimaryCache()
                        .list(pod.getMetadata().getNamespace(), capture -> selects(capture, pod))
                        .map(ResourceID::fromResource)
                        .collect(Collectors.toSet()))
                .build();
        var uploads = new PerResourcePollingConfigurationBuilder<UploadListing, CoverageCapture, String>(
                this::scanUploads, config.storagePollInterval())
                .withName(UPLOADS_SOURCE)
                .withResourceIDMapper(ResourceIDMapper.singleResourceResourceIDMapper())
                .build();
        return List.of(new InformerEventSource<>(pods, context),
                new PerResourcePollingEventSource<>(UploadListing.class, context, uploads));
    }

    /** The capture's uploads as storage has them now; nothing for a capture whose spec cannot be used. */
    private Set<UploadListing> scanUploads(CoverageCapture capture) {
        if (!SpecValidator.validate(capture.getSpec()).isEmpty() || capture.getMetadata().getUid() == null) {
            return Set.of();
        }
        return Set.of(uploadScanner.scan(defaultStore.storageOf(capture.getSpec()), capture.getMetadata().getNamespace(),
                capture.getMetadata().getName(), capture.getMetadata().getUid()));
    }

    @Override
    public UpdateControl<CoverageCapture> reconcile(CoverageCapture capture, Context<CoverageCapture> context) {
        String namespace = capture.getMetadata().getNamespace();
        boolean valid = SpecValidator.validate(capture.getSpec()).isEmpty();
        List<Pod> pods = valid ? podsIn(namespace, context) : List.of();
        UploadListing uploads = context.getSecondaryResource(UploadListing.class).orElse(null);
        CoverageCaptureStatus status = StatusCalculator.compute(capture, pods, uploads, Instant.now());

        UpdateControl<CoverageCapture> control;
        if (sameJson(status, capture.getStatus())) {
            control = UpdateControl.noUpdate();
        } else {
            StatusEvents.between(capture.getStatus(), status).forEach(event -> events.record(capture, event));
            CoverageCapture patch = new CoverageCapture();
            patch.getMetadata().setName(capture.getMetadata().getName());
            patch.getMetadata().setNamespace(namespace);
            patch.setStatus(status);
            control = UpdateControl.patchStatus(patch);
        }
        // A pod that ended is judged on a storage read that began after its end. The polling source keeps each new
        // read but triggers only when the uploads changed, so come back after the next poll while one is waiting.
        return status.getAwaitingUpload().isEmpty() ? control : control.rescheduleAfter(config.storagePollInterval());
    }

    @SuppressWarnings("unchecked")
    private static List<Pod> podsIn(String namespace, Context<CoverageCapture> context) {
        InformerEventSource<Pod, CoverageCapture> pods = (InformerEventSource<Pod, CoverageCapture>) context
                .eventSourceRetriever().getEventSourceFor(Pod.class);
        return pods.list(namespace).toList();
    }

    private static boolean selects(CoverageCapture capture, Pod pod) {
        return capture.getSpec() != null
                && LabelSelectors.validate("selector", capture.getSpec().getSelector()).isEmpty()
                && LabelSelectors.matches(capture.getSpec().getSelector(), pod.getMetadata().getLabels());
    }

    private static boolean sameJson(CoverageCaptureStatus a, CoverageCaptureStatus b) {
        return JSON.valueToTree(a).equals(JSON.valueToTree(b));
    }
}
