package io.integcov.cli.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CaptureWatcherTest {

    @Test
    void wrappedContainersAndThoseTheSidecarServesAreExpectedToUpload() {
        Pod pod = new PodBuilder().withNewMetadata().withName("api-0").endMetadata().withNewSpec()
                .addNewInitContainer().withName("integcov-install")
                .withCommand("/integcov-agent", "install", "/var/run/integcov/bin").endInitContainer()
                .addNewInitContainer().withName("integcov-agent")
                .withCommand("/integcov-agent", "sidecar", "worker", "cron").endInitContainer()
                .addNewContainer().withName("api").addNewEnv().withName("INTEGCOV_CONTAINER").withValue("api").endEnv()
                .endContainer()
                .addNewContainer().withName("worker").addNewEnv().withName("GOCOVERDIR").withValue("/c/worker").endEnv()
                .endContainer()
                .addNewContainer().withName("cron").endContainer()
                .addNewContainer().withName("envoy").endContainer()
                .endSpec().build();

        assertEquals(Set.of("api", "worker", "cron"), CaptureWatcher.injectedContainers(pod));
    }

    @Test
    void aPodWithoutIntegcovExpectsNothing() {
        Pod pod = new PodBuilder().withNewMetadata().withName("plain").endMetadata().withNewSpec()
                .addNewInitContainer().withName("setup").withCommand("sh", "-c", "sidecar").endInitContainer()
                .addNewContainer().withName("app").endContainer().endSpec().build();

        assertEquals(Set.of(), CaptureWatcher.injectedContainers(pod));
    }
}
