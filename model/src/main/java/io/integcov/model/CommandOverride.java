package io.integcov.model;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import java.util.ArrayList;
import java.util.List;

/** The command (image ENTRYPOINT equivalent) of a container that has no {@code command} in its spec. */
public class CommandOverride {
    @Required
    @JsonPropertyDescription("Container name.")
    private String container;

    @Required
    @JsonPropertyDescription("Command to wrap; the container's own args are appended after it.")
    private List<String> command = new ArrayList<>();

    public CommandOverride() {
    }

    public CommandOverride(String container, List<String> command) {
        this.container = container;
        this.command = command;
    }

    public String getContainer() {
        return container;
    }

    public void setContainer(String container) {
        this.container = container;
    }

    public List<String> getCommand() {
        return command;
    }

    public void setCommand(List<String> command) {
        this.command = command;
    }
}
