package io.integcov.model;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;

/**
 * The core/v1 Events the webhook and the operator post on a CoverageCapture, built and posted one way: an Event is
 * named after the capture and a hash of what it says (capture uid, type, reason, message), so a repeat (another pod
 * of a ReplicaSet, another webhook replica, the next reconcile) finds the Event of that name and raises its
 * {@code count} and {@code lastTimestamp} instead of adding one more Event, which is how {@code kubectl describe}
 * shows "x5 over 3m".
 */
public final class CaptureEvents {
    /** The API server rejects longer Event messages. */
    public static final int MAX_MESSAGE = 1024;
    /** Object names are DNS subdomains: at most 253 characters. */
    public static final int MAX_NAME = 253;

    private CaptureEvents() {
    }

    /** The Event's name: the capture's name, a dot and 16 hex digits of the hash of what the Event says. */
    public static String name(CoverageCapture capture, String type, String reason, String message) {
        String what = capture.getMetadata().getUid() + "|" + type + "|" + reason + "|" + message;
        String hash = HexFormat.of().formatHex(sha256(what), 0, 8);
        String prefix = capture.getMetadata().getName();
        int room = MAX_NAME - 1 - hash.length();
        return (prefix.length() > room ? prefix.substring(0, room) : prefix) + "." + hash;
    }

    /** A first occurrence (count 1) of an Event whose involvedObject is the capture. */
    public static Event build(CoverageCapture capture, String component, String type, String reason, String message,
            Instant now) {
        String text = message == null ? "" : message;
        String time = now.truncatedTo(ChronoUnit.SECONDS).toString();
        return new EventBuilder()
                .withNewMetadata()
                .withName(name(capture, type, reason, text))
                .withNamespace(capture.getMetadata().getNamespace())
                .endMetadata()
                .withNewInvolvedObject()
                .withApiVersion(capture.getApiVersion())
                .withKind(capture.getKind())
                .withName(capture.getMetadata().getName())
                .withNamespace(capture.getMetadata().getNamespace())
                .withUid(capture.getMetadata().getUid())
                .withResourceVersion(capture.getMetadata().getResourceVersion())
                .endInvolvedObject()
                .withType(type)
                .withReason(reason)
                .withMessage(text.length() > MAX_MESSAGE ? text.substring(0, MAX_MESSAGE - 3) + "..." : text)
                .withNewSource().withComponent(component).endSource()
                .withReportingComponent(component)
                .withReportingInstance(System.getenv().getOrDefault("HOSTNAME", component))
                .withFirstTimestamp(time)
                .withLastTimestamp(time)
                .withCount(1)
                .build();
    }

    /**
     * Creates the Event or, when one of its name exists (409), adds one to its count and moves its lastTimestamp to
     * this occurrence's. Returns the count the Event has now.
     */
    public static int post(KubernetesClient client, Event event) {
        var events = client.v1().events().inNamespace(event.getMetadata().getNamespace());
        try {
            events.resource(event).create();
            return 1;
        } catch (KubernetesClientException e) {
            if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                throw e;
            }
        }
        Event updated = events.withName(event.getMetadata().getName()).edit(existing -> new EventBuilder(existing)
                .withCount(existing.getCount() == null ? 2 : existing.getCount() + 1)
                .withLastTimestamp(event.getLastTimestamp())
                .build());
        return updated.getCount();
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
