package io.integcov.operator.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.integcov.model.CommandOverride;
import io.integcov.model.CoverageCaptureSpec;
import io.integcov.model.StorageSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpecValidatorTest {

    static CoverageCaptureSpec validSpec() {
        CoverageCaptureSpec spec = new CoverageCaptureSpec();
        spec.setStorage(new StorageSpec("gs://bucket/coverage"));
        spec.setSelector(new LabelSelectorBuilder().addToMatchLabels("app", "api").build());
        spec.setContainers(new ArrayList<>(List.of("api", "sidecar")));
        spec.setCommandOverrides(new ArrayList<>(List.of(new CommandOverride("api", List.of("/app/api")))));
        return spec;
    }

    @Test
    void acceptsAValidSpec() {
        assertEquals(List.of(), SpecValidator.validate(validSpec()));
    }

    @Test
    void acceptsAMinimalSpec() {
        CoverageCaptureSpec spec = new CoverageCaptureSpec();
        spec.setStorage(new StorageSpec("file:///tmp/coverage"));
        assertEquals(List.of(), SpecValidator.validate(spec));
    }

    @Test
    void rejectsMissingSpecButNotMissingStorage() {
        assertEquals(List.of("spec is missing"), SpecValidator.validate(null));
        assertEquals(List.of(), SpecValidator.validate(new CoverageCaptureSpec()), "no storage: the default store");
    }

    @Test
    void rejectsBadStorageUrl() {
        CoverageCaptureSpec spec = validSpec();
        spec.setStorage(new StorageSpec("s3://bucket/x"));
        List<String> errors = SpecValidator.validate(spec);
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).startsWith("spec.storage.url: ") && errors.get(0).contains("unsupported scheme"),
                errors.get(0));
    }

    @Test
    void rejectsBadContainersAndOverrides() {
        CoverageCaptureSpec spec = validSpec();
        spec.setContainers(new ArrayList<>(List.of("api", "", "api")));
        spec.setCommandOverrides(new ArrayList<>(List.of(
                new CommandOverride("api", List.of()),
                new CommandOverride("api", List.of("/bin/x")),
                new CommandOverride("worker", List.of("")),
                new CommandOverride(" ", List.of("/bin/y")))));
        spec.setUploadTimeoutSeconds(0);
        spec.setAgentImage(" ");
        spec.setWrapperImage(" ");
        assertEquals(List.of(
                "spec.containers[1] must not be empty",
                "spec.containers[2] 'api' is listed twice",
                "spec.commandOverrides[0].command must not be empty",
                "spec.commandOverrides[1].container 'api' already has an override",
                "spec.commandOverrides[2].container 'worker' is not in spec.containers, so it is never wrapped",
                "spec.commandOverrides[2].command[0] (the executable) must not be empty",
                "spec.commandOverrides[3].container must not be empty",
                "spec.uploadTimeoutSeconds must be at least 1",
                "spec.agentImage must not be blank when set",
                "spec.wrapperImage must not be blank when set"), SpecValidator.validate(spec));
    }

    @Test
    void includesSelectorErrors() {
        CoverageCaptureSpec spec = validSpec();
        spec.setSelector(new LabelSelectorBuilder().addNewMatchExpression().withKey("app").withOperator("In")
                .endMatchExpression().build());
        assertEquals(List.of("spec.selector.matchExpressions[0].values must not be empty for operator In"),
                SpecValidator.validate(spec));
    }

    @Test
    void theDeprecatedWrapperImageAloneOrEqualToAgentImageIsValid() {
        CoverageCaptureSpec alone = validSpec();
        alone.setWrapperImage("registry.example/integcov:old-name");
        assertEquals(List.of(), SpecValidator.validate(alone));
        CoverageCaptureSpec both = validSpec();
        both.setAgentImage("registry.example/integcov:1");
        both.setWrapperImage("registry.example/integcov:1");
        assertEquals(List.of(), SpecValidator.validate(both));
    }

    @Test
    void agentImageAndADifferentWrapperImageConflict() {
        CoverageCaptureSpec spec = validSpec();
        spec.setAgentImage("registry.example/integcov:2");
        spec.setWrapperImage("registry.example/integcov:1");
        assertEquals(List.of("spec.wrapperImage is the deprecated name of spec.agentImage; when both are set they must"
                + " be equal ('registry.example/integcov:1' is not 'registry.example/integcov:2')"),
                SpecValidator.validate(spec));
    }
}
