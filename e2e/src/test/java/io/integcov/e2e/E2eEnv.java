package io.integcov.e2e;

import io.integcov.testing.Cache;
import io.integcov.testing.GoTools;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the e2e tests find the repository, the cached Go-built binaries and their work dirs, and whether they may skip. */
public final class E2eEnv {
    public static final String REQUIRED = "INTEGCOV_E2E_REQUIRED";

    private E2eEnv() {
    }

    /** True when INTEGCOV_E2E_REQUIRED is set (system property or environment) to anything but "false"/"0"/"". */
    public static boolean required() {
        String v = System.getProperty(REQUIRED);
        if (v == null) {
            v = System.getenv(REQUIRED);
        }
        if (v == null) {
            return false;
        }
        v = v.trim();
        return !(v.isEmpty() || v.equalsIgnoreCase("false") || v.equals("0"));
    }

    /** The java of this JVM (runs the integcov CLI jar). */
    public static Path java() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    public static Path binDir() {
        return Cache.dir().resolve("bin");
    }

    /** The repository root (system property integcov.root, set by the root pom, else found from the working dir). */
    public static Path repoRoot() {
        return GoTools.repoRoot().toAbsolutePath().normalize();
    }

    /** {@code <module>/target/e2e-work}: work dirs and logs of the e2e run, kept after it (CI uploads them). */
    public static Path workRoot() {
        return Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolve("target/e2e-work");
    }

    /**
     * A fresh work directory {@code <module>/target/e2e-work/<name>} (emptied first). Kept after the run, unlike a
     * {@code @TempDir}, so that CI keeps the logs of etcd, kube-apiserver, operator, webhook and the pod's containers.
     */
    public static Path workDir(String name) throws java.io.IOException {
        Path dir = workRoot().resolve(name);
        if (Files.exists(dir)) {
            try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        return Files.createDirectories(dir);
    }
}
