package io.integcov.webhook;

import static io.integcov.webhook.PodMutator.CREDENTIALS_DIR;
import static io.integcov.webhook.PodMutator.CREDENTIALS_FILE;
import static io.integcov.webhook.PodMutator.ENV_GOOGLE_CREDENTIALS;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.integcov.model.CaptureStorage;
import io.integcov.model.CoverageCapture;
import io.integcov.model.CoverageCaptureSpec;
import io.integcov.model.Labels;
import java.util.Set;

/** {@link PodMutator}'s env for the agent: storage settings, pod and capture identity, timeouts, spec.env. */
final class AgentEnv {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private AgentEnv() {
    }

    /**
     * What the agent reads besides GOCOVERDIR and INTEGCOV_CONTAINER (user values, already in names, win). The storage
     * settings come first, so they win over spec.env; for the default store that is INTEGCOV_STORAGE_EMULATOR_HOST,
     * the agent's own variable, so no STORAGE_EMULATOR_HOST of integcov's reaches a wrapped program and the agent
     * follows none of the program's. A wrapped container's own variables win over all of these, and the sidecar
     * starts with none (an app container's env never reaches it).
     */
    static void agentEnv(ArrayNode env, Set<String> names, CoverageCapture capture, CaptureStorage storage,
            boolean withCredentials, JsonNode gracePeriod) {
        CoverageCaptureSpec spec = capture.getSpec();
        storage.agentEnv().forEach((name, value) -> addEnv(env, names, name, value));
        addFieldRefEnv(env, names, Labels.ENV_POD_NAME, "metadata.name");
        addFieldRefEnv(env, names, Labels.ENV_POD_NAMESPACE, "metadata.namespace");
        addEnv(env, names, Labels.ENV_CAPTURE, capture.getMetadata().getName());
        addEnv(env, names, Labels.ENV_CAPTURE_UID, capture.getMetadata().getUid() == null ? ""
                : capture.getMetadata().getUid());
        if (spec.getUploadTimeoutSeconds() != null) {
            addEnv(env, names, Labels.ENV_UPLOAD_TIMEOUT, spec.getUploadTimeoutSeconds().toString());
        }
        if (gracePeriod.isIntegralNumber()) {
            addEnv(env, names, Labels.ENV_GRACE_PERIOD, gracePeriod.asText());
        }
        if (withCredentials) {
            addEnv(env, names, ENV_GOOGLE_CREDENTIALS, CREDENTIALS_DIR + "/" + CREDENTIALS_FILE);
        }
        if (spec.getEnv() != null) {
            for (EnvVar extra : spec.getEnv()) {
                if (extra.getName() != null && names.add(extra.getName())) {
                    env.add(MAPPER.<JsonNode>valueToTree(extra));
                }
            }
        }
    }

    static void addEnv(ArrayNode env, Set<String> names, String name, String value) {
        if (names.add(name)) {
            env.addObject().put("name", name).put("value", value);
        }
    }

    static void addFieldRefEnv(ArrayNode env, Set<String> names, String name, String fieldPath) {
        if (names.add(name)) {
            ObjectNode e = env.addObject().put("name", name);
            e.putObject("valueFrom").putObject("fieldRef").put("apiVersion", "v1").put("fieldPath", fieldPath);
        }
    }
}
