package io.integcov.model;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.integcov.testing.RepoRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The CRD the fabric8 crd-generator makes from the model, and its committed copies: crds/ and deploy/base/crd/
 * (kustomize loads no file outside its directory). {@link #main} rewrites both; the Maven profile {@code update-crds}
 * of model/ runs it ({@value #REGENERATE}), and CrdUpToDateTest checks them on every build. In test sources because
 * the generator is a test-scoped dependency: nothing at run time needs it.
 */
public final class CrdFiles {
    static final String FILE = CoverageCapture.CRD_NAME + "-v1.yml";
    static final String REGENERATE = "mvn -pl model -Pupdate-crds process-test-classes";

    private CrdFiles() {
    }

    /** Rewrites the committed copies with the generated CRD. */
    public static void main(String[] args) throws IOException {
        Path tmp = Files.createTempDirectory("integcov-crd");
        String generated = generate(tmp);
        for (Path committed : committedCopies()) {
            Files.createDirectories(committed.getParent());
            Files.writeString(committed, generated);
            System.out.println("wrote " + committed);
        }
        try (var files = Files.list(tmp)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(tmp);
    }

    /**
     * The generator's CRD with the printer columns in the order the annotations declare them: the generator sorts
     * them by JSON path (Age first), and kubectl shows them in the CRD's order.
     */
    static String generate(Path dir) throws IOException {
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
        return "# Generated from the Java model (model/): " + REGENERATE + "\n"
                + Serialization.asYaml(crd);
    }

    static List<Path> committedCopies() {
        Path root = RepoRoot.find();
        return List.of(root.resolve("crds").resolve(FILE), root.resolve("deploy/base/crd").resolve(FILE));
    }
}
