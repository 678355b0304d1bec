package io.integcov.operator.deploy;

import io.integcov.testing.Cache;
import io.integcov.testing.Executables;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Renders a kustomization with a real kustomize: {@code <integcov.cache>/bin/kustomize} if present, else
 * {@code kubectl kustomize} from the PATH, else kustomize built with {@code go install} into the cache.
 */
final class Kustomize {
    static final String KUSTOMIZE_MODULE = "sigs.k8s.io/kustomize/kustomize/v5@v5.7.1";

    private Kustomize() {
    }

    static String build(Path dir) throws IOException, InterruptedException {
        Path cached = cacheBin().resolve("kustomize");
        if (Files.isExecutable(cached)) {
            return run(List.of(cached.toString(), "build", dir.toString()), null);
        }
        Path kubectl = Executables.onPath("kubectl").orElse(null);
        if (kubectl != null) {
            return run(List.of(kubectl.toString(), "kustomize", dir.toString()), null);
        }
        return buildPinned(dir);
    }

    /**
     * Renders with kustomize {@value #KUSTOMIZE_MODULE} only (built with {@code go install} into the cache the first
     * time), never another version: what must come out byte for byte the same on every machine.
     */
    static String buildPinned(Path dir) throws IOException, InterruptedException {
        Path cached = cacheBin().resolve("kustomize");
        if (!Files.isExecutable(cached)) {
            Files.createDirectories(cacheBin());
            run(List.of(Executables.go().toString(), "install", KUSTOMIZE_MODULE), cacheBin());
        }
        return run(List.of(cached.toString(), "build", dir.toString()), null);
    }

    private static Path cacheBin() {
        return Cache.dir().resolve("bin");
    }

    private static String run(List<String> command, Path gobin) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(false);
        if (gobin != null) {
            builder.environment().put("GOBIN", gobin.toString());
        }
        Path stderr = Files.createTempFile("kustomize-", ".err");
        builder.redirectError(stderr.toFile());
        Process process = builder.start();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish");
        }
        String errors = Files.readString(stderr);
        Files.deleteIfExists(stderr);
        if (process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed (exit " + process.exitValue() + "): " + errors);
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
