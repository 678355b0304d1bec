package io.integcov.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds the tools tests run: one PATH lookup, and one override variable per tool. */
public final class Executables {
    /**
     * The {@code go} to use instead of the one on PATH: the variable {@code integcov collect} reads too, so one setting
     * serves the tests and the tool.
     */
    public static final String GO_VARIABLE = "INTEGCOV_GO";

    private Executables() {
    }

    /** The first executable {@code name} in a directory of PATH (empty entries mean the working directory). */
    public static Optional<Path> onPath(String name) {
        return onPath(name, System.getenv("PATH"));
    }

    static Optional<Path> onPath(String name, String path) {
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator, -1)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** {@value #GO_VARIABLE} when set, else {@code go} on PATH, else /usr/local/go/bin/go (Go's tarball install). */
    public static Path go() {
        String explicit = System.getenv(GO_VARIABLE);
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        Optional<Path> found = onPath("go");
        if (found.isPresent()) {
            return found.get();
        }
        Path tarball = Path.of("/usr/local/go/bin/go");
        if (Files.isExecutable(tarball)) {
            return tarball;
        }
        throw new IllegalStateException("go is not on PATH nor at " + tarball + "; set " + GO_VARIABLE
                + "=/path/to/go");
    }
}
