package io.integcov.webhook;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * Admits a synthetic pod in-process at startup so that class loading and Jackson set-up do not land on the first real
 * admission (the API server gives the webhook only timeoutSeconds). The review is {@link HttpsWarmup}'s: a dry run in
 * its reserved namespace, matched by its built-in capture, so it needs no CoverageCapture and leaves no trace.
 */
@ApplicationScoped
public class Warmup {
    private static final Logger LOG = Logger.getLogger(Warmup.class);

    @Inject
    Admission admission;

    void warm(@Observes StartupEvent event) {
        try {
            String answer = Admission.utf8(admission.review(HttpsWarmup.review("warmup")).bytes());
            if (!answer.contains("\"patch\"")) {
                LOG.warnf("warm-up admission gave no patch: %s", answer);
            }
        } catch (Exception e) {
            LOG.warn("warm-up admission failed", e);
        }
    }
}
