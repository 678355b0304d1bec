package io.integcov.operator.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.integcov.testing.RepoRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * deploy/install.yaml, the one file for {@code kubectl apply -f}, must be what kustomize (the pinned version) renders
 * from deploy/. After changing deploy/, run
 * {@code mvn -B -ntp -pl operator test -Dtest=InstallYamlTest -Dintegcov.updateInstall=true}: that run rewrites the
 * file instead of checking it, and the next plain run checks what was written.
 */
class InstallYamlTest {
    static final String UPDATE = "integcov.updateInstall";
    static final String HEADER = """
            # integcov in one file: kubectl apply -f deploy/install.yaml (the same objects as kubectl apply -k deploy/).
            # Rendered from deploy/ by kustomize; do not edit. After changing deploy/, regenerate it with
            #   mvn -B -ntp -pl operator test -Dtest=InstallYamlTest -Dintegcov.updateInstall=true
            # Uninstall: see deploy/README.md.
            """;

    @Test
    @DisabledIfSystemProperty(named = UPDATE, matches = "true")
    void installYamlIsWhatKustomizeRendersFromDeploy() throws Exception {
        Path committed = installYaml();
        assertTrue(Files.exists(committed), committed + " is missing; create it with"
                + " `mvn -B -ntp -pl operator test -Dtest=InstallYamlTest -Dintegcov.updateInstall=true`");
        assertEquals(render(), Files.readString(committed), committed + " is out of date with deploy/; regenerate it"
                + " with `mvn -B -ntp -pl operator test -Dtest=InstallYamlTest -Dintegcov.updateInstall=true` and"
                + " commit the result");
    }

    @Test
    @EnabledIfSystemProperty(named = UPDATE, matches = "true")
    void rewriteInstallYaml() throws Exception {
        Files.writeString(installYaml(), render());
        System.out.println("wrote " + installYaml());
    }

    /** The file is plain Kubernetes objects that kubectl can read, the Namespace and the CRD before what needs them. */
    @Test
    void installYamlHoldsTheNamespaceAndTheCrdBeforeTheRest() throws Exception {
        List<String> kinds = new ArrayList<>();
        KubernetesSerialization serialization = new KubernetesSerialization();
        for (String document : render().split("(?m)^---\\s*$")) {
            if (!document.lines().allMatch(l -> l.isBlank() || l.startsWith("#"))) {
                kinds.add(serialization.unmarshal(document, HasMetadata.class).getKind());
            }
        }
        assertEquals("Namespace", kinds.get(0));
        assertEquals("CustomResourceDefinition", kinds.get(1));
        assertTrue(kinds.containsAll(List.of("Deployment", "MutatingWebhookConfiguration", "PodDisruptionBudget")),
                kinds.toString());
    }

    private static String render() throws IOException, InterruptedException {
        return HEADER + Kustomize.buildPinned(root().resolve("deploy"));
    }

    private static Path installYaml() {
        return root().resolve("deploy/install.yaml");
    }

    private static Path root() {
        return RepoRoot.find();
    }
}
