package io.integcov.webhook;

import static io.integcov.webhook.PodMutator.AGENT_RUN_PREFIX;
import static io.integcov.webhook.PodMutator.CREDENTIALS_DIR;
import static io.integcov.webhook.PodMutator.CREDENTIALS_VOLUME;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.integcov.model.CaptureStorage;
import io.integcov.model.CommandOverride;
import io.integcov.model.CoverageCapture;
import io.integcov.model.CoverageCaptureSpec;
import io.integcov.model.Labels;
import java.util.HashSet;
import java.util.Set;

/** {@link PodMutator}'s patches of a selected app container: wrapped with the agent, or served by the sidecar. */
final class ContainerPatches {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ContainerPatches() {
    }

    /** The command to wrap, or null when the container has none and the CR gives no override. */
    static ArrayNode commandFor(JsonNode c, CoverageCaptureSpec spec) {
        JsonNode command = c.path("command");
        if (command.isArray() && !command.isEmpty()) {
            return (ArrayNode) command;
        }
        if (spec.getCommandOverrides() != null) {
            String name = c.path("name").asText();
            for (CommandOverride o : spec.getCommandOverrides()) {
                if (name.equals(o.getContainer()) && o.getCommand() != null && !o.getCommand().isEmpty()) {
                    ArrayNode out = NODES.arrayNode();
                    o.getCommand().forEach(out::add);
                    return out;
                }
            }
        }
        return null;
    }

    static void wrap(AddPatch patch, int index, JsonNode c, ArrayNode command, Set<String> envNames,
            boolean ownCoverDir, CoverageCapture capture, CaptureStorage storage, boolean withCredentials,
            JsonNode gracePeriod) {
        if (!command.get(0).asText().equals(Labels.AGENT_PATH)) {
            ArrayNode wrappedCommand = NODES.arrayNode();
            AGENT_RUN_PREFIX.forEach(wrappedCommand::add);
            wrappedCommand.addAll(command);
            patch.add(wrappedCommand, "spec", "containers", index, "command");
        }
        Set<String> names = new HashSet<>(envNames);
        ArrayNode env = NODES.arrayNode();
        // its own directory, like a container served by the sidecar: each agent uploads every file of its GOCOVERDIR,
        // so two wrapped containers sharing one would upload each other's files (the agent creates it, 0777)
        AgentEnv.addEnv(env, names, Labels.ENV_GOCOVERDIR, coverDir(c));
        AgentEnv.addEnv(env, names, Labels.ENV_CONTAINER, c.path("name").asText());
        AgentEnv.agentEnv(env, names, capture, storage, withCredentials, gracePeriod);
        patch.append(c.path("env").isArray(), env, "spec", "containers", index, "env");

        ArrayNode mounts = NODES.arrayNode();
        mounts.add(PodVolumes.mount(Labels.BIN_VOLUME, Labels.BIN_DIR, true));
        if (ownCoverDir) {
            mounts.add(PodVolumes.mount(Labels.COVDATA_VOLUME, Labels.COVDATA_DIR, false));
        }
        if (withCredentials) {
            mounts.add(PodVolumes.mount(CREDENTIALS_VOLUME, CREDENTIALS_DIR, true));
        }
        patch.append(c.path("volumeMounts").isArray(), mounts, "spec", "containers", index, "volumeMounts");
    }

    /**
     * A container served by the sidecar keeps its command and gets only GOCOVERDIR (its own directory in the covdata
     * volume, created by the sidecar) and the covdata mount.
     */
    static void serveBySidecar(AddPatch patch, int index, JsonNode c) {
        ArrayNode env = NODES.arrayNode();
        env.addObject().put("name", Labels.ENV_GOCOVERDIR).put("value", coverDir(c));
        patch.append(c.path("env").isArray(), env, "spec", "containers", index, "env");
        patch.append(c.path("volumeMounts").isArray(),
                NODES.arrayNode().add(PodVolumes.mount(Labels.COVDATA_VOLUME, Labels.COVDATA_DIR, false)),
                "spec", "containers", index, "volumeMounts");
    }

    /** GOCOVERDIR integcov gives a container: its own sub-directory of the covdata volume. */
    static String coverDir(JsonNode c) {
        return Labels.COVDATA_DIR + "/" + c.path("name").asText();
    }
}
