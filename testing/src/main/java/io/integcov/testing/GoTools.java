package io.integcov.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The Go toolchain as tests need it: build testapps/covapp with {@code -cover}, read coverage with {@code go tool covdata}. */
public final class GoTools {
    private static final Pattern PERCENT = Pattern.compile("coverage:\\s+([0-9.]+)% of statements");

    private GoTools() {
    }

    /** The {@code go} to run: {@link Executables#go()} ({@value Executables#GO_VARIABLE}, else PATH). */
    public static Path go() {
        return Executables.go();
    }

    /** {@link RepoRoot#find()}. */
    public static Path repoRoot() {
        return RepoRoot.find();
    }

    /**
     * The static {@code integcov-agent} that the {@code agent} Maven module builds ({@code <repo>/agent/target/
     * integcov-agent}); fails with a hint when it has not been built yet. It needs {@link #agentUploadBinary()} next
     * to it to upload.
     */
    public static Path agentBinary() {
        return agentTarget("integcov-agent");
    }

    /**
     * {@code integcov-agent-upload}, next to {@link #agentBinary()}: what {@code integcov-agent run} becomes after the
     * app exited, and what runs {@code sidecar} and {@code flush}.
     */
    public static Path agentUploadBinary() {
        return agentTarget("integcov-agent-upload");
    }

    private static Path agentTarget(String name) {
        Path binary = repoRoot().resolve("agent/target").resolve(name);
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException(name + " not found at " + binary
                    + "; build it with: mvn -B -ntp -pl agent compile (or mvn install at the root)");
        }
        return binary;
    }

    /** Builds testapps/covapp with {@code go build -cover} into {@code outDir/covapp} and returns that path. */
    public static Path buildCovapp(Path outDir) throws IOException, InterruptedException {
        Files.createDirectories(outDir);
        Path binary = outDir.resolve("covapp").toAbsolutePath();
        run(repoRoot().resolve("testapps/covapp"), go().toString(), "build", "-cover", "-o", binary.toString(), ".");
        return binary;
    }

    /** {@code go tool covdata percent -i dir[,dir...]}: the one package's statement coverage in percent. */
    public static double coveragePercent(Path... dirs) throws IOException, InterruptedException {
        List<String> names = new ArrayList<>();
        for (Path dir : dirs) {
            names.add(dir.toAbsolutePath().toString());
        }
        String out = run(Path.of("").toAbsolutePath(), go().toString(), "tool", "covdata", "percent", "-i",
                String.join(",", names));
        return parsePercent(out);
    }

    static double parsePercent(String covdataOutput) {
        Matcher m = PERCENT.matcher(covdataOutput);
        List<Double> found = new ArrayList<>();
        while (m.find()) {
            found.add(Double.parseDouble(m.group(1)));
        }
        if (found.size() != 1) {
            throw new IllegalStateException("expected one package in covdata output, got " + found.size() + ":\n" + covdataOutput);
        }
        return found.get(0);
    }

    /** Runs a command to completion (10 min at most), returning stdout+stderr; throws with that output on a non-zero exit. */
    public static String run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + String.join(" ", command));
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException("exit " + p.exitValue() + ": " + String.join(" ", command) + "\n" + text);
        }
        return text;
    }
}
