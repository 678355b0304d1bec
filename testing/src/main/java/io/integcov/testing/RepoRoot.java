package io.integcov.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository's root directory, as every test and build helper of the Java modules finds it. */
public final class RepoRoot {
    /** Directories only the repository's root has (the committed CRDs and the Go test app). */
    private static final String[] MARKERS = {"crds", "testapps/covapp"};

    private RepoRoot() {
    }

    /**
     * System property {@code integcov.root} (the root pom sets it for tests) when it names the root, else the nearest
     * directory above the working directory that is the root.
     */
    public static Path find() {
        String property = System.getProperty("integcov.root");
        if (property != null && !property.isBlank() && isRoot(Path.of(property))) {
            return Path.of(property).toAbsolutePath().normalize();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (isRoot(dir)) {
                return dir;
            }
        }
        throw new IllegalStateException("the repository root (with crds/ and testapps/covapp/) is neither the system"
                + " property integcov.root (" + property + ") nor above " + Path.of("").toAbsolutePath()
                + "; run from the repository or set -Dintegcov.root");
    }

    static boolean isRoot(Path dir) {
        for (String marker : MARKERS) {
            if (!Files.isDirectory(dir.resolve(marker))) {
                return false;
            }
        }
        return true;
    }
}
