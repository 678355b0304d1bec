package io.integcov.webhook;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.integcov.model.CoverageCapture;
import io.integcov.model.CoverageCaptureSpec;
import io.integcov.model.StorageSpec;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Admits a synthetic pod at startup so that class loading and Jackson set-up do not land on the first real admission
 * (the API server gives the webhook only timeoutSeconds).
 */
@ApplicationScoped
public class Warmup {
    private static final Logger LOG = Logger.getLogger(Warmup.class);

    @Inject
    PodMutator mutator;

    void warm(@Observes StartupEvent event) {
        try {
            CoverageCaptureSpec spec = new CoverageCaptureSpec();
            spec.setStorage(new StorageSpec("file:///warmup"));
            CoverageCapture capture = new CoverageCapture("warmup", "warmup", spec);
            ObjectNode review = Admission.MAPPER.createObjectNode();
            ObjectNode request = review.put("apiVersion", "admission.k8s.io/v1").putObject("request");
            request.put("uid", "warmup").put("namespace", "warmup").put("operation", "CREATE");
            request.putObject("kind").put("kind", "Pod");
            ObjectNode pod = request.putObject("object");
            pod.putObject("metadata").put("name", "warmup").put("namespace", "warmup");
            pod.putObject("spec").putArray("containers").addObject().put("name", "app").put("image", "app")
                    .putArray("command").add("/app");
            CaptureLookup lookup = new CaptureLookup() {
                @Override
                public List<CoverageCapture> inNamespace(String namespace) {
                    return List.of(capture);
                }

                @Override
                public boolean synced() {
                    return true;
                }
            };
            String answer = Admission.utf8(new Admission(mutator, lookup).review(review).bytes());
            if (!answer.contains("\"patch\"")) {
                LOG.warnf("warm-up admission gave no patch: %s", answer);
            }
        } catch (Exception e) {
            LOG.warn("warm-up admission failed", e);
        }
    }
}
