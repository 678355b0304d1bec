package io.integcov.operator.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * deploy/install.yaml must be what kustomize renders from deploy/ ({@link InstallYaml}); regenerate it with
 * {@value InstallYaml#REGENERATE} after changing deploy/.
 */
class InstallYamlTest {
    @Test
    void installYamlIsWhatKustomizeRendersFromDeploy() throws Exception {
        Path committed = InstallYaml.file();
        assertTrue(Files.exists(committed), committed + " is missing; create it with `" + InstallYaml.REGENERATE + "`");
        assertEquals(InstallYaml.render(), Files.readString(committed), committed + " is out of date with deploy/;"
                + " regenerate it with `" + InstallYaml.REGENERATE + "` and commit the result");
    }

    /** The file is plain Kubernetes objects that kubectl can read, the Namespace and the CRD before what needs them. */
    @Test
    void installYamlHoldsTheNamespaceAndTheCrdBeforeTheRest() throws Exception {
        List<String> kinds = new ArrayList<>();
        KubernetesSerialization serialization = new KubernetesSerialization();
        for (String document : InstallYaml.render().split("(?m)^---\\s*$")) {
            if (!document.lines().allMatch(l -> l.isBlank() || l.startsWith("#"))) {
                kinds.add(serialization.unmarshal(document, HasMetadata.class).getKind());
            }
        }
        assertEquals("Namespace", kinds.get(0));
        assertEquals("CustomResourceDefinition", kinds.get(1));
        assertTrue(kinds.containsAll(List.of("Deployment", "MutatingWebhookConfiguration", "PodDisruptionBudget")),
                kinds.toString());
    }

}
