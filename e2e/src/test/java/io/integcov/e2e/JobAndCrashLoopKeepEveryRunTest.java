package io.integcov.e2e;

import static io.integcov.e2e.CoverageScenarios.CONVERGE;
import static io.integcov.e2e.CoverageScenarios.DEFAULT_STORE;
import static io.integcov.e2e.CoverageScenarios.assertWrapped;
import static io.integcov.e2e.CoverageScenarios.covapp;
import static io.integcov.e2e.CoverageScenarios.listing;
import static io.integcov.e2e.CoverageScenarios.pod;
import static io.integcov.e2e.CoverageScenarios.podSpec;
import static io.integcov.e2e.CoverageScenarios.restarts;
import static io.integcov.e2e.CoverageScenarios.terminated;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.integcov.model.CoverageCapture;
import io.integcov.testing.GoTools;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Pods that end on their own: a Job's pod completes and uploads its run; a pod crash-looping with exit code 3 (the app's
 * own code in the pod status, through the agent) keeps every run's counters, each with its own run id, also the runs
 * whose upload the next run committed; {@code integcov collect --capture --wait} gets every run's counters of both.
 */
@ExtendWith({LocalClusterExtension.class, CoverageScenariosExtension.class, SystemPodLogsOnFailure.class})
class JobAndCrashLoopKeepEveryRunTest {
    static final String NS = "e2e-batch";

    @Test
    void jobPodAndCrashLoopingPodKeepEveryRunsCounters(CoverageScenarios s) throws Exception {
        s.namespace(NS, true, true);
        CoverageCapture cc = s.capture(NS, "batch", DEFAULT_STORE, "batch");
        List<String> command = List.of(Images.COVAPP_PATH);
        s.awaitWebhookSees(pod(NS, "probe", "batch", podSpec("Never", covapp(Images.COVAPP, command, List.of()))));

        List<String> jobArgs = List.of("-work", "7");
        Job job = new JobBuilder().withNewMetadata().withName("batch").withNamespace(NS).endMetadata()
                .withNewSpec().withBackoffLimit(0).withNewTemplate().withNewMetadata().addToLabels("app", "batch")
                .endMetadata().withSpec(podSpec("Never", covapp(Images.COVAPP, command, jobArgs))).endTemplate()
                .endSpec().build();
        s.admin.batch().v1().jobs().inNamespace(NS).resource(job).create();

        // crashes with exit 3 on every run; the kubelet restarts it (back-off 10 s, 20 s)
        List<String> crashArgs = List.of("-work", "12", "-exit", "3");
        s.admin.pods().inNamespace(NS).resource(pod(NS, "crashy", "batch",
                podSpec("Always", covapp(Images.COVAPP, command, crashArgs)))).create();

        s.admin.batch().v1().jobs().inNamespace(NS).withName("batch").waitUntilCondition(
                j -> j != null && j.getStatus() != null && Integer.valueOf(1).equals(j.getStatus().getSucceeded()),
                CONVERGE.toSeconds(), TimeUnit.SECONDS);
        Pod jobPod = s.admin.pods().inNamespace(NS).withLabel("job-name", "batch").list().getItems().get(0);
        assertWrapped(jobPod, cc, command, jobArgs);
        assertEquals(0, terminated(jobPod).getExitCode());
        List<JsonNode> jobRuns = s.awaitGcsManifests(cc, jobPod.getMetadata().getName(), 1);
        assertEquals(0, jobRuns.get(0).path("exitCode").asInt(-1), jobRuns.toString());

        // in back-off after its third run or later: every finished run's counters are committed (a run whose upload
        // did not commit leaves its files to the next run's upload, so count counter files, not manifests)
        Pod inBackOff = s.waitPod(NS, "crashy", "restarted twice", p -> restarts(p) >= 2
                && p.getStatus().getContainerStatuses().get(0).getState().getWaiting() != null);
        int finishedRuns = restarts(inBackOff) + 1;
        KubeApiServer.waitUntil("the counters of all " + finishedRuns + " runs of crashy are committed", null,
                () -> s.committedCounters(cc, "crashy").size() >= finishedRuns);
        Pod crashy = s.admin.pods().inNamespace(NS).withName("crashy").get();
        assertWrapped(crashy, cc, command, crashArgs);
        // the app's own exit code, through the agent, in the pod status
        assertEquals(3, crashy.getStatus().getContainerStatuses().get(0).getLastState().getTerminated().getExitCode());
        // the agent's own lines of the last two runs (what the kubelet keeps), for the failure messages below
        String agentLog = "previous run:\n" + s.admin.pods().inNamespace(NS).withName("crashy").inContainer("app")
                .terminated().getLog() + "last run:\n" + s.admin.pods().inNamespace(NS).withName("crashy")
                .inContainer("app").getLog();
        // Stop it for good with a graceful delete: the API keeps the pod until the kubelet has stopped its container,
        // so a run the kubelet started after the look above has ended, and its agent has committed its upload, before
        // the pod is gone. (With a grace period of 0 the pod object went at once while a last run could still be
        // uploading, and the expected set below missed that run.) What storage holds then is every run the pod had.
        s.admin.pods().inNamespace(NS).withName("crashy").delete();
        s.admin.pods().inNamespace(NS).withName("crashy").waitUntilCondition(p -> p == null, CONVERGE.toSeconds(),
                TimeUnit.SECONDS);
        List<JsonNode> runs = s.gcsManifests(cc, "crashy");
        Set<String> runIds = new TreeSet<>();
        int crashes = 0;
        for (JsonNode m : runs) {
            runIds.add(m.path("runId").asText());
            if (m.path("exitCode").asInt(-1) == 3) {
                crashes++;
            } else {
                // only a run that the delete's SIGTERM reached before covapp handled signals ends otherwise
                assertEquals(15, m.path("signal").asInt(-1), "a run neither crashed with 3 nor was stopped: " + m);
            }
        }
        assertEquals(runs.size(), runIds.size(), "each upload has its own run id: " + runIds);
        assertTrue(crashes >= finishedRuns, "every run seen before the delete (" + finishedRuns
                + ") committed an upload: " + runs + "\n" + agentLog);
        // each crashed run wrote one counter file, and each is committed: by its own upload, or by the next run's
        Set<String> crashCounters = s.committedCounters(cc, "crashy");
        assertEquals(crashes, crashCounters.size(), "one committed counter file per crashed run: " + runs);

        Path out = s.work.resolve("collected-batch");
        String log = s.runCli(List.of("collect", "--capture", NS + "/batch", "--wait", "--timeout", "3m",
                "-o", out.toString()), s.cliEnv(), "manifests of crashy: " + runs + "\n" + agentLog);
        Set<String> expected = new TreeSet<>(crashCounters);
        expected.addAll(s.committedCounters(cc, jobPod.getMetadata().getName()));
        Set<String> collected = new TreeSet<>(listing(out).stream().filter(f -> f.startsWith("covcounters.")).toList());
        assertEquals(expected, collected, "every run's counters (job and each crash) are collected:\n" + log);
        assertTrue(GoTools.coveragePercent(out) > 0, log);
    }
}
