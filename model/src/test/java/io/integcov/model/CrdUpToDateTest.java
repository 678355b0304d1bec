package io.integcov.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed CRD in crds/ and its copy in deploy/base/crd/ (kustomize loads no file outside its directory) must be
 * what the fabric8 crd-generator makes from the model ({@link CrdFiles}). After changing the model, rewrite both with
 * {@value CrdFiles#REGENERATE} and commit them.
 */
class CrdUpToDateTest {
    @Test
    void committedCrdsMatchTheModel(@TempDir Path tmp) throws IOException {
        String generated = CrdFiles.generate(tmp);
        for (Path committed : CrdFiles.committedCopies()) {
            assertTrue(Files.exists(committed), committed + " is missing; create it with `" + CrdFiles.REGENERATE + "`");
            assertEquals(generated, Files.readString(committed), committed + " is out of date with the Java model;"
                    + " regenerate it with `" + CrdFiles.REGENERATE + "` and commit the result");
        }
    }

    @Test
    void crdHasTheStatusSubresourceAndThePrinterColumnsInOrder(@TempDir Path tmp) throws IOException {
        String generated = CrdFiles.generate(tmp);
        assertTrue(generated.contains("subresources:") && generated.contains("status: {}"), "status subresource");
        CustomResourceDefinition crd = Serialization.unmarshal(generated, CustomResourceDefinition.class);
        List<String> columns = crd.getSpec().getVersions().get(0).getAdditionalPrinterColumns().stream()
                .map(CustomResourceColumnDefinition::getName).toList();
        assertEquals(List.of("Ready", "Matched", "Injected", "Uploads", "Storage", "Age"), columns);
    }

}
