package io.integcov.operator.status;

import io.integcov.model.LabelSelectors;
import io.integcov.model.CommandOverride;
import io.integcov.model.CoverageCaptureSpec;
import io.integcov.storage.StorageUrl;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Checks a CoverageCapture spec beyond what the CRD schema enforces; returns one message per problem. */
public final class SpecValidator {

    private SpecValidator() {
    }

    public static List<String> validate(CoverageCaptureSpec spec) {
        List<String> errors = new ArrayList<>();
        if (spec == null) {
            errors.add("spec is missing");
            return errors;
        }
        if (spec.getStorage() != null) { // without it: the in-cluster default store
            try {
                StorageUrl.parse(spec.getStorage().getUrl());
            } catch (IllegalArgumentException e) {
                errors.add("spec.storage.url: " + e.getMessage());
            }
        }
        errors.addAll(LabelSelectors.validate("spec.selector", spec.getSelector()));

        List<String> containers = spec.getContainers() == null ? List.of() : spec.getContainers();
        Set<String> seenContainers = new HashSet<>();
        for (int i = 0; i < containers.size(); i++) {
            String name = containers.get(i);
            if (name == null || name.isBlank()) {
                errors.add("spec.containers[" + i + "] must not be empty");
            } else if (!seenContainers.add(name)) {
                errors.add("spec.containers[" + i + "] '" + name + "' is listed twice");
            }
        }

        List<CommandOverride> overrides = spec.getCommandOverrides() == null ? List.of() : spec.getCommandOverrides();
        Set<String> overridden = new HashSet<>();
        for (int i = 0; i < overrides.size(); i++) {
            String at = "spec.commandOverrides[" + i + "]";
            CommandOverride override = overrides.get(i);
            String container = override.getContainer();
            if (container == null || container.isBlank()) {
                errors.add(at + ".container must not be empty");
            } else {
                if (!overridden.add(container)) {
                    errors.add(at + ".container '" + container + "' already has an override");
                }
                if (!containers.isEmpty() && !containers.contains(container)) {
                    errors.add(at + ".container '" + container + "' is not in spec.containers, so it is never wrapped");
                }
            }
            List<String> command = override.getCommand();
            if (command == null || command.isEmpty()) {
                errors.add(at + ".command must not be empty");
            } else if (command.get(0) == null || command.get(0).isBlank()) {
                errors.add(at + ".command[0] (the executable) must not be empty");
            }
        }

        if (spec.getUploadTimeoutSeconds() != null && spec.getUploadTimeoutSeconds() < 1) {
            errors.add("spec.uploadTimeoutSeconds must be at least 1");
        }
        if (spec.getAgentImage() != null && spec.getAgentImage().isBlank()) {
            errors.add("spec.agentImage must not be blank when set");
        }
        if (spec.getWrapperImage() != null && spec.getWrapperImage().isBlank()) {
            errors.add("spec.wrapperImage must not be blank when set");
        }
        if (spec.getAgentImage() != null && spec.getWrapperImage() != null
                && !spec.getAgentImage().equals(spec.getWrapperImage())) {
            errors.add("spec.wrapperImage is the deprecated name of spec.agentImage; when both are set they must be"
                    + " equal ('" + spec.getWrapperImage() + "' is not '" + spec.getAgentImage() + "')");
        }
        return errors;
    }
}
