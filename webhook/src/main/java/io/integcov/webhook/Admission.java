package io.integcov.webhook;

import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.integcov.model.CoverageCapture;
import io.integcov.model.Labels;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Turns an AdmissionReview v1 request (a Jackson tree; the pod is never bound to the fabric8 model) into its response:
 * only Pod CREATE requests are mutated, with the JSONPatch {@link PodMutator} writes down. No I/O besides the
 * {@link CaptureLookup} cache; what should become an Event on the CoverageCapture is returned as a {@link Notice}
 * (never for a dry run).
 */
public class Admission {
    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Logger LOG = Logger.getLogger(Admission.class);

    /** How a review was answered (the label of the admissions metric). */
    public enum Outcome {
        /** At least one container wrapped or served by the sidecar. */
        injected,
        /** A CoverageCapture selected the pod but no container was wrapped (no command, other OS, collision). */
        skipped,
        /** No CoverageCapture selects the pod. */
        unmatched,
        /** Not a Pod CREATE, opted out, or already injected. */
        ignored,
        /** Admitted unchanged because the request is too large to mutate safely. */
        too_large,
        /** Admitted unchanged because of an error (fail open). */
        error,
        /** Not an AdmissionReview (HTTP 400). */
        invalid,
        /** A warm-up review the webhook sent itself ({@link HttpsWarmup}): not in the latency histogram. */
        warmup
    }

    /** A skipped or collided pod, to be reported as an Event on its CoverageCapture. */
    public record Notice(CoverageCapture capture, String reason, String pod, String message) {
    }

    /**
     * The answer to one review: what goes into the AdmissionReview response (the patch is null when nothing changes),
     * its outcome and what to report (null when nothing). The response is streamed by {@link #writeTo}; no tree of it
     * is built per request.
     */
    public record Answer(String apiVersion, String uid, ArrayNode patch, List<String> warnings, Outcome outcome,
            Notice notice) {
        /** The AdmissionReview response as JSON: allowed, the base64 JSONPatch, warnings. */
        public void writeTo(OutputStream out) throws IOException {
            // the patch first: a generator opened inside another on the same thread cannot reuse Jackson's buffers
            byte[] json = patch == null ? null : MAPPER.writeValueAsBytes(patch);
            try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
                g.writeStartObject();
                g.writeStringField("apiVersion",
                        apiVersion.startsWith("admission.k8s.io/") ? apiVersion : "admission.k8s.io/v1");
                g.writeStringField("kind", "AdmissionReview");
                g.writeObjectFieldStart("response");
                g.writeStringField("uid", uid);
                g.writeBooleanField("allowed", true);
                if (json != null) {
                    g.writeStringField("patchType", "JSONPatch");
                    g.writeFieldName("patch");
                    // base64 with padding and no line breaks, as the API server expects
                    g.writeBinary(Base64Variants.MIME_NO_LINEFEEDS, json, 0, json.length);
                }
                if (!warnings.isEmpty()) {
                    g.writeArrayFieldStart("warnings");
                    for (String w : warnings) {
                        g.writeString(w);
                    }
                    g.writeEndArray();
                }
                g.writeEndObject();
                g.writeEndObject();
            }
        }

        public byte[] bytes() {
            ByteArrayOutputStream out = new ByteArrayOutputStream(512);
            try {
                writeTo(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e); // cannot happen in memory
            }
            return out.toByteArray();
        }

