package io.integcov.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GoToolsTest {

    @Test
    void parsesCovdataPercent() {
        assertEquals(51.3, GoTools.parsePercent("\tintegcov.io/testapps/covapp\t\tcoverage: 51.3% of statements\n"));
        assertThrows(IllegalStateException.class, () -> GoTools.parsePercent("no data\n"));
        assertThrows(IllegalStateException.class, () -> GoTools.parsePercent(
                "\ta\t\tcoverage: 1.0% of statements\n\tb\t\tcoverage: 2.0% of statements\n"));
    }

    @Test
    void buildsCovappAndReadsItsCoverage(@TempDir Path tmp) throws Exception {
        Path covapp = GoTools.buildCovapp(tmp.resolve("bin"));
        Path covdata = Files.createDirectories(tmp.resolve("covdata"));
        ProcessBuilder run = new ProcessBuilder(covapp.toString(), "-exit", "0").redirectErrorStream(true)
                .redirectOutput(tmp.resolve("out").toFile());
        run.environment().put("GOCOVERDIR", covdata.toString());
        assertEquals(0, run.start().waitFor());
        double percent = GoTools.coveragePercent(covdata);
        assertTrue(percent > 0 && percent < 100, "partial coverage: " + percent);
    }

    @Test
    void cacheDirFromSystemProperty() {
        String old = System.getProperty("integcov.cache");
        try {
            System.setProperty("integcov.cache", "/some/cache");
            assertEquals(Path.of("/some/cache"), Cache.dir());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Cache.binary("nope", "hint.sh"));
            assertTrue(e.getMessage().contains("/some/cache/bin/nope") && e.getMessage().contains("hint.sh"), e.getMessage());
        } finally {
            if (old == null) {
                System.clearProperty("integcov.cache");
            } else {
                System.setProperty("integcov.cache", old);
            }
        }
    }
}
