package io.integcov.webhook;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.integcov.model.DefaultStore;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** CDI wiring of the pure parts. */
public class Producers {
    @Produces
    @Singleton
    PodMutator podMutator(WebhookConfig config, Instance<KubernetesClient> client) {
        boolean nativeSidecars = NativeSidecars.available(config.nativeSidecars(),
                () -> client.get().getKubernetesVersion());
        return new PodMutator(new PodMutator.Settings(config.agentImage(), config.agentBinary(),
                config.agentResources().requests(), config.agentResources().limits(), nativeSidecars,
                new DefaultStore(config.defaultStore().url(), config.defaultStore().emulatorHost())));
    }

    @Produces
    @Singleton
    Admission admission(PodMutator mutator, CaptureCache cache) {
        return new Admission(mutator, cache);
    }
}
