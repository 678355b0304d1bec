package io.integcov.cli.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The packaged wrapper ({@code java -jar cli/target/integcov.jar ...}, or an installed launcher) as a real
 * subprocess, with its stdout/stderr (shared with its child) captured in files. The waits here are hang guards,
 * generous on purpose: no test asserts on time.
 */
final class WrapperProcess {
    static final long HANG_GUARD_SECONDS = 180;
    private static final List<String> ISOLATED_ENV = List.of("GOCOVERDIR", "STORAGE_EMULATOR_HOST", "INTEGCOV_STORAGE",
            "INTEGCOV_POD_NAME", "INTEGCOV_POD_NAMESPACE", "INTEGCOV_CONTAINER", "INTEGCOV_UPLOAD_TIMEOUT");

    private final Map<String, String> env = new LinkedHashMap<>();
    private final Path dir;
    private Process process;

    private WrapperProcess(Path dir) {
        this.dir = dir;
    }

    static WrapperProcess in(Path dir) {
        return new WrapperProcess(dir);
    }

    static Path jar() {
        Path jar = Path.of(System.getProperty("integcov.jar", "target/integcov.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " missing: run the integration tests through maven (verify)");
        }
        return jar.toAbsolutePath();
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    WrapperProcess env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** Starts {@code java -jar integcov.jar ARGS}. */
    WrapperProcess start(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(java(), "-jar", jar().toString()));
        command.addAll(List.of(args));
        return startCommand(command);
    }

    /** Starts an arbitrary command (e.g. an installed launcher) with this environment and captured output. */
    WrapperProcess startCommand(List<String> command) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(dir.resolve("stdout").toFile())
                .redirectError(dir.resolve("stderr").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        ISOLATED_ENV.forEach(builder.environment()::remove);
        builder.environment().putAll(env);
        process = builder.start();
        return this;
    }

    long pid() {
        return process.pid();
    }

    /** The wrapper's children (the app; a transient kill helper may show up too). */
    List<ProcessHandle> children() {
        return process.toHandle().children().toList();
    }

    int waitFor() throws InterruptedException, IOException {
        if (!process.waitFor(HANG_GUARD_SECONDS, TimeUnit.SECONDS)) {
            process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new AssertionError("wrapper still running after " + HANG_GUARD_SECONDS + " s\n" + describe());
        }
        return process.exitValue();
    }

    /** Sends a signal by name (e.g. "USR1") to the wrapper. */
    void signal(String name) throws IOException, InterruptedException {
        signal(name, process.pid());
    }

    static void signal(String name, long pid) throws IOException, InterruptedException {
        int code = new ProcessBuilder("kill", "-s", name, String.valueOf(pid)).inheritIO().start().waitFor();
        if (code != 0) {
            throw new IOException("kill -s " + name + " " + pid + " exited with " + code);
        }
    }

    String stdout() throws IOException {
        return Files.readString(dir.resolve("stdout"));
    }

    String stderr() throws IOException {
        return Files.readString(dir.resolve("stderr"));
    }

    String describe() throws IOException {
        return "--- stdout:\n" + stdout() + "--- stderr:\n" + stderr();
    }

    void awaitStdout(String text) throws Exception {
        await(() -> read(dir.resolve("stdout")).contains(text), "stdout to contain '" + text + "'");
    }

    void awaitStderr(String text) throws Exception {
        await(() -> read(dir.resolve("stderr")).contains(text), "stderr to contain '" + text + "'");
    }

    void awaitFile(Path file) throws Exception {
        await(() -> Files.exists(file), file + " to exist");
    }

    void await(BooleanSupplier condition, String what) throws Exception {
        for (long i = 0; i < HANG_GUARD_SECONDS * 20; i++) {
            if (condition.getAsBoolean()) {
                return;
            }
            if (!process.isAlive() && !condition.getAsBoolean()) {
                throw new AssertionError("wrapper exited (" + process.exitValue() + ") while waiting for " + what + "\n"
                        + describe());
            }
            Thread.sleep(50);
        }
        throw new AssertionError("gave up waiting for " + what + "\n" + describe());
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }
}
