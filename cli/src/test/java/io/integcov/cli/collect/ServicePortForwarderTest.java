package io.integcov.cli.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which pod behind the store's Service is forwarded to, and which of its ports. */
class ServicePortForwarderTest {

    @Test
    void forwardsToTheNewestReadyRunningPodNeverToOneBeingDeletedOrNotReady() {
        Pod old = pod("store-old", "2026-01-01T00:00:00Z", "Running", "True", true);
        Pod pending = pod("store-pending", "2026-01-03T00:00:00Z", "Pending", "False", false);
        Pod notReady = pod("store-starting", "2026-01-04T00:00:00Z", "Running", "False", false);
        Pod current = pod("store-current", "2026-01-02T00:00:00Z", "Running", "True", false);
        assertEquals("store-current", ServicePortForwarder.readyPod(List.of(old, pending, notReady, current))
                .getMetadata().getName());
        assertNull(ServicePortForwarder.readyPod(List.of(old, pending, notReady)), "none ready");
    }

    @Test
    void targetPortIsANumberANamedContainerPortOrTheServicePort() throws IOException {
        Pod pod = pod("store", "2026-01-01T00:00:00Z", "Running", "True", false);
        assertEquals(4443, ServicePortForwarder.targetPort(port(80, new IntOrString("http")), pod));
        assertEquals(9000, ServicePortForwarder.targetPort(port(80, new IntOrString(9000)), pod));
        assertEquals(4443, ServicePortForwarder.targetPort(new ServicePortBuilder().withPort(4443).build(), pod));
        IOException e = assertThrows(IOException.class,
                () -> ServicePortForwarder.targetPort(port(80, new IntOrString("grpc")), pod));
        assertEquals("pod store has no port named grpc", e.getMessage());
    }

    private static ServicePort port(int port, IntOrString target) {
        return new ServicePortBuilder().withPort(port).withTargetPort(target).build();
    }

    private static Pod pod(String name, String created, String phase, String ready, boolean deleting) {
        return new PodBuilder()
                .withNewMetadata().withName(name).withCreationTimestamp(created)
                .withDeletionTimestamp(deleting ? "2026-01-05T00:00:00Z" : null).endMetadata()
                .withNewSpec().addNewContainer().withName("store").addNewPort().withName("http").withContainerPort(4443)
                .endPort().endContainer().endSpec()
                .withNewStatus().withPhase(phase).addNewCondition().withType("Ready").withStatus(ready).endCondition()
                .endStatus()
                .build();
    }
}
