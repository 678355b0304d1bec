package io.integcov.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.integcov.storage.Manifest;
import io.integcov.testing.GoTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The manifest contract across languages: the real Go {@code integcov-agent} (agent/target, built by the agent module)
 * wraps covapp and writes {@code integcov-manifest.json} to file://; the Java side reads it with
 * {@link Manifest#fromJson}, as collect and the operator do.
 */
class AgentManifestIT {

    @Test
    void manifestWrittenByTheAgentIsReadByTheJavaSide(@TempDir Path tmp) throws Exception {
        Path covapp = GoTools.buildCovapp(tmp.resolve("bin"));
        Path store = tmp.resolve("store");
        ProcessBuilder builder = new ProcessBuilder(GoTools.agentBinary().toString(), "run", "--", covapp.toString(),
                "-exit", "3").redirectErrorStream(true).redirectOutput(tmp.resolve("out").toFile());
        Map<String, String> env = builder.environment();
        env.put("GOCOVERDIR", tmp.resolve("covdata").toString());
        env.put("INTEGCOV_STORAGE", "file://" + store);
        env.put("INTEGCOV_POD_NAMESPACE", "ns-1");
        env.put("INTEGCOV_CAPTURE", "nightly");
        env.put("INTEGCOV_CAPTURE_UID", "0b7e6f2c-uid");
        env.put("INTEGCOV_POD_NAME", "pod-1");
        env.put("INTEGCOV_CONTAINER", "app");
        Process agent = builder.start();
        assertTrue(agent.waitFor(2, TimeUnit.MINUTES), "agent finished");
        assertEquals(3, agent.exitValue(), Files.readString(tmp.resolve("out")));

        Path runs = store.resolve("ns-1/nightly/0b7e6f2c-uid/pod-1/app");
        Path run;
        try (Stream<Path> dirs = Files.list(runs)) {
            List<Path> all = dirs.toList();
            assertEquals(1, all.size(), all.toString());
            run = all.get(0);
        }
        Manifest manifest = Manifest.fromJson(Files.readAllBytes(run.resolve(Manifest.FILE_NAME)));

        assertEquals(Manifest.CURRENT_VERSION, manifest.version());
        assertEquals(List.of("ns-1", "nightly", "0b7e6f2c-uid", "pod-1", "app", "wrap"), List.of(manifest.namespace(),
                manifest.capture(), manifest.captureUid(), manifest.pod(), manifest.container(), manifest.mode()));
        assertEquals(run.getFileName().toString(), manifest.runId());
        assertEquals(3, manifest.exitCode());
        assertNull(manifest.signal());
        assertNull(manifest.failed());
        assertTrue(manifest.startedAt().compareTo(manifest.exitedAt()) <= 0, manifest.toString());
        Map<String, Path> stored = new TreeMap<>();
        try (Stream<Path> files = Files.list(run)) {
            files.filter(p -> !p.getFileName().toString().equals(Manifest.FILE_NAME))
                    .forEach(p -> stored.put(p.getFileName().toString(), p));
        }
        assertEquals(stored.keySet(), new java.util.TreeSet<>(manifest.files().stream().map(Manifest.FileEntry::name).toList()));
        for (Manifest.FileEntry entry : manifest.files()) {
            byte[] data = Files.readAllBytes(stored.get(entry.name()));
            CRC32C crc = new CRC32C();
            crc.update(data);
            assertEquals(data.length, entry.size(), entry.name());
            assertEquals(crc.getValue(), entry.crc32c(), "unsigned CRC-32C of " + entry.name());
        }
        assertTrue(manifest.totalBytes() > 0);
    }
}
