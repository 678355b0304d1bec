package io.integcov.e2e;

import static io.integcov.e2e.CoverageScenarios.assertWrapped;
import static io.integcov.e2e.CoverageScenarios.countFiles;
import static io.integcov.e2e.CoverageScenarios.covapp;
import static io.integcov.e2e.CoverageScenarios.pod;
import static io.integcov.e2e.CoverageScenarios.podSpec;
import static io.integcov.e2e.CoverageScenarios.terminated;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.integcov.model.CommandOverride;
import io.integcov.model.CoverageCapture;
import io.integcov.testing.GoTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An ENTRYPOINT-only image (no command in the pod; the capture's commandOverride names it) that exits 4 is wrapped, the
 * pod status shows the app's own exit code, and the agent uploads to {@code file://} storage on a hostPath, which
 * {@code integcov collect --from} reads.
 */
@ExtendWith({LocalClusterExtension.class, CoverageScenariosExtension.class, SystemPodLogsOnFailure.class})
class EntrypointExitCodeAndHostPathStorageTest {
    /** The file:// storage the pods reach through a hostPath at the same path, written as user 65532. */
    static Path hostStorage;

    @BeforeAll
    static void setUp(CoverageScenarios s) throws Exception {
        hostStorage = Files.createDirectories(s.work.resolve("hostpath-storage"));
        Files.setPosixFilePermissions(hostStorage, PosixFilePermissions.fromString("rwxrwxrwx"));
    }

    @Test
    void imageEntrypointAppExitingNonZeroShowsItsExitCodeAndUploadsToAHostPath(CoverageScenarios s) throws Exception {
        // file:// storage through a hostPath (not allowed under "restricted", so this namespace only labels)
        String ns = "e2e-hostpath";
        s.namespace(ns, true, false);
        String url = "file://" + hostStorage;
        CoverageCapture cc = s.capture(ns, "files", url, "files",
                new CommandOverride("app", List.of(Images.COVAPP_PATH)));
        // no command in the pod: the image's ENTRYPOINT; the capture's commandOverride says what it is
        Container app = new ContainerBuilder(covapp(Images.COVAPP_ENTRYPOINT, List.of(), List.of("-work", "9",
                "-exit", "4"))).addNewVolumeMount().withName("storage").withMountPath(hostStorage.toString())
                .endVolumeMount().build();
        PodSpec spec = new PodSpecBuilder(podSpec("Never", app)).addNewVolume().withName("storage").withNewHostPath()
                .withPath(hostStorage.toString()).withType("Directory").endHostPath().endVolume().build();
        Pod desired = pod(ns, "exits-4", "files", spec);
        s.awaitWebhookSees(desired);
        s.admin.pods().inNamespace(ns).resource(desired).create();

        Pod done = s.waitPod(ns, "exits-4", "Failed", p -> "Failed".equals(p.getStatus().getPhase()));
        assertWrapped(done, cc, List.of(Images.COVAPP_PATH), List.of("-work", "9", "-exit", "4"));
        assertEquals(4, terminated(done).getExitCode(), "the app's own exit code: " + terminated(done));

        Path podDir = hostStorage.resolve(ns).resolve("files").resolve(cc.getMetadata().getUid()).resolve("exits-4");
        KubeApiServer.waitUntil("upload manifest below " + podDir, null, () -> {
            try (Stream<Path> files = Files.walk(podDir)) {
                return files.anyMatch(f -> f.getFileName().toString().equals("integcov-manifest.json"));
            } catch (java.nio.file.NoSuchFileException e) {
                return false;
            }
        });
        Path out = s.work.resolve("collected-hostpath");
        String log = s.runCli(List.of("collect", "--from", url, "-o", out.toString()), s.cliEnv());
        assertEquals(1, countFiles(out, "covcounters."), log);
        double percent = GoTools.coveragePercent(out);
        assertTrue(percent > 0 && percent < 100, percent + "\n" + log);
    }
}
