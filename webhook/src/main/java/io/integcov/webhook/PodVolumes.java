package io.integcov.webhook;

import static io.integcov.webhook.PodMutator.CREDENTIALS_FILE;
import static io.integcov.webhook.PodMutator.CREDENTIALS_VOLUME;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.integcov.model.CredentialsSecret;
import io.integcov.model.Labels;

/** {@link PodMutator}'s volumes (bin, covdata, credentials) and the mounts of them. */
final class PodVolumes {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private PodVolumes() {
    }

    static ObjectNode mount(String volume, String path, boolean readOnly) {
        ObjectNode m = NODES.objectNode().put("name", volume).put("mountPath", path);
        if (readOnly) {
            m.put("readOnly", true);
        }
        return m;
    }

    static void addVolumes(AddPatch patch, JsonNode volumes, boolean bin, boolean covdata,
            CredentialsSecret credentials) {
        ArrayNode add = NODES.arrayNode();
        if (bin) {
            add.addObject().put("name", Labels.BIN_VOLUME).putObject("emptyDir");
        }
        if (covdata) {
            add.addObject().put("name", Labels.COVDATA_VOLUME).putObject("emptyDir");
        }
        if (credentials != null) {
            ObjectNode secret = add.addObject().put("name", CREDENTIALS_VOLUME).putObject("secret");
            secret.put("secretName", credentials.getName());
            // a missing Secret must not keep the pod from starting: the agent then reports the upload failure
            secret.put("optional", true);
            secret.putArray("items").addObject().put("key", credentials.keyOrDefault()).put("path", CREDENTIALS_FILE);
        }
        patch.append(volumes.isArray(), add, "spec", "volumes");
    }
}
