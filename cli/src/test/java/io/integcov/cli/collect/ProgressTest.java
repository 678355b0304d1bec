package io.integcov.cli.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProgressTest {

    @Test
    void plainModePrintsWholeLinesAndNothingForTheLastFile() {
        StringWriter err = new StringWriter();
        Progress progress = new Progress(new PrintWriter(err), false, Duration.ZERO, 3);

        progress.fileDone(1000);
        progress.fileDone(2000);
        progress.fileDone(3000);
        progress.finish();

        String[] lines = err.toString().split("\n");
        assertEquals(2, lines.length, err.toString());
        assertTrue(lines[0].startsWith("integcov collect: 1/3 files, 1000 B, "), lines[0]);
        assertTrue(lines[1].startsWith("integcov collect: 2/3 files, 2.9 KiB, "), lines[1]);
    }

    @Test
    void terminalModeRedrawsOneLineAndClearsIt() {
        StringWriter err = new StringWriter();
        Progress progress = new Progress(new PrintWriter(err), true, Duration.ZERO, 3);

        progress.fileDone(10);
        progress.fileDone(10);
        progress.finish();

        assertEquals(-1, err.toString().indexOf('\n'), "no new lines on a terminal");
        assertTrue(err.toString().startsWith("\r\033[Kintegcov collect: 1/3 files"), err.toString());
        assertTrue(err.toString().endsWith("\r\033[K"), "the line is cleared at the end");
    }

    @Test
    void aLongIntervalPrintsNothingForAQuickDownload() {
        StringWriter err = new StringWriter();
        Progress progress = new Progress(new PrintWriter(err), false, Duration.ofHours(1), 3);

        progress.fileDone(1);
        progress.fileDone(1);
        progress.finish();

        assertEquals("", err.toString());
    }
}
