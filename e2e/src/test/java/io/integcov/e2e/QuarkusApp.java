package io.integcov.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs a module's Quarkus fast-jar ({@code <module>/target/quarkus-app/quarkus-run.jar}) as a child process. */
public final class QuarkusApp {
    private QuarkusApp() {
    }

    /** The fast-jar of {@code module}; fails (never skips) when it is missing: the reactor builds it before e2e. */
    public static Path jar(String module) {
        Path jar = E2eEnv.repoRoot().resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            fail(jar + " is missing; build it first: mvn -B -pl " + module + " -am install -DskipTests");
        }
        return jar;
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (java.util.stream.Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    public static Path java() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    /**
     * Starts a copy of the module's {@code target/quarkus-app} (taken into {@code workDir}, like an image), so that a
     * rebuild of the module while the test runs cannot pull jars from under the running process.
     */
    public static ManagedProcess start(String module, Map<String, String> env, Path workDir) throws IOException {
        Path app = jar(module).getParent();
        Path copy = workDir.resolve("quarkus-app");
        Files.createDirectories(workDir);
        copyTree(app, copy);
        List<String> cmd = new ArrayList<>();
        cmd.add(java().toString());
        if (!env.containsKey("JAVA_TOOL_OPTIONS")) {
            cmd.add("-Xmx256m"); // else the JVM runs with the heap deploy/ gives it (JAVA_TOOL_OPTIONS of its container)
        }
        cmd.add("-jar");
        cmd.add(copy.resolve("quarkus-run.jar").toString());
        return ManagedProcess.start(module, cmd, env, workDir, workDir.resolve(module + ".log"));
    }
}
