package io.integcov.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.integcov.model.CaptureEvents;
import io.integcov.model.CoverageCaptureSpec;
import io.integcov.model.StorageSpec;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The same notice, from two webhook replicas or again later, is one Event whose count grows. */
@EnableKubernetesMockClient(crud = true)
class AdmissionEventsTest {
    static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

    KubernetesClient client;

    static Admission.Notice notice(String captureName, String reason, String message) {
        CoverageCaptureSpec spec = new CoverageCaptureSpec();
        spec.setStorage(new StorageSpec("file:///cov"));
        return new Admission.Notice(Fixtures.capture("team", captureName, spec), reason, "win-*", message);
    }

    private static String name(Admission.Notice n) {
        return AdmissionEvents.event(n, T0).getMetadata().getName();
    }

    @Test
    void theSameNoticeIsOneEventWhoseCountAndLastTimestampFollowTheRepeats() {
        Admission.Notice n = notice("cov", "NotLinux", "pod win-*: not injected (app:os)");
        Event fromReplicaA = AdmissionEvents.event(n, T0);
        Event fromReplicaB = AdmissionEvents.event(n, T0.plusSeconds(30));
        Event later = AdmissionEvents.event(n, T0.plusSeconds(3600));
        assertEquals(fromReplicaA.getMetadata().getName(), later.getMetadata().getName());

        assertEquals(1, CaptureEvents.post(client, fromReplicaA));
        assertEquals(2, CaptureEvents.post(client, fromReplicaB));
        assertEquals(3, CaptureEvents.post(client, later));

        List<Event> events = client.v1().events().inNamespace("team").list().getItems();
        assertEquals(1, events.size());
        assertEquals(3, events.get(0).getCount());
        assertEquals("2026-11-26T10:00:00Z", events.get(0).getFirstTimestamp());
        assertEquals("2026-11-26T11:00:00Z", events.get(0).getLastTimestamp());
    }

    @Test
    void anotherMessageReasonOrCaptureIsAnotherEvent() {
        String base = name(notice("cov", "NotLinux", "m"));
        assertNotEquals(base, name(notice("cov", "NotLinux", "other")));
        assertNotEquals(base, name(notice("cov", "Collision", "m")));
        assertNotEquals(base, name(notice("cov2", "NotLinux", "m")));
    }

    @Test
    void theNameIsAValidObjectNameForTheLongestCaptureName() {
        String name = name(notice("c".repeat(253), "NotLinux", "m"));
        assertTrue(name.length() <= 253, name.length() + " characters");
        assertTrue(name.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?"), name);
    }
}
