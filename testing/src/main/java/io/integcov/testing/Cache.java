package io.integcov.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where Go-built helper binaries live: system property {@code integcov.cache}, env INTEGCOV_CACHE, or ~/.cache/integcov. */
public final class Cache {
    private Cache() {
    }

    public static Path dir() {
        String dir = System.getProperty("integcov.cache");
        if (dir == null || dir.isBlank()) {
            dir = System.getenv("INTEGCOV_CACHE");
        }
        if (dir == null || dir.isBlank()) {
            return Path.of(System.getProperty("user.home"), ".cache", "integcov");
        }
        return Path.of(dir);
    }

    /** {@code <cache>/bin/<name>}; fails with the install hint when the binary is missing. */
    public static Path binary(String name, String installHint) {
        Path bin = dir().resolve("bin").resolve(name);
        if (!Files.isExecutable(bin)) {
            throw new IllegalStateException(name + " not found at " + bin + "; install it with " + installHint);
        }
        return bin;
    }
}
