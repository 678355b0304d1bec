package io.integcov.e2e;

import static io.integcov.e2e.CoverageScenarios.APP_PORT;
import static io.integcov.e2e.CoverageScenarios.CONVERGE;
import static io.integcov.e2e.CoverageScenarios.SERVE_WORK;
import static io.integcov.e2e.CoverageScenarios.assertServedBySidecar;
import static io.integcov.e2e.CoverageScenarios.countFiles;
import static io.integcov.e2e.CoverageScenarios.covapp;
import static io.integcov.e2e.CoverageScenarios.pod;
import static io.integcov.e2e.CoverageScenarios.podSpec;
import static io.integcov.e2e.CoverageScenarios.sendRequests;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.integcov.model.CoverageCapture;
import io.integcov.model.Labels;
import io.integcov.testing.GoTools;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Native-sidecar mode on the real kubelet, default store: containers whose command integcov cannot know (an
 * ENTRYPOINT-only distroless image, no commandOverride) or that a capture puts in {@code Sidecar} mode keep their
 * command; a native sidecar (init container with restartPolicy Always, from the agent image) uploads what Go writes.
 *
 * Here: a Deployment whose pods are never deleted gives its coverage through {@code integcov collect --flush} (pods/exec
 * into the sidecar, which asks the app over its flush socket): one flush upload per pod, the pods neither deleted nor
 * restarted, and the percent of direct runs flushed at the same point.
 */
@ExtendWith({LocalClusterExtension.class, CoverageScenariosExtension.class, SystemPodLogsOnFailure.class})
class SidecarCollectFlushTest {
    static final String NS = "e2e-sidecar-flush";

    @Test
    void deploymentNeverDeletedGivesItsCoverageThroughCollectFlush(CoverageScenarios s) throws Exception {
        s.namespace(NS, true, true);
        Path bin = s.flushableCovapp();
        String image = s.cluster.image("covapp-flush:e2e", List.of(Images.COVAPP_PATH),
                Map.of(bin, Images.COVAPP_PATH));
        CoverageCapture cc = s.sidecarCapture(NS, "flushed", "flushed", null);
        List<String> args = new ArrayList<>(List.of("-serve", ":" + APP_PORT));
        args.addAll(SERVE_WORK);
        PodSpec spec = podSpec("Always", covapp(image, List.of(), args));
        s.awaitWebhookSees(pod(NS, "probe", "flushed", spec));
        int replicas = 2;
        Deployment d = new DeploymentBuilder().withNewMetadata().withName("flushed").withNamespace(NS).endMetadata()
                .withNewSpec().withReplicas(replicas).withNewSelector().addToMatchLabels("app", "flushed").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "flushed").endMetadata().withSpec(spec)
                .endTemplate().endSpec().build();
        s.admin.apps().deployments().inNamespace(NS).resource(d).create();
        s.admin.apps().deployments().inNamespace(NS).withName("flushed").waitUntilCondition(
                x -> x != null && x.getStatus() != null
                        && Integer.valueOf(replicas).equals(x.getStatus().getReadyReplicas()),
                CONVERGE.toSeconds(), TimeUnit.SECONDS);
        List<Pod> pods = s.admin.pods().inNamespace(NS).withLabel("app", "flushed").list()
                .getItems();
        assertEquals(replicas, pods.size());
        Set<String> names = new TreeSet<>();
        for (Pod p : pods) {
            assertServedBySidecar(p, cc, List.of(), args);
            sendRequests(p.getStatus().getPodIP(), APP_PORT);
            names.add(p.getMetadata().getName());
        }

        // CI takes coverage while the workload keeps running (then it could delete the whole cluster)
        Path out = s.work.resolve("collected-flush");
        String log = s.runCli(List.of("collect", "--capture", NS + "/flushed", "--flush", "--timeout", "3m",
                "-o", out.toString()), s.cliEnv());
        for (String pod : names) {
            assertTrue(log.contains("flushed pod " + pod + " container " + Labels.SIDECAR_NAME + " (sidecar)"), log);
            List<JsonNode> flushes = s.awaitGcsManifests(cc, pod, 1).stream()
                    .filter(m -> "flush".equals(m.path("mode").asText())).toList();
            assertEquals(1, flushes.size(), "one flush upload of " + pod + ":\n" + log);
            assertEquals("app", flushes.get(0).path("container").asText(), flushes.toString());
        }
        // the pods were neither deleted nor restarted: the counters came from running programs
        List<Pod> after = s.admin.pods().inNamespace(NS).withLabel("app", "flushed").list()
                .getItems();
        assertEquals(names, after.stream().map(p -> p.getMetadata().getName())
                .collect(java.util.stream.Collectors.toCollection(TreeSet::new)));
        for (Pod p : after) {
            assertEquals("Running", p.getStatus().getPhase(), p.getMetadata().getName());
            assertEquals(0, p.getStatus().getContainerStatuses().get(0).getRestartCount(), p.getMetadata().getName());
        }
        assertEquals(replicas, countFiles(out, "covcounters."), "one flushed counter file per replica:\n" + log);
        double collected = GoTools.coveragePercent(out);
        double direct = s.directFlushedPercent(bin, args, replicas);
        System.out.printf("e2e: flushed Deployment coverage %.1f%% (direct runs flushed %.1f%%)%n", collected, direct);
        assertEquals(direct, collected, 0.0001, log);
        s.admin.apps().deployments().inNamespace(NS).withName("flushed").withGracePeriod(0)
                .delete();
    }
}
