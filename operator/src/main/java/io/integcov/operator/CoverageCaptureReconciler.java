package io.integcov.operator;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Pod;
import io.integcov.model.CoverageCapture;
import io.integcov.model.CoverageCaptureStatus;
import io.integcov.model.LabelSelectors;
import io.integcov.operator.status.SpecValidator;
import io.integcov.operator.status.StatusCalculator;
import io.integcov.operator.status.UploadListing;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Keeps each CoverageCapture's status current: spec validity, which matching pods the webhook mutated, and the uploads
 * committed to storage. Pod events trigger a reconcile of the captures selecting the pod; storage is polled.
 */
@ControllerConfiguration(name = CoverageCaptureReconciler.NAME)
public class CoverageCaptureReconciler implements Reconciler<CoverageCapture> {
    public static final String NAME = "coveragecapture";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final UploadScanner uploadScanner;
    private final OperatorConfig config;

    public CoverageCaptureReconciler(UploadScanner uploadScanner, OperatorConfig config) {
        this.uploadScanner = uploadScanner;
        this.config = config;
    }

    @Override
    public List<EventSource<?, CoverageCapture>> prepareEventSources(EventSourceContext<CoverageCapture> context) {
        var pods = InformerEventSourceConfiguration.from(Pod.class, CoverageCapture.class)
                .withSecondaryToPrimaryMapper((Pod pod) -> context.getPrimaryCache()
                        .list(pod.getMetadata().getNamespace(), capture -> selects(capture, pod))
                        .map(ResourceID::fromResource)
                        .collect(Collectors.toSet()))
                .build();
        return List.of(new InformerEventSource<>(pods, context));
    }

    @Override
    public UpdateControl<CoverageCapture> reconcile(CoverageCapture capture, Context<CoverageCapture> context) {
        String namespace = capture.getMetadata().getNamespace();
        boolean valid = SpecValidator.validate(capture.getSpec()).isEmpty();
        List<Pod> pods = valid ? podsIn(namespace, context) : List.of();
        UploadListing uploads = valid ? uploadScanner.scan(capture.getSpec().getStorage().getUrl(), namespace)
                : UploadListing.of(List.of());
        CoverageCaptureStatus status = StatusCalculator.compute(capture, pods, uploads, Instant.now());

        UpdateControl<CoverageCapture> control;
        if (sameJson(status, capture.getStatus())) {
            control = UpdateControl.noUpdate();
        } else {
            CoverageCapture patch = new CoverageCapture();
            patch.getMetadata().setName(capture.getMetadata().getName());
            patch.getMetadata().setNamespace(namespace);
            patch.setStatus(status);
            control = UpdateControl.patchStatus(patch);
        }
        return control.rescheduleAfter(config.resyncInterval());
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
