package io.integcov.cli;

/** The wrapper shares stderr with the application: every line it writes starts with "integcov:". */
public final class Log {
    private Log() {
    }

    public static void info(String message) {
        System.err.println("integcov: " + message);
    }
}
