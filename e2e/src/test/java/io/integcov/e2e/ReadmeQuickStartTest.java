package io.integcov.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The README's kind quick start is run as written by {@code src/ci/quickstart.sh} (CI runs it after the tests, on its
 * own local cluster). This test is the fast half: without a cluster, it checks that the script still fits the README
 * (its four substitutions each match, nothing of Docker or kind is left) and that every file the quick start names
 * exists, so a README edit that the runner cannot follow fails the build here, not only in the slow run.
 */
class ReadmeQuickStartTest {

    private static final Path ROOT = E2eEnv.repoRoot();

    @Test
    void quickStartScriptFollowsEveryLineOfTheReadmeAndReplacesOnlyKindAndDocker() throws Exception {
        Process p = new ProcessBuilder("bash", ROOT.resolve("src/ci/quickstart.sh").toString(), "--print")
                .redirectErrorStream(true).start();
        String script = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), script);

        for (String line : readmeQuickStartLines()) {
            boolean replaced = line.startsWith("docker build ") || line.startsWith("kind ");
            if (!replaced) {
                assertTrue(script.lines().anyMatch(line::equals), "README line not run as written: " + line);
            }
        }
        assertTrue(script.lines().noneMatch(l -> l.matches("\\s*(docker|kind)( .*)?")), script);
        assertTrue(script.contains("integcov collect --capture demo/covapp"), script);
    }

    @Test
    void everyFileTheQuickStartNamesExists() throws Exception {
        Matcher m = Pattern.compile("(?:-f |-k )((?:deploy|examples)/[\\w./-]*)").matcher(String.join("\n",
                readmeQuickStartLines()));
        int named = 0;
        while (m.find()) {
            named++;
            assertTrue(Files.exists(ROOT.resolve(m.group(1))), "the quick start names " + m.group(1));
        }
        assertTrue(named >= 8, "Dockerfiles and manifests named by the quick start: " + named);
    }

    /** The lines of the ```sh blocks under "## Quick start on kind", as the README shows them. */
    private static List<String> readmeQuickStartLines() throws IOException {
        List<String> readme = Files.readAllLines(ROOT.resolve("README.md"));
        List<String> lines = new java.util.ArrayList<>();
        boolean section = false;
        boolean block = false;
        for (String line : readme) {
            if (line.startsWith("## ")) {
                section = line.startsWith("## Quick start on kind");
                continue;
            }
            if (section && line.equals("```sh")) {
                block = true;
            } else if (section && block && line.equals("```")) {
                block = false;
            } else if (section && block && !line.isBlank() && !line.startsWith("#")) {
                lines.add(line);
            }
        }
        assertTrue(lines.size() > 10, "quick start lines found in README.md: " + lines);
        return lines;
    }
}
