package io.integcov.webhook;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** CDI wiring of the pure parts. */
public class Producers {
    @Produces
    @Singleton
    PodMutator podMutator(WebhookConfig config) {
        return new PodMutator(new PodMutator.Settings(config.agentImage(), config.agentBinary(),
                config.agentResources().requests(), config.agentResources().limits()));
    }

    @Produces
    @Singleton
    Admission admission(PodMutator mutator, CaptureCache cache) {
        return new Admission(mutator, cache);
    }
}
