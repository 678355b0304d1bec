package io.integcov.cli.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each way of sending signals, against a real shell process that traps them. */
class SignalSenderTest {
    @TempDir
    Path tmp;

    /** A shell that exits 10 on SIGUSR1 and 20 on SIGWINCH, after writing a ready file. */
    private Process trapper() throws Exception {
        Path ready = tmp.resolve("ready");
        Process process = new ProcessBuilder("/bin/sh", "-c",
                "trap 'exit 10' USR1; trap 'exit 20' WINCH; touch " + ready + "; while :; do sleep 0.05; done")
                .redirectErrorStream(true).redirectOutput(tmp.resolve("out").toFile()).start();
        for (int i = 0; i < 1200 && !Files.exists(ready); i++) {
            Thread.sleep(50);
        }
        assertTrue(Files.exists(ready), "trapper started");
        return process;
    }

    private static int exit(Process process) throws Exception {
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "process ended");
        return process.exitValue();
    }

    @Test
    void detectedKillSendsAnySignal() throws Exception {
        Process p = trapper();
        SignalSender.detect().send(p.toHandle(), "USR1", 10);
        assertEquals(10, exit(p));
    }

    @Test
    void shellBuiltinSendsAnySignal() throws Exception {
        Process p = trapper();
        new SignalSender(List.of("/bin/sh", "-c", "kill -\"$1\" \"$2\"", "sh")).send(p.toHandle(), "WINCH", 28);
        assertEquals(20, exit(p));
    }

    @Test
    void withoutAnyKillTermAndKillStillWork() throws Exception {
        SignalSender none = new SignalSender(List.of());
        Process p = trapper();
        none.send(p.toHandle(), "TERM", 15);
        assertEquals(128 + 15, exit(p));
        Process q = new ProcessBuilder("/bin/sh", "-c", "trap '' TERM; while :; do sleep 0.05; done").start();
        none.send(q.toHandle(), "KILL", 9);
        assertEquals(128 + 9, exit(q));
    }

    @Test
    void aMissingKillBinaryFallsBackToDestroy() throws Exception {
        Process p = trapper();
        new SignalSender(List.of(tmp.resolve("no-such-kill").toString())).send(p.toHandle(), "TERM", 15);
        assertEquals(128 + 15, exit(p));
    }
}
