package io.integcov.e2e;

import static org.junit.jupiter.api.Assertions.assertFalse;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Applies the committed CRDs in crds/ and waits until they are Established. */
public final class Crds {
    private Crds() {
    }

    public static List<Path> files() throws IOException {
        Path dir = E2eEnv.repoRoot().resolve("crds");
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".yaml") || p.getFileName().toString().endsWith(".yml"))
                    .sorted().toList();
        }
    }

    public static List<CustomResourceDefinition> apply(KubernetesClient client) throws IOException {
        List<Path> files = files();
        assertFalse(files.isEmpty(), "no CRD YAML in " + E2eEnv.repoRoot().resolve("crds"));
        List<CustomResourceDefinition> applied = new ArrayList<>();
        for (Path f : files) {
            try (InputStream in = Files.newInputStream(f)) {
                for (HasMetadata o : client.load(in).items()) {
                    if (o instanceof CustomResourceDefinition crd) {
                        crd.getMetadata().setManagedFields(null);
                        applied.add(client.resource(crd).fieldManager("integcov-e2e").forceConflicts().serverSideApply());
                    }
                }
            }
        }
        assertFalse(applied.isEmpty(), "no CustomResourceDefinition in " + files);
        for (CustomResourceDefinition crd : applied) {
            client.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName())
                    .waitUntilCondition(c -> c != null && c.getStatus() != null && c.getStatus().getConditions() != null
                            && c.getStatus().getConditions().stream()
                                    .anyMatch(k -> "Established".equals(k.getType()) && "True".equals(k.getStatus())),
                            2, TimeUnit.MINUTES);
        }
        return applied;
    }
}
