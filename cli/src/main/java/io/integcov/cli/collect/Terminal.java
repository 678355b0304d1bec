package io.integcov.cli.collect;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether stderr is a terminal. Java 17 has no direct test ({@code System.console()} asks about stdin and stdout, and
 * collect's stdout is often piped); on Linux {@code /proc/self/fd/2} names the terminal device.
 */
final class Terminal {
    private Terminal() {
    }

    static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (Exception e) {
            return System.console() != null;
        }
    }
}
