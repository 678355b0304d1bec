package io.integcov.operator.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Static checks of deploy/docker/*.Dockerfile (no Docker engine here): each builds the module its name says, copies
 * only that module's build output, pins its base images and runs as non-root.
 */
class DockerfilesTest {
    private static final Pattern BUILT_MODULE = Pattern.compile("-pl (\\S+)");
    private static final Pattern COPIED_OUTPUT = Pattern.compile("COPY --from=\\S+ (?:--\\S+ )*/src/([^/]+)/target/");
    private static final Pattern ARG = Pattern.compile("(?m)^ARG (\\w+)=(\\S+)$");
    private static final Pattern FROM = Pattern.compile("(?m)^FROM (\\S+)");

    private final Path root = Path.of(System.getProperty("integcov.root", "..")).toAbsolutePath().normalize();

    @Test
    void everyServerImageHasANativeAndAJvmDockerfileTheCliAJvmOneAndTheAgentAGoOne() throws IOException {
        assertEquals(List.of("agent", "integcov.jvm", "operator.jvm", "operator.native", "webhook.jvm",
                "webhook.native"), dockerfiles().stream().map(DockerfilesTest::variant).sorted().toList());
    }

    @Test
    void eachMavenDockerfileBuildsAndCopiesItsOwnModule() throws IOException {
        String rootPom = Files.readString(root.resolve("pom.xml"));
        for (Path dockerfile : dockerfiles().stream().filter(f -> !variant(f).equals("agent")).toList()) {
            String text = Files.readString(dockerfile);
            String image = variant(dockerfile).split("\\.")[0];
            String module = image.equals("integcov") ? "cli" : image;
            assertTrue(rootPom.contains("<module>" + module + "</module>"), module);
            assertEquals(List.of(module), all(BUILT_MODULE, text), dockerfile + " builds only " + module);
            List<String> copied = all(COPIED_OUTPUT, text);
            assertFalse(copied.isEmpty(), dockerfile + " copies a build output");
            copied.forEach(from -> assertEquals(module, from, dockerfile + " copies from " + from));
            assertTrue(text.contains("docker build -f deploy/docker/" + dockerfile.getFileName() + " "),
                    dockerfile + " documents its own build command");
        }
    }

    @Test
    void baseImagesArePinnedAndTheFinalStageIsNotRoot() throws IOException {
        for (Path dockerfile : dockerfiles()) {
            String text = Files.readString(dockerfile);
            Map<String, String> args = new HashMap<>();
            Matcher arg = ARG.matcher(text);
            while (arg.find()) {
                args.put(arg.group(1), arg.group(2));
            }
            for (String from : all(FROM, text)) {
                String image = from.startsWith("${") ? args.get(from.substring(2, from.length() - 1)) : from;
                assertTrue(image != null && (image.equals("scratch") || image.matches("[^:]+:[^:]+")),
                        dockerfile + ": FROM " + from + " has no tag");
                assertFalse(image.endsWith(":latest"), dockerfile + ": " + image);
            }
            String finalStage = text.substring(text.lastIndexOf("\nFROM "));
            assertTrue(finalStage.contains("\nUSER 65532:65532\n"), dockerfile + " final stage runs as 65532");
            assertTrue(finalStage.contains("\nENTRYPOINT ["), dockerfile + " has an entrypoint");
        }
    }

    @Test
    void theAgentImageHoldsOnlyTheStaticGoBinariesWhereTheInitContainerRunsThem() throws IOException {
        String text = Files.readString(root.resolve("deploy/docker/agent.Dockerfile"));
        assertTrue(text.contains("CGO_ENABLED=0 go build -trimpath"), "static Go build");
        assertTrue(text.contains("./cmd/integcov-agent "));
        assertTrue(text.contains("./cmd/integcov-agent-upload"));
        String finalStage = text.substring(text.lastIndexOf("\nFROM "));
        assertTrue(finalStage.startsWith("\nFROM scratch\n"), "nothing but the binary");
        assertEquals(List.of("/out/integcov-agent /integcov-agent", "/out/integcov-agent-upload /integcov-agent-upload"), all(Pattern.compile("(?m)^COPY .* (/\\S+ /\\S+)$"),
                finalStage), "the path the webhook's init container command runs, the uploader next to it");
        assertTrue(text.contains("docker build -f deploy/docker/agent.Dockerfile -t integcov/agent:"));
    }

    private List<Path> dockerfiles() throws IOException {
        try (Stream<Path> files = Files.list(root.resolve("deploy/docker"))) {
            return files.filter(f -> f.getFileName().toString().endsWith(".Dockerfile")).sorted().toList();
        }
    }

    private static String variant(Path dockerfile) {
        return dockerfile.getFileName().toString().replace(".Dockerfile", "");
    }

    private static List<String> all(Pattern pattern, String text) {
        List<String> found = new ArrayList<>();
        Matcher matcher = pattern.matcher(text);
        while (matcher.find()) {
            found.add(matcher.group(1));
        }
        return found;
    }
}
