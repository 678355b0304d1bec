package io.integcov.cli.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class InstallerTest {

    @Test
    void launcherUsesTheGivenJavaQuotedThenPath() throws Exception {
        String script = new String(Installer.launcher(Path.of("/opt/my java/bin/java")), StandardCharsets.UTF_8);
        assertTrue(script.startsWith("#!/bin/sh\n"), script);
        assertTrue(script.contains("java='/opt/my java/bin/java'\n"), script);
        assertTrue(script.contains("[ -x \"$java\" ] || java=java"), script);
        assertTrue(script.contains("-jar \"$here/integcov.jar\" \"$@\""), script);
    }

    @Test
    void shellQuote() {
        assertEquals("'it'\\''s'", Installer.shellQuote("it's"));
    }
}
