package io.integcov.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed CRD in crds/ and its copy in deploy/base/crd/ (kustomize loads no file outside its directory) must be
 * what the fabric8 crd-generator makes from the model. After changing the model, run
 * {@code mvn -pl model test -Dintegcov.updateCrds=true}: that run rewrites both files instead of checking them, and
 * the next plain run checks what was written.
 */
class CrdUpToDateTest {
    static final String FILE = CoverageCapture.CRD_NAME + "-v1.yml";
    static final String UPDATE = "integcov.updateCrds";

    @Test
    @DisabledIfSystemProperty(named = UPDATE, matches = "true")
    void committedCrdsMatchTheModel(@TempDir Path tmp) throws IOException {
        String generated = generate(tmp);
        for (Path committed : committedCopies()) {
            assertTrue(Files.exists(committed), committed + " is missing; create it with"
                    + " `mvn -pl model test -Dintegcov.updateCrds=true`");
            assertEquals(generated, Files.readString(committed), committed + " is out of date with the Java model;"
                    + " regenerate it with `mvn -pl model test -Dintegcov.updateCrds=true` and commit the result");
        }
    }

    @Test
    @EnabledIfSystemProperty(named = UPDATE, matches = "true")
    void rewriteCommittedCrds(@TempDir Path tmp) throws IOException {
        String generated = generate(tmp);
        for (Path committed : committedCopies()) {
            Files.createDirectories(committed.getParent());
            Files.writeString(committed, generated);
            System.out.println("wrote " + committed);
        }
    }

    @Test
    void crdHasTheStatusSubresourceAndThePrinterColumnsInOrder(@TempDir Path tmp) throws IOException {
        String generated = generate(tmp);
        assertTrue(generated.contains("subresources:") && generated.contains("status: {}"), "status subresource");
        CustomResourceDefinition crd = Serialization.unmarshal(generated, CustomResourceDefinition.class);
        List<String> columns = crd.getSpec().getVersions().get(0).getAdditionalPrinterColumns().stream()
                .map(CustomResourceColumnDefinition::getName).toList();
        assertEquals(List.of("Ready", "Matched", "Injected", "Uploads", "Storage", "Age"), columns);
    }

    /**
     * The generator's CRD with the printer columns in the order the annotations declare them: the generator sorts
     * them by JSON path (Age first), and kubectl shows them in the CRD's order.
     */
    private static String generate(Path dir) throws IOException {
        new CRDGenerator().customResourceClasses(CoverageCapture.class).forCRDVersions("v1")
                .inOutputDir(dir.toFile()).generate();
        CustomResourceDefinition crd = Serialization.unmarshal(Files.readString(dir.resolve(FILE)),
                CustomResourceDefinition.class);
        List<String> declared = Arrays.stream(CoverageCapture.class.getAnnotationsByType(AdditionalPrinterColumn.class))
                .map(AdditionalPrinterColumn::name).toList();
        for (CustomResourceDefinitionVersion version : crd.getSpec().getVersions()) {
            List<CustomResourceColumnDefinition> columns = new ArrayList<>(version.getAdditionalPrinterColumns());
            columns.sort(Comparator.comparingInt(column -> declared.indexOf(column.getName())));
            version.setAdditionalPrinterColumns(columns);
        }
        return "# Generated from the Java model (model/): mvn -pl model test -Dintegcov.updateCrds=true\n"
                + Serialization.asYaml(crd);
    }

    private static List<Path> committedCopies() {
        return List.of(repoRoot().resolve("crds").resolve(FILE), repoRoot().resolve("deploy/base/crd").resolve(FILE));
    }

    /** integcov.root (set by the root pom), else the nearest directory above the working directory having crds/. */
    static Path repoRoot() {
        String root = System.getProperty("integcov.root");
        if (root != null && Files.isDirectory(Path.of(root, "crds"))) {
            return Path.of(root).toAbsolutePath().normalize();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("crds")) && Files.exists(p.resolve("model"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the repository root (with crds/); set -Dintegcov.root");
    }
}
