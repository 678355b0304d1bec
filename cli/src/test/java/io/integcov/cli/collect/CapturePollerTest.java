package io.integcov.cli.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.integcov.model.InjectedPod;
import io.integcov.model.Labels;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What {@code collect --wait} still waits for, against fabric8's mock API server in CRUD mode. */
@EnableKubernetesMockClient(crud = true)
class CapturePollerTest {
    KubernetesClient client;

    private void create(String name, String phase, Map<String, String> annotations, Pod spec) {
        client.pods().inNamespace("shop").resource(new PodBuilder(spec).withNewMetadata().withName(name)
                .withNamespace("shop").withAnnotations(annotations).endMetadata().withNewStatus().withPhase(phase)
                .endStatus().build()).create();
    }

    private static Pod containers(String... names) {
        PodBuilder builder = new PodBuilder();
        var spec = builder.withNewSpec();
        for (String name : names) {
            spec.addNewContainer().withName(name).endContainer();
        }
        return spec.endSpec().build();
    }

    @Test
    void wrappedContainersAndThoseTheSidecarServesAreExpectedToUpload() {
        create("api-0", "Succeeded", InjectedPod.annotations("e2e", List.of("api"), List.of("worker", "cron")),
                containers("api", "worker", "cron", "envoy"));

        assertEquals(List.of("no upload manifest yet for pod api-0 container cron",
                "no upload manifest yet for pod api-0 container worker"),
                new CapturePoller(client, "shop", "e2e").pending(Set.of("api-0/api")));
        assertEquals(List.of(), new CapturePoller(client, "shop", "e2e")
                .pending(Set.of("api-0/api", "api-0/worker", "api-0/cron")));
    }

    @Test
    void aContainerWhereTheUserSetsIntegcovContainerThemselvesIsNotWaitedFor() {
        Pod pod = new PodBuilder().withNewSpec().addNewContainer().withName("api").endContainer()
                .addNewContainer().withName("tool").addNewEnv().withName(Labels.ENV_CONTAINER).withValue("tool")
                .endEnv().endContainer().endSpec().build();
        create("api-0", "Succeeded", InjectedPod.annotations("e2e", List.of("api"), List.of()), pod);

        assertEquals(List.of(), new CapturePoller(client, "shop", "e2e").pending(Set.of("api-0/api")));
    }

    @Test
    void podsOfOtherCapturesOrWithoutIntegcovAreNotWaitedFor() {
        create("other-0", "Running", InjectedPod.annotations("nightly", List.of("app"), List.of()), containers("app"));
        create("plain-0", "Running", Map.of(), containers("app"));
        create("api-0", "Running", InjectedPod.annotations("e2e", List.of("app"), List.of()), containers("app"));

        assertEquals(List.of("pod api-0 is still running"),
                new CapturePoller(client, "shop", "e2e").pending(Set.of()));
    }
}
