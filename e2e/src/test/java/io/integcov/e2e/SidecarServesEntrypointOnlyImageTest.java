package io.integcov.e2e;

import static io.integcov.e2e.CoverageScenarios.APP_PORT;
import static io.integcov.e2e.CoverageScenarios.CONVERGE;
import static io.integcov.e2e.CoverageScenarios.SERVE_WORK;
import static io.integcov.e2e.CoverageScenarios.assertServedBySidecar;
import static io.integcov.e2e.CoverageScenarios.assertSidecarManifest;
import static io.integcov.e2e.CoverageScenarios.countFiles;
import static io.integcov.e2e.CoverageScenarios.covapp;
import static io.integcov.e2e.CoverageScenarios.pod;
import static io.integcov.e2e.CoverageScenarios.podSpec;
import static io.integcov.e2e.CoverageScenarios.sendRequests;
import static io.integcov.e2e.CoverageScenarios.sidecarStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import io.integcov.model.CoverageCapture;
import io.integcov.model.InjectedPod;
import io.integcov.testing.GoTools;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Native-sidecar mode on the real kubelet, default store: containers whose command integcov cannot know (an
 * ENTRYPOINT-only distroless image, no commandOverride) or that a capture puts in {@code Sidecar} mode keep their
 * command; a native sidecar (init container with restartPolicy Always, from the agent image) uploads what Go writes.
 *
 * Here: an ENTRYPOINT-only image in {@code Auto} mode without an override is served by the sidecar (the capture's
 * status says so); on delete the kubelet stops the app (SIGTERM reaches covapp itself), then the sidecar, which uploads
 * the exit's counters and writes the manifest; {@code integcov collect} gets the direct run's percent.
 */
@ExtendWith({LocalClusterExtension.class, CoverageScenariosExtension.class, SystemPodLogsOnFailure.class})
class SidecarServesEntrypointOnlyImageTest {
    static final String NS = "e2e-sidecar";

    @Test
    void entrypointOnlyImageInAutoModeIsServedByTheNativeSidecarAndGivesTheDirectRunsCoverage(CoverageScenarios s) throws Exception {
        s.namespace(NS, true, true);
        CoverageCapture cc = s.sidecarCapture(NS, "entrypoint", "entrypoint", null);
        List<String> args = new ArrayList<>(List.of("-serve", ":" + APP_PORT));
        args.addAll(SERVE_WORK);
        // no command: the image's ENTRYPOINT, unknown at admission; no commandOverride either
        Pod desired = pod(NS, "entrypoint-only", "entrypoint", podSpec("Always",
                covapp(Images.COVAPP_ENTRYPOINT, List.of(), args)));
        s.awaitWebhookSees(desired);
        s.admin.pods().inNamespace(NS).resource(desired).create();

        Pod running = s.waitPod(NS, "entrypoint-only", "Running with its sidecar started",
                p -> "Running".equals(p.getStatus().getPhase()) && p.getStatus().getInitContainerStatuses() != null
                        && p.getStatus().getInitContainerStatuses().stream().anyMatch(c -> Boolean.TRUE.equals(
                                c.getStarted()) && c.getState().getRunning() != null));
        assertServedBySidecar(running, cc, List.of(), args);
        assertTrue(sidecarStatus(running).getState().getRunning() != null, "sidecar runs next to the app: "
                + sidecarStatus(running));
        sendRequests(running.getStatus().getPodIP(), APP_PORT);

        CoverageCapture withMode = s.admin.resources(CoverageCapture.class).inNamespace(NS)
                .withName("entrypoint").waitUntilCondition(c -> c.getStatus() != null
                        && c.getStatus().getInjected() != null && c.getStatus().getInjected().stream()
                                .anyMatch(i -> "entrypoint-only".equals(i.getPod())),
                        CONVERGE.toSeconds(), TimeUnit.SECONDS);
        InjectedPod shown = withMode.getStatus().getInjected().stream()
                .filter(i -> "entrypoint-only".equals(i.getPod())).findFirst().orElseThrow();
        assertEquals(InjectedPod.SIDECAR, shown.getMode(), shown.toString());
        assertEquals(List.of("app"), shown.getSidecar(), shown.toString());
        assertEquals(List.of(), shown.getWrapped(), shown.toString());

        // delete: the kubelet stops the app (SIGTERM, covapp writes its counters at exit), then the native sidecar,
        // which uploads what is left and writes the manifest
        ByteArrayOutputStream followed = new ByteArrayOutputStream();
        String beforeDelete = s.logs(NS, "entrypoint-only");
        try (LogWatch w = s.admin.pods().inNamespace(NS).withName("entrypoint-only")
                .inContainer("app").watchLog(followed)) {
            s.admin.pods().inNamespace(NS).withName("entrypoint-only").delete();
            s.admin.pods().inNamespace(NS).withName("entrypoint-only")
                    .waitUntilCondition(x -> x == null, CONVERGE.toSeconds(), TimeUnit.SECONDS);
        }
        assertTrue(followed.toString(StandardCharsets.UTF_8).contains("covapp: got terminated"),
                "SIGTERM reached covapp itself (no wrapper):\n" + followed);
        List<JsonNode> manifests = s.awaitGcsManifests(cc, "entrypoint-only", 1);
        assertEquals(1, manifests.size(), manifests.toString());
        assertSidecarManifest(manifests.get(0), cc, "entrypoint-only");

        Path out = s.work.resolve("collected-entrypoint");
        String log = s.runCli(List.of("collect", "--capture", NS + "/entrypoint", "--wait", "--timeout", "3m",
                "-o", out.toString()), s.cliEnv(), "logs before delete:\n" + beforeDelete);
        assertEquals(1, countFiles(out, "covcounters."), "the one run's counters:\n" + log);
        double collected = GoTools.coveragePercent(out);
        double direct = s.directPercent(1);
        System.out.printf("e2e: sidecar (ENTRYPOINT-only) coverage %.1f%% (direct run %.1f%%)%n", collected, direct);
        assertEquals(direct, collected, 0.0001, log);
        assertTrue(collected > 0 && collected < 100, "neverCalled() stays uncovered: " + collected);
    }
}
