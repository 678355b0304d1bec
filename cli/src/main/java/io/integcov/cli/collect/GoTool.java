package io.integcov.cli.collect;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs {@code go tool covdata}; {@code go} is looked up on PATH (or INTEGCOV_GO). */
final class Covdata {
    record Result(int exitCode, String output) {
    }

    private final String go;

    Covdata() {
        String override = System.getenv("INTEGCOV_GO");
        this.go = override != null && !override.isBlank() ? override : findOnPath("go");
    }

    boolean available() {
        return go != null;
    }

    Result run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(go, "tool", "covdata"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(process.waitFor(), output);
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
