package io.integcov.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import io.integcov.testing.Cache;
import io.integcov.testing.GoTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/** Where the e2e tests find the repository and the cached Go-built binaries, and whether they may skip. */
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

    public static Path binDir() {
        return Cache.dir().resolve("bin");
    }

    /** The repository root (system property integcov.root, set by the root pom, else found from the working dir). */
    public static Path repoRoot() {
        return GoTools.repoRoot().toAbsolutePath().normalize();
    }

    /**
     * Null when every named binary is in the cache bin dir. Otherwise: fails the test when INTEGCOV_E2E_REQUIRED is
     * set, else returns the reason to skip (also printed to stderr, since a skip in a {@code @BeforeAll} is otherwise
     * silent in Maven's output).
     */
    public static String skipReason(String... names) {
        List<String> missing = new ArrayList<>();
        for (String n : names) {
            Path b = binDir().resolve(n);
            if (!Files.isExecutable(b)) {
                missing.add(b.toString());
            }
        }
        if (missing.isEmpty()) {
            return null;
        }
        String msg = "e2e binaries missing: " + String.join(", ", missing)
                + " (build them with src/ci/build-k8s.sh; set INTEGCOV_CACHE or -Dintegcov.cache to use another cache)";
        if (required()) {
            fail(msg + "; " + REQUIRED + " is set, so this is a failure, not a skip");
        }
        msg = "SKIPPED: " + msg + "; set " + REQUIRED + "=1 to make this a failure";
        System.err.println(msg);
        return msg;
    }

    /** The named binaries; skips (aborts) or fails the current test as {@link #skipReason} says when one is missing. */
    public static List<Path> requireBinaries(String... names) {
        String skip = skipReason(names);
        Assumptions.assumeTrue(skip == null, skip);
        List<Path> found = new ArrayList<>();
        for (String n : names) {
            found.add(binDir().resolve(n));
        }
        return found;
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
