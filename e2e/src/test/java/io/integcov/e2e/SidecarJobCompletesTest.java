package io.integcov.e2e;

import static io.integcov.e2e.CoverageScenarios.CONVERGE;
import static io.integcov.e2e.CoverageScenarios.assertServedBySidecar;
import static io.integcov.e2e.CoverageScenarios.assertSidecarManifest;
import static io.integcov.e2e.CoverageScenarios.covapp;
import static io.integcov.e2e.CoverageScenarios.listing;
import static io.integcov.e2e.CoverageScenarios.pod;
import static io.integcov.e2e.CoverageScenarios.podSpec;
import static io.integcov.e2e.CoverageScenarios.sidecarStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.integcov.model.CoverageCapture;
import io.integcov.model.CoverageCaptureSpec;
import io.integcov.testing.GoTools;
import java.nio.file.Path;
import java.util.List;
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
 * Here: a Job's pod in {@code Sidecar} mode completes (the native sidecar does not keep it alive; the kubelet stops it
 * after the app), its run is uploaded and {@code integcov collect} gets the direct run's percent.
 */
@ExtendWith({LocalClusterExtension.class, CoverageScenariosExtension.class, SystemPodLogsOnFailure.class})
class SidecarJobCompletesTest {
    static final String NS = "e2e-sidecar-job";

    @Test
    void jobPodInSidecarModeCompletesAndItsCoverageIsCollected(CoverageScenarios s) throws Exception {
        s.namespace(NS, true, true);
        CoverageCapture cc = s.sidecarCapture(NS, "job", "sidecar-job", CoverageCaptureSpec.Mode.Sidecar);
        // a known command: mode Sidecar serves it by the sidecar anyway
        List<String> command = List.of(Images.COVAPP_PATH);
        List<String> args = List.of("-work", "7");
        s.awaitWebhookSees(pod(NS, "probe", "sidecar-job", podSpec("Never", covapp(Images.COVAPP, command, args))));

        Job job = new JobBuilder().withNewMetadata().withName("sidecar-job").withNamespace(NS).endMetadata()
                .withNewSpec().withBackoffLimit(0).withNewTemplate().withNewMetadata().addToLabels("app", "sidecar-job")
                .endMetadata().withSpec(podSpec("Never", covapp(Images.COVAPP, command, args))).endTemplate()
                .endSpec().build();
        s.admin.batch().v1().jobs().inNamespace(NS).resource(job).create();

        // the Job completes: the native sidecar does not keep its pod alive
        Job done = s.admin.batch().v1().jobs().inNamespace(NS).withName("sidecar-job")
                .waitUntilCondition(j -> j != null && j.getStatus() != null && (Integer.valueOf(1).equals(
                        j.getStatus().getSucceeded()) || Integer.valueOf(1).equals(j.getStatus().getFailed())),
                        CONVERGE.toSeconds(), TimeUnit.SECONDS);
        Pod jobPod = s.admin.pods().inNamespace(NS).withLabel("job-name", "sidecar-job").list()
                .getItems().get(0);
        String podName = jobPod.getMetadata().getName();
        assertEquals(Integer.valueOf(1), done.getStatus().getSucceeded(), "Job succeeded: " + done.getStatus() + "\n" + s.logs(NS, podName));
        assertServedBySidecar(jobPod, cc, command, args);
        Pod finished = s.waitPod(NS, podName, "Succeeded with its sidecar stopped",
                p -> "Succeeded".equals(p.getStatus().getPhase())
                        && sidecarStatus(p).getState().getTerminated() != null);
        assertEquals(0, finished.getStatus().getContainerStatuses().get(0).getState().getTerminated().getExitCode());
        assertNull(sidecarStatus(finished).getState().getRunning(), "the sidecar was stopped by the kubelet");

        List<JsonNode> manifests = s.awaitGcsManifests(cc, podName, 1);
        assertEquals(1, manifests.size(), manifests.toString());
        assertSidecarManifest(manifests.get(0), cc, podName);

        Path out = s.work.resolve("collected-job");
        String log = s.runCli(List.of("collect", "--capture", NS + "/job", "--wait", "--timeout", "3m",
                "-o", out.toString()), s.cliEnv(), s.logs(NS, podName));
        Set<String> collected = new TreeSet<>(listing(out).stream().filter(f -> f.startsWith("covcounters.")).toList());
        assertEquals(s.committedCounters(cc, podName), collected, "the Job's counters are collected:\n" + log);
        assertEquals(1, collected.size(), log);
        double percent = GoTools.coveragePercent(out);
        double direct = s.directBatchPercent(args);
        System.out.printf("e2e: sidecar Job coverage %.1f%% (direct run %.1f%%)%n", percent, direct);
        assertEquals(direct, percent, 0.0001, log);
    }
}
