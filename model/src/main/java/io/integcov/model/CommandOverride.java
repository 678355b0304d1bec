package io.integcov.model;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/** The command (image ENTRYPOINT equivalent) of a container that has no {@code command} in its spec. */
public class CommandOverride {
    @Required
    @Size(max = CoverageCaptureSpec.CONTAINER_NAME_LENGTH)
    @ValidationRule(value = "self.trim().size() > 0", message = "must not be empty")
    @JsonPropertyDescription("Container name.")
    private String container;

    @Required
    @ValidationRule(value = "size(self) > 0", message = "must not be empty")
    @ValidationRule(value = "size(self) == 0 || self[0].trim().size() > 0",
            message = "its first element (the executable) must not be empty")
    @JsonPropertyDescription("Command to wrap; the container's own args are appended after it.")
    @Size(max = 256)
    private List<@Size(max = 4096) String> command = new ArrayList<>();

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
