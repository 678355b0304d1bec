package io.integcov.cli.collect;

import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Download progress on stderr. On a terminal one line is redrawn in place; otherwise, as in CI logs, a plain line is
 * printed, so that a long download shows it is alive. Either way at most one line every {@code every}.
 */
final class Progress {
    private final PrintWriter err;
    private final boolean terminal;
    private final long everyNanos;
    private final int totalFiles;
    private final long startNanos = System.nanoTime();
    private final AtomicInteger files = new AtomicInteger();
    private final AtomicLong bytes = new AtomicLong();
    private long lastPrintNanos = System.nanoTime();
    private boolean redrawn;

    Progress(PrintWriter err, boolean terminal, java.time.Duration every, int totalFiles) {
        this.err = err;
        this.terminal = terminal;
        this.everyNanos = every.toNanos();
        this.totalFiles = totalFiles;
    }

    void fileDone(long size) {
        int done = files.incrementAndGet();
        bytes.addAndGet(size);
        long now = System.nanoTime();
        synchronized (this) {
            if (now - lastPrintNanos >= everyNanos && done < totalFiles) {
                lastPrintNanos = now;
                print(done, now);
            }
        }
    }

    /** Ends the redrawn line, if any. */
    synchronized void finish() {
        if (terminal && redrawn) {
            err.print("\r\033[K");
            err.flush();
        }
    }

    private void print(int done, long now) {
        String line = String.format("integcov collect: %d/%d files, %s, %.1fs", done, totalFiles,
                humanBytes(bytes.get()), (now - startNanos) / 1e9);
        if (terminal) {
            err.print("\r\033[K" + line);
            redrawn = true;
        } else {
            err.println(line);
        }
        err.flush();
    }

    static String humanBytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        if (bytes < 1024 * 1024) {
            return String.format("%.1f KiB", bytes / 1024.0);
        }
        return String.format("%.1f MiB", bytes / (1024.0 * 1024));
    }
}
