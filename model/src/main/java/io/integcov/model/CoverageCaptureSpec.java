package io.integcov.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.ArrayList;
import java.util.List;

/**
 * What a CoverageCapture asks for. The {@link ValidationRule}s (CEL, checked by the API server when a capture is created
 * or changed) reject what the operator's SpecValidator would otherwise report only in the status; SpecValidator keeps
 * checking captures stored before a rule existed.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.commandOverrides) || !has(self.containers) || size(self.containers) == 0"
        + " || self.commandOverrides.all(o, o.container in self.containers)",
        message = "every commandOverrides[].container must be listed in spec.containers (when that list is not empty),"
                + " else its override is never used", fieldPath = ".commandOverrides", reason = "FieldValueInvalid")
@ValidationRule(value = "!has(self.agentImage) || !has(self.wrapperImage) || self.agentImage == self.wrapperImage",
        message = "wrapperImage is the deprecated name of agentImage; when both are set they must be equal",
        fieldPath = ".wrapperImage", reason = "FieldValueInvalid")
public class CoverageCaptureSpec {
    // Bounds the API server needs to afford the CEL rules (it refuses rules whose worst-case cost it cannot bound)
    /** Container names are DNS labels. */
    static final int CONTAINER_NAME_LENGTH = 63;
    static final int MAX_CONTAINERS = 64;
    static final int IMAGE_LENGTH = 1024;

    // Label keys and values as the API server checks them in a pod's labels (and LabelSelectors.validate does).
    /** A label name: at most 63 alphanumerics, '-', '_', '.', starting and ending with an alphanumeric. */
    private static final String LABEL_NAME = "[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?";
    /** Regexes (CEL string literals) of a label value, of a key's lengths and of a key's characters. */
    private static final String VALUE = "'^(" + LABEL_NAME + ")?$'";
    private static final String KEY_LENGTHS = "'^([^/]{1,253}/)?[^/]+$'";
    private static final String KEY = "'^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?" + LABEL_NAME
            + "$'";
    private static final String LABEL_RULES = "label keys must be an optional DNS-subdomain prefix and '/' followed by a"
            + " name, label values empty or a name; a name is at most 63 alphanumerics, '-', '_', '.', starting and"
            + " ending with an alphanumeric";

    @ValidationRule(value = "!has(self.matchLabels) || self.matchLabels.all(k, k.matches(" + KEY_LENGTHS + ")"
            + " && k.matches(" + KEY + ") && self.matchLabels[k].matches(" + VALUE + "))",
            message = "matchLabels: " + LABEL_RULES)
    @ValidationRule(value = "!has(self.matchExpressions) || self.matchExpressions.all(e, e.key.matches(" + KEY_LENGTHS
            + ") && e.key.matches(" + KEY + ") && (!has(e.values) || e.values.all(v, v.matches(" + VALUE + "))))",
            message = "matchExpressions: " + LABEL_RULES)
    @ValidationRule(value = "!has(self.matchExpressions) || self.matchExpressions.all(e,"
            + " e.operator in ['In', 'NotIn', 'Exists', 'DoesNotExist'])",
            message = "matchExpressions[].operator must be one of In, NotIn, Exists, DoesNotExist")
    @ValidationRule(value = "!has(self.matchExpressions) || self.matchExpressions.all(e,"
            + " !(e.operator in ['In', 'NotIn']) || (has(e.values) && size(e.values) > 0))",
            message = "matchExpressions[].values must not be empty for operator In or NotIn")
    @ValidationRule(value = "!has(self.matchExpressions) || self.matchExpressions.all(e,"
            + " !(e.operator in ['Exists', 'DoesNotExist']) || !has(e.values) || size(e.values) == 0)",
            message = "matchExpressions[].values must be empty for operator Exists or DoesNotExist")
    @SchemaFrom(type = SelectorSchema.class)
    @JsonPropertyDescription("Pods (in this namespace) to capture coverage from. An empty selector matches every pod.")
    private LabelSelector selector;

    @ValidationRule(value = "self.all(c, c.trim().size() > 0)", message = "container names must not be empty")
    @ValidationRule(value = "self.all(c, self.exists_one(d, d == c))", message = "a container is listed twice")
    @JsonPropertyDescription("Names of the containers to wrap; empty means every container of a matching pod.")
    @Size(max = MAX_CONTAINERS)
    private List<@Size(max = CONTAINER_NAME_LENGTH) String> containers = new ArrayList<>();

    @ValidationRule(value = "self.all(o, self.exists_one(p, p.container == o.container))",
            message = "a container has more than one override")
    @JsonPropertyDescription("Command to run for a container whose spec has no 'command' (the image ENTRYPOINT cannot be"
            + " read at admission time). Containers without a command and without an override are skipped with a warning.")
    @Size(max = MAX_CONTAINERS)
    private List<CommandOverride> commandOverrides = new ArrayList<>();

    @JsonPropertyDescription("Where the agent uploads coverage files. Unset: the in-cluster default store that integcov's"
            + " installation runs (integcov-store in integcov-system), reached with no settings at all.")
    private StorageSpec storage;

    @Min(1)
    @JsonPropertyDescription("Deadline for uploading after the app exits; default derived from the pod's grace period.")
    private Integer uploadTimeoutSeconds;

    @Size(max = IMAGE_LENGTH)
    @ValidationRule(value = "self.trim().size() > 0", message = "must not be blank when set")
    @JsonPropertyDescription("Image of the integcov agent (run by the injected init container); defaults to the webhook's"
            + " configured agent image.")
    private String agentImage;

    @Size(max = IMAGE_LENGTH)
    @ValidationRule(value = "self.trim().size() > 0", message = "must not be blank when set")
    @JsonPropertyDescription("Deprecated: use agentImage, which wins when both are set (they must then be equal).")
    private String wrapperImage;

    @JsonPropertyDescription("How coverage is taken from a selected container. Auto (default): wrap its command with the"
            + " agent when the command is known (from the pod or commandOverrides), else a native sidecar (init container"
            + " with restartPolicy Always, Kubernetes 1.29+) uploads what the container writes to its own GOCOVERDIR."
            + " Wrap: only wrapping (containers without a command are skipped). Sidecar: only the sidecar (commands are"
            + " left untouched).")
    private Mode mode;

    @JsonPropertyDescription("Extra environment for what integcov injects (e.g. STORAGE_EMULATOR_HOST); in wrap mode it is"
            + " added to each wrapped container, where the container's own variables of the same name win.")
    private List<EnvVar> env = new ArrayList<>();

    @JsonPropertyDescription("Resources of the containers integcov adds to a pod (the install init container); each"
            + " request or limit set here replaces the webhook's default for it, and a limit below its request is raised"
            + " to the request.")
    private ResourceRequirements agentResources;

    public LabelSelector getSelector() {
        return selector;
    }

    public void setSelector(LabelSelector selector) {
        this.selector = selector;
    }

    public List<String> getContainers() {
        return containers;
    }

    public void setContainers(List<String> containers) {
        this.containers = containers;
    }

    public List<CommandOverride> getCommandOverrides() {
        return commandOverrides;
    }

    public void setCommandOverrides(List<CommandOverride> commandOverrides) {
        this.commandOverrides = commandOverrides;
    }

    public StorageSpec getStorage() {
        return storage;
    }

    public void setStorage(StorageSpec storage) {
        this.storage = storage;
    }

    public Integer getUploadTimeoutSeconds() {
        return uploadTimeoutSeconds;
    }

    public void setUploadTimeoutSeconds(Integer uploadTimeoutSeconds) {
        this.uploadTimeoutSeconds = uploadTimeoutSeconds;
    }

    public String getAgentImage() {
        return agentImage;
    }

    public void setAgentImage(String agentImage) {
        this.agentImage = agentImage;
    }

    /** The former name of {@link #getAgentImage()}, still read when agentImage is unset. */
    public String getWrapperImage() {
        return wrapperImage;
    }

    public void setWrapperImage(String wrapperImage) {
        this.wrapperImage = wrapperImage;
    }

    /** The agent image this capture asks for: agentImage, else the deprecated wrapperImage; null when neither is set. */
    public String requestedAgentImage() {
        if (agentImage != null && !agentImage.isBlank()) {
            return agentImage;
        }
        return wrapperImage != null && !wrapperImage.isBlank() ? wrapperImage : null;
    }

    /** spec.mode values. */
    public enum Mode {
        Auto, Wrap, Sidecar
    }

    public Mode getMode() {
        return mode;
    }

    public void setMode(Mode mode) {
        this.mode = mode;
    }

    /** {@link #getMode()}, Auto when unset. */
    public Mode modeOrDefault() {
        return mode == null ? Mode.Auto : mode;
    }

    public List<EnvVar> getEnv() {
        return env;
    }

    public void setEnv(List<EnvVar> env) {
        this.env = env;
    }

    public ResourceRequirements getAgentResources() {
        return agentResources;
    }

    public void setAgentResources(ResourceRequirements agentResources) {
        this.agentResources = agentResources;
    }
}
