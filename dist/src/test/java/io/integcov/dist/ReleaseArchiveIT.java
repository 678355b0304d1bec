package io.integcov.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unpacks dist/target/integcov-VERSION.tar.gz as a user would and runs bin/integcov from it. */
class ReleaseArchiveIT {

    static final Path ROOT = Path.of(System.getProperty("integcov.root"));
    static final String VERSION = System.getProperty("integcov.version");
    static final Path ARCHIVE = Path.of(System.getProperty("integcov.dist.archive"));

    @TempDir
    static Path unpacked;

    static Path home;

    @BeforeAll
    static void unpack() throws Exception {
        assertTrue(Files.isRegularFile(ARCHIVE), "archive not built: " + ARCHIVE);
        Result tar = run(List.of("tar", "-xzf", ARCHIVE.toString(), "-C", unpacked.toString()), Map.of());
        assertEquals(0, tar.exit, "tar -xzf failed: " + tar.output);
        try (Stream<Path> top = Files.list(unpacked)) {
            assertEquals(List.of("integcov-" + VERSION), top.map(p -> p.getFileName().toString()).toList(),
                    "the archive must hold exactly one top folder");
        }
        home = unpacked.resolve("integcov-" + VERSION);
    }

    @Test
    void holdsLauncherJarDeployCrdsAndReadme() throws IOException {
        for (String entry : List.of("bin/integcov", "lib/integcov.jar", "README.md", "deploy/kustomization.yaml",
                "deploy/base/kustomization.yaml", "deploy/base/crd/coveragecaptures.integcov.io-v1.yml",
                "deploy/docker/agent.Dockerfile", "crds/coveragecaptures.integcov.io-v1.yml")) {
            assertTrue(Files.isRegularFile(home.resolve(entry)), "missing " + entry);
        }
        assertArrayEquals(Files.readAllBytes(ROOT.resolve("README.md")), Files.readAllBytes(home.resolve("README.md")));
        assertEquals(files(ROOT.resolve("deploy")).keySet(), files(home.resolve("deploy")).keySet(),
                "deploy/ in the archive differs from the repository's");
        try (Stream<Path> all = Files.walk(home)) {
            List<String> unwanted = all.map(p -> home.relativize(p).toString().replace('\\', '/'))
                    .filter(p -> p.equals("target") || p.startsWith("target/") || p.contains("/target/")
                            || p.endsWith("/target") || p.contains("src/test") || p.endsWith(".java"))
                    .toList();
            assertEquals(List.of(), unwanted, "build output or tests in the archive");
        }
    }

    @Test
    void launcherIsExecutable() throws IOException {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(home.resolve("bin/integcov"));
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_EXECUTE,
                PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_EXECUTE), perms, "bin/integcov not 0755");
    }

    @Test
    void launcherPrintsVersion() throws Exception {
        Result r = run(List.of(home.resolve("bin/integcov").toString(), "--version"), javaHome());
        assertEquals(0, r.exit, r.output);
        assertTrue(r.output.contains("integcov " + VERSION), r.output);
    }

    @Test
    void launcherWorksThroughSymlinkFromAnotherDirectory() throws Exception {
        Path link = Files.createDirectories(unpacked.resolve("elsewhere")).resolve("integcov");
        Files.createSymbolicLink(link, home.resolve("bin/integcov"));
        Result r = run(List.of(link.toString(), "collect", "--help"), javaHome());
        assertEquals(0, r.exit, r.output);
        assertTrue(r.output.contains("--capture"), r.output);
    }

    @Test
    void crdsEqualTheRepositorys() throws IOException {
        Map<String, byte[]> repo = files(ROOT.resolve("crds"));
        Map<String, byte[]> archived = files(home.resolve("crds"));
        assertTrue(!repo.isEmpty(), "no CRDs in " + ROOT.resolve("crds"));
        assertEquals(repo.keySet(), archived.keySet());
        repo.forEach((name, bytes) -> assertArrayEquals(bytes, archived.get(name), "crds/" + name + " differs"));
    }

    /** The JVM running this test, so the launcher's JAVA_HOME branch is what runs. */
    static Map<String, String> javaHome() {
        return Map.of("JAVA_HOME", System.getProperty("java.home"));
    }

    static Map<String, byte[]> files(Path dir) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.filter(Files::isRegularFile).toList()) {
                out.put(dir.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
            }
        }
        return out;
    }

    record Result(int exit, String output) {}

    static Result run(List<String> command, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
