package io.integcov.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.zjsonpatch.DiffFlags;
import io.fabric8.zjsonpatch.JsonDiff;
import io.integcov.model.Labels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Turns an AdmissionReview v1 request into its response: only Pod CREATE requests are mutated; the JSONPatch is the
 * diff between the pod as parsed and the pod as mutated. No I/O besides the {@link CaptureLookup} cache.
 */
public class Admission {
    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Logger LOG = Logger.getLogger(Admission.class);
    private static final EnumSet<DiffFlags> DIFF_FLAGS = EnumSet.of(DiffFlags.OMIT_VALUE_ON_REMOVE,
            DiffFlags.OMIT_MOVE_OPERATION, DiffFlags.OMIT_COPY_OPERATION);

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
    public ObjectNode review(JsonNode review) throws Exception {
        JsonNode request = review.path("request");
        String uid = uid(review);
        JsonNode kind = request.path("kind");
        boolean isPod = "Pod".equals(kind.path("kind").asText()) && kind.path("group").asText("").isEmpty();
        JsonNode object = request.path("object");
        if (!isPod || !"CREATE".equals(request.path("operation").asText()) || !request.path("subResource").asText("")
                .isEmpty()) {
            return response(review, uid, null, List.of());
        }
        if (!object.isObject()) {
            throw new IllegalArgumentException("request.object is not a Pod object");
        }
        Pod pod = MAPPER.treeToValue(object, Pod.class);
        if (pod.getSpec() == null || pod.getSpec().getContainers() == null) {
            throw new IllegalArgumentException("pod has no spec.containers");
        }
        Map<String, String> labels = pod.getMetadata().getLabels();
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        if (labels != null && Labels.INJECT_DISABLED.equals(labels.get(Labels.INJECT_LABEL))
                || annotations != null && annotations.containsKey(Labels.INJECTED_ANNOTATION)) {
            return response(review, uid, null, List.of()); // opted out, or already injected (reinvocation)
        }
        String namespace = request.path("namespace").asText("");
        if (namespace.isEmpty()) {
            namespace = pod.getMetadata().getNamespace();
        }
        List<String> warnings = new ArrayList<>();
        CaptureSelector.Choice choice = CaptureSelector.choose(pod, captures.inNamespace(namespace));
        warnings.addAll(choice.warnings());
        if (choice.capture() == null) {
            if (!captures.synced()) {
                warnings.add("integcov: CoverageCapture cache not synced yet; pod not injected");
            }
            return response(review, uid, null, warnings);
        }
        PodMutator.Result result = mutator.mutate(pod, choice.capture());
        warnings.addAll(result.warnings());
        LOG.infof("pod %s/%s: CoverageCapture %s, wrapped %s, skipped %s", namespace, podName(pod),
                choice.capture().getMetadata().getName(), result.wrapped(), result.skipped());
        JsonNode patch = JsonDiff.asJson(MAPPER.valueToTree(pod), MAPPER.valueToTree(result.pod()), DIFF_FLAGS);
        return response(review, uid, patch.isEmpty() ? null : patch, warnings);
    }

    static String podName(Pod pod) {
        String name = pod.getMetadata().getName();
        return name != null && !name.isEmpty() ? name : pod.getMetadata().getGenerateName() + "*";
    }

    /** allowed=true with a warning: the pod must never be blocked because of integcov. */
    public static ObjectNode failOpen(JsonNode review, String uid, Exception e) {
        String message = e instanceof JsonProcessingException j ? j.getOriginalMessage() : String.valueOf(e.getMessage());
        message = message.lines().findFirst().orElse("").strip(); // a warning must be one printable line
        if (message.length() > 160) {
            message = message.substring(0, 160) + "...";
        }
        return response(review, uid, null, List.of("integcov: pod not injected because of an error in the webhook: "
                + e.getClass().getSimpleName() + ": " + message));
    }

    static ObjectNode response(JsonNode review, String uid, JsonNode patch, List<String> warnings) {
        ObjectNode out = MAPPER.createObjectNode();
        String apiVersion = review.path("apiVersion").asText("");
        out.put("apiVersion", apiVersion.startsWith("admission.k8s.io/") ? apiVersion : "admission.k8s.io/v1");
        out.put("kind", "AdmissionReview");
        ObjectNode response = out.putObject("response");
        response.put("uid", uid);
        response.put("allowed", true);
        if (patch != null) {
            response.put("patchType", "JSONPatch");
            response.put("patch", Base64.getEncoder().encodeToString(
                    patch.toString().getBytes(StandardCharsets.UTF_8)));
        }
        if (!warnings.isEmpty()) {
            ArrayNode w = response.putArray("warnings");
            warnings.forEach(w::add);
        }
        return out;
    }
}
