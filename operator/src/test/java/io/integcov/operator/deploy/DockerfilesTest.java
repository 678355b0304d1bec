package io.integcov.operator.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.integcov.testing.RepoRoot;
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
 * only that module's build output, pins its base images and runs as non-root. The checks read the Dockerfile's
 * instructions ({@link Instruction#parse}: continuation lines joined, comments left out), so text that only sits in
 * a comment satisfies none of them.
 */
class DockerfilesTest {
    private static final Pattern BUILT_MODULE = Pattern.compile("-pl (\\S+)");
    private static final Pattern COPIED_OUTPUT = Pattern.compile("COPY --from=\\S+ (?:--\\S+ )*/src/([^/]+)/target/");
    private static final Pattern ARG = Pattern.compile("^(\\w+)=(\\S+)$");

    /** One Dockerfile instruction: its keyword (upper case) and its arguments, continuation lines joined. */
    record Instruction(String keyword, String args) {
        static List<Instruction> parse(String dockerfile) {
            List<Instruction> instructions = new ArrayList<>();
            StringBuilder current = new StringBuilder();
            for (String line : dockerfile.split("\n")) {
                String trimmed = line.strip();
                if (trimmed.startsWith("#") || trimmed.isEmpty() && current.isEmpty()) {
                    continue;
                }
                boolean continued = trimmed.endsWith("\\");
                current.append(continued ? trimmed.substring(0, trimmed.length() - 1) : trimmed).append(' ');
                if (!continued) {
                    String text = current.toString().strip().replaceAll("\\s+", " ");
                    int space = text.indexOf(' ');
                    instructions.add(new Instruction((space < 0 ? text : text.substring(0, space)).toUpperCase(),
                            space < 0 ? "" : text.substring(space + 1)));
                    current.setLength(0);
                }
            }
            return instructions;
        }
    }

    private static List<Instruction> parse(Path dockerfile) throws IOException {
        return Instruction.parse(Files.readString(dockerfile));
    }

    private static String args(List<Instruction> instructions, String keyword) {
        return String.join("\n", instructions.stream().filter(i -> i.keyword().equals(keyword))
                .map(Instruction::args).toList());
    }

    private static List<Instruction> finalStage(List<Instruction> instructions) {
        int last = 0;
        for (int i = 0; i < instructions.size(); i++) {
            if (instructions.get(i).keyword().equals("FROM")) {
                last = i;
            }
        }
        return instructions.subList(last, instructions.size());
    }

    private final Path root = RepoRoot.find();

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
            List<Instruction> instructions = parse(dockerfile);
            String image = variant(dockerfile).split("\\.")[0];
            String module = image.equals("integcov") ? "cli" : image;
            assertTrue(rootPom.contains("<module>" + module + "</module>"), module);
            assertEquals(List.of(module), all(BUILT_MODULE, args(instructions, "RUN")),
                    dockerfile + " builds only " + module);
            List<String> copied = all(COPIED_OUTPUT, "COPY " + args(instructions, "COPY").replace("\n", "\nCOPY "));
            assertFalse(copied.isEmpty(), dockerfile + " copies a build output");
            copied.forEach(from -> assertEquals(module, from, dockerfile + " copies from " + from));
            assertTrue(text.contains("docker build -f deploy/docker/" + dockerfile.getFileName() + " "),
                    dockerfile + " documents its own build command (in a comment)");
        }
    }

    @Test
    void baseImagesArePinnedAndTheFinalStageIsNotRoot() throws IOException {
        for (Path dockerfile : dockerfiles()) {
            List<Instruction> instructions = parse(dockerfile);
            Map<String, String> args = new HashMap<>();
            for (Instruction instruction : instructions) {
                Matcher arg = ARG.matcher(instruction.args());
                if (instruction.keyword().equals("ARG") && arg.matches()) {
                    args.put(arg.group(1), arg.group(2));
                }
            }
            for (Instruction instruction : instructions.stream().filter(i -> i.keyword().equals("FROM")).toList()) {
                String from = instruction.args().split(" ")[0];
                String image = from.startsWith("${") ? args.get(from.substring(2, from.length() - 1)) : from;
                assertTrue(image != null && (image.equals("scratch") || image.matches("[^:]+:[^:]+")),
                        dockerfile + ": FROM " + from + " has no tag");
                assertFalse(image.endsWith(":latest"), dockerfile + ": " + image);
            }
            List<Instruction> finalStage = finalStage(instructions);
            assertTrue(finalStage.contains(new Instruction("USER", "65532:65532")), dockerfile + " final stage runs as 65532");
            assertTrue(finalStage.stream().anyMatch(i -> i.keyword().equals("ENTRYPOINT") && i.args().startsWith("[")),
                    dockerfile + " has an entrypoint");
        }
    }

    @Test
    void theAgentImageHoldsOnlyTheStaticGoBinariesWhereTheInitContainerRunsThem() throws IOException {
        String text = Files.readString(root.resolve("deploy/docker/agent.Dockerfile"));
        List<Instruction> instructions = Instruction.parse(text);
        String run = args(instructions, "RUN");
        assertTrue(run.contains("CGO_ENABLED=0 go build -trimpath"), "static Go build");
        assertTrue(run.contains("./cmd/integcov-agent "));
        assertTrue(run.contains("./cmd/integcov-agent-upload"));
        List<Instruction> finalStage = finalStage(instructions);
        assertEquals(new Instruction("FROM", "scratch"), finalStage.get(0), "nothing but the binary");
        assertEquals(List.of("/out/integcov-agent /integcov-agent", "/out/integcov-agent-upload /integcov-agent-upload"),
                all(Pattern.compile("(?m)^.* (/\\S+ /\\S+)$"), args(finalStage, "COPY")),
                "the path the webhook's init container command runs, the uploader next to it");
        assertTrue(text.contains("docker build -f deploy/docker/agent.Dockerfile -t integcov/agent:"));
    }

    @Test
    void instructionsLeaveCommentsOutAndJoinContinuationLines() {
        List<Instruction> parsed = Instruction.parse("""
                # USER 65532:65532
                FROM scratch
                RUN a \\
                # not part of it
                    b
                USER 0
                """);
        assertEquals(List.of(new Instruction("FROM", "scratch"), new Instruction("RUN", "a b"),
                new Instruction("USER", "0")), parsed);
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
