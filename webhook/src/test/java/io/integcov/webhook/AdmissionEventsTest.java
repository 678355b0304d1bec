package io.integcov.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.integcov.model.CoverageCaptureSpec;
import io.integcov.model.StorageSpec;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Events of two webhook replicas for the same notice are one Event on the API server. */
@EnableKubernetesMockClient(crud = true)
class AdmissionEventsTest {
    static final Duration WINDOW = Duration.ofMinutes(10);
    static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

    KubernetesClient client;

    static Admission.Notice notice(String captureName, String reason, String message) {
        CoverageCaptureSpec spec = new CoverageCaptureSpec();
        spec.setStorage(new StorageSpec("file:///cov"));
        return new Admission.Notice(Fixtures.capture("team", captureName, spec), reason, "win-*", message);
    }

    @Test
    void theSameNoticeInOneWindowHasOneNameAndOnlyItsFirstCreateSucceeds() {
        Admission.Notice n = notice("cov", "NotLinux", "pod win-*: not injected (app:os)");
        Event fromReplicaA = AdmissionEvents.event(n, T0, WINDOW);
        Event fromReplicaB = AdmissionEvents.event(n, T0.plusSeconds(30), WINDOW);
        assertEquals(fromReplicaA.getMetadata().getName(), fromReplicaB.getMetadata().getName());

        assertTrue(AdmissionEvents.create(client, fromReplicaA), "the first replica creates the Event");
        assertFalse(AdmissionEvents.create(client, fromReplicaB), "the second gets 409 and creates nothing");
        assertEquals(1, client.v1().events().inNamespace("team").list().getItems().size());
    }

    @Test
    void anotherMessageReasonCaptureOrWindowIsAnotherEvent() {
        String base = AdmissionEvents.eventName(notice("cov", "NotLinux", "m"), T0, WINDOW);
        assertNotEquals(base, AdmissionEvents.eventName(notice("cov", "NotLinux", "other"), T0, WINDOW));
        assertNotEquals(base, AdmissionEvents.eventName(notice("cov", "Collision", "m"), T0, WINDOW));
        assertNotEquals(base, AdmissionEvents.eventName(notice("cov2", "NotLinux", "m"), T0, WINDOW));
        assertNotEquals(base, AdmissionEvents.eventName(notice("cov", "NotLinux", "m"), T0.plus(WINDOW), WINDOW));
    }

    @Test
    void theNameIsAValidObjectNameForTheLongestCaptureName() {
        String name = AdmissionEvents.eventName(notice("c".repeat(253), "NotLinux", "m"), T0, WINDOW);
        assertTrue(name.length() <= 253, name.length() + " characters");
        assertTrue(name.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?"), name);
    }
}
