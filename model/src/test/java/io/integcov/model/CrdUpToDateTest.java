package io.integcov.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.crdv2.generator.CRDGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed CRD in crds/ (and its copy in deploy/base/crd/) must be what the fabric8 crd-generator makes from the
 * model. After changing the model, run {@code mvn -pl model test -Dintegcov.updateCrds=true} to rewrite both.
 */
class CrdUpToDateTest {
    static final String FILE = CoverageCapture.CRD_NAME + "-v1.yml";

    @Test
    void committedCrdMatchesModel(@TempDir Path tmp) throws IOException {
        new CRDGenerator().customResourceClasses(CoverageCapture.class).forCRDVersions("v1")
                .inOutputDir(tmp.toFile()).generate();
        String generated = Files.readString(tmp.resolve(FILE));
        assertTrue(generated.contains("subresources:") && generated.contains("status: {}"), "status subresource");
        assertTrue(generated.contains("additionalPrinterColumns:"), "printer columns");

        // crds/ is the source; deploy/base/crd/ holds a copy because kustomize loads no file outside its directory
        for (Path committed : List.of(repoRoot().resolve("crds").resolve(FILE),
                repoRoot().resolve("deploy/base/crd").resolve(FILE))) {
            if (committed.startsWith(repoRoot().resolve("deploy")) && !Files.isDirectory(committed.getParent())) {
                continue;
            }
            if (Boolean.getBoolean("integcov.updateCrds")) {
                Files.writeString(committed, generated);
            }
            String onDisk = Files.exists(committed) ? Files.readString(committed) : "<missing " + committed + ">";
            assertEquals(generated, onDisk, committed + " is out of date with the Java model; regenerate it with"
                    + " `mvn -pl model test -Dintegcov.updateCrds=true` and commit the result");
        }
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
