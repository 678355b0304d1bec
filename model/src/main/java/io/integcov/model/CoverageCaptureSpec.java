package io.integcov.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class CoverageCaptureSpec {
    @JsonPropertyDescription("Pods (in this namespace) to capture coverage from. An empty selector matches every pod.")
    private LabelSelector selector;

    @JsonPropertyDescription("Names of the containers to wrap; empty means every container of a matching pod.")
    private List<String> containers = new ArrayList<>();

    @JsonPropertyDescription("Command to run for a container whose spec has no 'command' (the image ENTRYPOINT cannot be"
            + " read at admission time). Containers without a command and without an override are skipped with a warning.")
    private List<CommandOverride> commandOverrides = new ArrayList<>();

    @JsonPropertyDescription("Where the agent uploads coverage files. Unset: the in-cluster default store that integcov's"
            + " installation runs (integcov-store in integcov-system), reached with no settings at all.")
    private StorageSpec storage;

    @Min(1)
    @JsonPropertyDescription("Deadline for uploading after the app exits; default derived from the pod's grace period.")
    private Integer uploadTimeoutSeconds;

    @JsonPropertyDescription("Image of the integcov agent (run by the injected init container); defaults to the webhook's"
            + " configured agent image.")
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

    public String getWrapperImage() {
        return wrapperImage;
    }

    public void setWrapperImage(String wrapperImage) {
        this.wrapperImage = wrapperImage;
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
