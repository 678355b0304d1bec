package io.integcov.cli.collect;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs {@code go tool covdata} and {@code go tool cover}: merging and rendering stay Go's own, so the numbers are the
 * ones Go developers see elsewhere. {@code go} is looked up on PATH (or INTEGCOV_GO).
 */
final class GoCommand {
    record Result(int exitCode, String output) {
    }

    private final String go;

    GoCommand() {
        String override = System.getenv("INTEGCOV_GO");
        this.go = override != null && !override.isBlank() ? override : findOnPath("go");
    }

    boolean available() {
        return go != null;
    }

    /** {@code go tool <tool> args...} in {@code workDir} (null: the current directory), stdout and stderr merged. */
    Result run(Path workDir, String tool, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(go, "tool", tool));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (workDir != null) {
            builder.directory(workDir.toFile());
        }
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(process.waitFor(), output);
    }

    /** {@code go env NAME}: the value, or null when go cannot say. */
    String env(String name) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(go, "env", name).redirectErrorStream(false)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String value = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        return process.waitFor() == 0 && !value.isEmpty() ? value : null;
    }

    private static String findOnPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }
}
