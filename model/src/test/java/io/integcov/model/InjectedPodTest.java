package io.integcov.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InjectedPodTest {

    private static Pod pod(Map<String, String> annotations) {
        return new PodBuilder().withNewMetadata().withName("api-0").withAnnotations(annotations).endMetadata()
                .withNewSpec().addNewContainer().withName("api").endContainer().endSpec().build();
    }

    @Test
    void whatTheWebhookWritesIsReadBackForItsCapture() {
        Pod pod = pod(InjectedPod.annotations("e2e", List.of("api", "worker"), List.of("cron")));

        assertEquals(Optional.of(new InjectedPod("api-0", List.of("api", "worker"), List.of("cron"))),
                InjectedPod.readFor(pod, "e2e"));
        assertEquals(InjectedPod.WRAP_AND_SIDECAR, InjectedPod.readFor(pod, "e2e").orElseThrow().getMode());
    }

    @Test
    void anEmptyListIsWrittenSoThatAUserValueIsReplaced() {
        Map<String, String> written = InjectedPod.annotations("e2e", List.of(), List.of("cron"));

        assertEquals(Map.of(Labels.INJECTED_ANNOTATION, "e2e", Labels.WRAPPED_ANNOTATION, "",
                Labels.SIDECAR_ANNOTATION, "cron"), written);
        assertEquals(List.of(), InjectedPod.readFor(pod(written), "e2e").orElseThrow().getWrapped());
        assertEquals(InjectedPod.SIDECAR, InjectedPod.readFor(pod(written), "e2e").orElseThrow().getMode());
    }

    @Test
    void aPodInjectedForAnotherCaptureOrNotAtAllIsNotRead() {
        assertEquals(Optional.empty(), InjectedPod.readFor(
                pod(InjectedPod.annotations("other", List.of("api"), List.of())), "e2e"));
        assertEquals(Optional.empty(), InjectedPod.readFor(pod(Map.of(Labels.WRAPPED_ANNOTATION, "api")), "e2e"));
        assertEquals(Optional.empty(), InjectedPod.readFor(
                new PodBuilder().withNewMetadata().withName("plain").endMetadata().build(), "e2e"));
    }
}