        /** The response read back as a tree (for tests). */
        public JsonNode response() {
            try {
                return MAPPER.readTree(bytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private final PodMutator mutator;
    private final CaptureLookup captures;

    public Admission(PodMutator mutator, CaptureLookup captures) {
        this.mutator = mutator;
        this.captures = captures;
    }

    /** The request uid, or null when the body has none (then there is nothing to answer to). */
    public static String uid(JsonNode review) {
        JsonNode uid = review == null ? null : review.path("request").path("uid");
        return uid != null && uid.isTextual() && !uid.asText().isBlank() ? uid.asText() : null;
    }

    /** Answers a review whose {@link #uid} is known. Throws on malformed content; see {@link #failOpen}. */
    public Answer review(JsonNode review) {
        JsonNode request = review.path("request");
        String uid = uid(review);
        String apiVersion = review.path("apiVersion").asText("");
        JsonNode kind = request.path("kind");
        boolean isPod = "Pod".equals(kind.path("kind").asText()) && kind.path("group").asText("").isEmpty();
        JsonNode pod = request.path("object");
        if (!isPod || !"CREATE".equals(request.path("operation").asText()) || !request.path("subResource").asText("")
                .isEmpty()) {
            return new Answer(apiVersion, uid, null, List.of(), Outcome.ignored, null);
        }
        if (!pod.isObject()) {
            throw new IllegalArgumentException("request.object is not a Pod object");
        }
        if (!pod.path("spec").path("containers").isArray()) {
            throw new IllegalArgumentException("pod has no spec.containers list");
        }
        JsonNode metadata = pod.path("metadata");
        if (Labels.INJECT_DISABLED.equals(metadata.path("labels").path(Labels.INJECT_LABEL).asText(null))
                || metadata.path("annotations").has(Labels.INJECTED_ANNOTATION)) {
            // opted out, or already injected (reinvocation)
            return new Answer(apiVersion, uid, null, List.of(), Outcome.ignored, null);
        }
        String namespace = request.path("namespace").asText("");
        if (namespace.isEmpty()) {
            namespace = metadata.path("namespace").asText("");
        }
        boolean warmup = HttpsWarmup.NAMESPACE.equals(namespace);
        List<String> warnings = new ArrayList<>();
        CaptureSelector.Choice choice = CaptureSelector.choose(metadata,
                warmup ? List.of(HttpsWarmup.CAPTURE) : captures.inNamespace(namespace));
        warnings.addAll(choice.warnings());
        if (choice.capture() == null) {
            if (!captures.synced()) {
                warnings.add("integcov: CoverageCapture cache not synced yet; pod not injected");
            }
            return new Answer(apiVersion, uid, null, warnings, Outcome.unmatched, null);
        }
        PodMutator.Result result = mutator.mutate(pod, choice.capture());
        warnings.addAll(result.warnings());
        String podName = podName(metadata);
        if (LOG.isDebugEnabled()) {
            LOG.debugf("pod %s/%s: CoverageCapture %s, wrapped %s, sidecar for %s, skipped %s", namespace, podName,
                    choice.capture().getMetadata().getName(), result.wrapped(), result.sidecar(), result.skipped());
        }
        Notice notice = null;
        // a dry run (kubectl --dry-run=server) gets the same answer but leaves no trace: the configuration declares
        // sideEffects NoneOnDryRun
        if (!result.skipped().isEmpty() && !isDryRun(request) && !warmup) {
            notice = new Notice(choice.capture(), reason(result), podName,
                    "pod " + podName + (!result.injected() ? ": not injected" : ": partly injected")
                            + " (" + String.join(",", result.skipped()) + "): " + String.join("; ",
                                    result.warnings().stream().map(w -> w.replaceFirst("^integcov: ", "")).toList()));
        }
        ArrayNode patch = result.patch();
        return new Answer(apiVersion, uid, patch.isEmpty() ? null : patch, warnings,
                warmup ? Outcome.warmup : result.injected() ? Outcome.injected : Outcome.skipped, notice);
    }

    /** Whether the request is a dry run ({@code request.dryRun: true}): nothing may be persisted for it. */
    static boolean isDryRun(JsonNode request) {
        return request.path("dryRun").asBoolean(false);
    }

    /** The Event reason for the first skip: NotLinux, Collision, OwnGoCoverDir, NoNativeSidecar or NoCommand. */
    static String reason(PodMutator.Result result) {
        String first = result.skipped().get(0);
        String why = first.substring(first.indexOf(':') + 1);
        if (why.equals(PodMutator.SKIP_OS)) {
            return "NotLinux";
        }
        if (why.equals(PodMutator.SKIP_OWN_COVERDIR)) {
            return "OwnGoCoverDir";
        }
        if (why.equals(PodMutator.SKIP_NO_NATIVE_SIDECAR)) {
            return "NoNativeSidecar";
        }
        return why.startsWith(PodMutator.SKIP_COLLISION) ? "Collision" : "NoCommand";
    }

    /** The pod's name, or its generateName followed by {@code *} (controller-made pods have no name yet). */
    static String podName(JsonNode metadata) {
        String name = metadata.path("name").asText("");
        return !name.isEmpty() ? name : metadata.path("generateName").asText("") + "*";
    }

    /** allowed=true with a warning: the pod must never be blocked because of integcov. */
    public static Answer failOpen(JsonNode review, String uid, Throwable e) {
        String message = e instanceof JsonProcessingException j ? j.getOriginalMessage() : String.valueOf(e.getMessage());
        message = message.lines().findFirst().orElse("").strip(); // a warning must be one printable line
        if (message.length() > 160) {
            message = message.substring(0, 160) + "...";
        }
        return new Answer(review == null ? "" : review.path("apiVersion").asText(""), uid, null, List.of(
                "integcov: pod not injected because of an error in the webhook: " + e.getClass().getSimpleName() + ": "
                        + message), Outcome.error, null);
    }

    /**
     * Admits a review that is too large to mutate safely, unchanged, without building its tree: only {@code apiVersion}
     * and {@code request.uid} are read with a streaming parser. Null when the body has no uid.
     */
    public static Answer tooLarge(InputStream body, long size, long limit) throws IOException {
        String apiVersion = "";
        String uid = null;
        try (JsonParser p = new JsonFactory().createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("apiVersion") && value == JsonToken.VALUE_STRING) {
                    apiVersion = p.getText();
                } else if (field.equals("request") && value == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String inner = p.currentName();
                        JsonToken v = p.nextToken();
                        if (inner.equals("uid") && v == JsonToken.VALUE_STRING) {
                            uid = p.getText();
                        } else {
                            p.skipChildren();
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
        }
        if (uid == null || uid.isBlank()) {
            return null;
        }
        return new Answer(apiVersion, uid, null, List.of("integcov: pod not injected: the AdmissionReview is "
                + size + " bytes, above the " + limit + " bytes integcov mutates (integcov.max-review-bytes)"),
                Outcome.too_large, null);
    }

    static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
