package io.integcov.cli.install;

import io.integcov.cli.IntegcovCommand;
import io.integcov.cli.Log;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/** Copies the running integcov (native executable, or jar + launcher script) into a directory. */
public final class Installer {
    public static final String EXECUTABLE = "integcov";
    public static final String JAR = "integcov.jar";
    private static final String LAUNCHER_TEMPLATE = "launcher.sh";

    private Installer() {
    }

    /** Returns the installed executable {@code dir/integcov}. */
    public static Path install(Path dir) throws IOException {
        Files.createDirectories(dir);
        setMode(dir, "rwxr-xr-x", true);
        Path executable = dir.resolve(EXECUTABLE);
        if (System.getProperty("org.graalvm.nativeimage.imagecode") != null) {
            copyAtomically(Path.of("/proc/self/exe"), executable, "rwxr-xr-x");
        } else {
            copyAtomically(runningJar(), dir.resolve(JAR), "rw-r--r--");
            writeAtomically(launcher(Path.of(System.getProperty("java.home"), "bin", "java")), executable, "rwxr-xr-x");
        }
        return executable;
    }

    /** The launcher script: the installer's java if the app container has it at that path, else java on PATH. */
    static byte[] launcher(Path java) throws IOException {
        try (InputStream in = Installer.class.getResourceAsStream(LAUNCHER_TEMPLATE)) {
            if (in == null) {
                throw new IllegalStateException(LAUNCHER_TEMPLATE + " missing from the integcov jar");
            }
            String template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return template.replace("@JAVA@", shellQuote(java.toString())).getBytes(StandardCharsets.UTF_8);
        }
    }

    static String shellQuote(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }

    private static Path runningJar() {
        try {
            Path location = Path.of(IntegcovCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!Files.isRegularFile(location) || !location.toString().endsWith(".jar")) {
                throw new IllegalStateException("integcov is not running from a jar (" + location
                        + "); install needs cli/target/integcov.jar or a native image");
            }
            return location;
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the integcov jar: " + e.getMessage());
        }
    }

    private static void copyAtomically(Path source, Path target, String mode) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
        try {
            Files.copy(source, tmp, StandardCopyOption.REPLACE_EXISTING);
            setMode(tmp, mode, false);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void writeAtomically(byte[] content, Path target, String mode) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
        try {
            Files.write(tmp, content);
            setMode(tmp, mode, false);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void setMode(Path path, String mode, boolean mayFail) throws IOException {
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(mode));
        } catch (IOException e) {
            if (!mayFail) {
                throw e;
            }
            // e.g. an emptyDir owned by another user: it is usually world-writable already
            Log.info("cannot chmod " + path + " (" + e.getMessage() + "); leaving its mode");
        }
    }
}
