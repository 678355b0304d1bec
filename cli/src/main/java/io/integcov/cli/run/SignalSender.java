package io.integcov.cli.run;

import io.integcov.cli.Log;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Sends a signal to a process. Java has no kill(2) for arbitrary signals, so this runs {@code kill -N PID} with a
 * {@code kill} binary, or where the image has none with {@code /bin/sh}'s builtin (by number, which every kill
 * understands). With neither (a distroless app image), TERM and KILL still work through
 * {@link ProcessHandle#destroy()} / {@link ProcessHandle#destroyForcibly()}; other signals are logged as lost.
 */
final class SignalSender {
    private static final List<String> KILL_BINARIES = List.of("/bin/kill", "/usr/bin/kill");
    private static final String SHELL = "/bin/sh";

    private final List<String> command;

    /** @param command kill binary, or a shell running kill, to which "-N PID" is appended; empty: destroy() only */
    SignalSender(List<String> command) {
        this.command = command;
    }

    /** Finds the best way to signal on this system (file existence checks only). */
    static SignalSender detect() {
        for (String kill : KILL_BINARIES) {
            if (Files.isExecutable(Path.of(kill))) {
                return new SignalSender(List.of(kill));
            }
        }
        if (Files.isExecutable(Path.of(SHELL))) {
            return new SignalSender(List.of(SHELL, "-c", "kill -\"$1\" \"$2\"", "sh"));
        }
        return new SignalSender(List.of());
    }

    /** @param name signal name without SIG, e.g. "USR1"; {@code number} its number on this system */
    void send(ProcessHandle target, String name, int number) {
        if (!target.isAlive()) {
            return;
        }
        if (!command.isEmpty()) {
            try {
                List<String> argv = new ArrayList<>(command);
                argv.add(command.size() == 1 ? "-" + number : String.valueOf(number));
                argv.add(String.valueOf(target.pid()));
                Process kill = new ProcessBuilder(argv)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start();
                if (kill.waitFor() == 0 || !target.isAlive()) {
                    return;
                }
                Log.info("forwarding SIG" + name + ": " + String.join(" ", argv) + " exited with " + kill.exitValue());
            } catch (IOException e) {
                Log.info("forwarding SIG" + name + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        switch (name) {
            case "TERM" -> target.destroy();
            case "KILL" -> target.destroyForcibly();
            default -> Log.info("cannot forward SIG" + name + ": no kill binary or /bin/sh in this image");
        }
    }
}
