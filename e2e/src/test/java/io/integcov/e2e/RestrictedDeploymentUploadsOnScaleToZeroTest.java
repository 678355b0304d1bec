package io.integcov.e2e;

import static io.integcov.e2e.CoverageScenarios.APP_PORT;
import static io.integcov.e2e.CoverageScenarios.CONVERGE;
import static io.integcov.e2e.CoverageScenarios.DEFAULT_STORE;
import static io.integcov.e2e.CoverageScenarios.SERVE_WORK;
import static io.integcov.e2e.CoverageScenarios.assertWrapped;
import static io.integcov.e2e.CoverageScenarios.countFiles;
import static io.integcov.e2e.CoverageScenarios.covapp;
import static io.integcov.e2e.CoverageScenarios.pod;
import static io.integcov.e2e.CoverageScenarios.podSpec;
import static io.integcov.e2e.CoverageScenarios.sendRequests;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import io.integcov.model.CoverageCapture;
import io.integcov.testing.GoTools;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The main use on a real kubelet: a 3-replica Deployment in a Pod Security "restricted" namespace (non-root 65532,
 * read-only root fs) is wrapped, serves requests, and on scale to 0 every replica's agent forwards SIGTERM to covapp and
 * uploads to the default store (the capture names no storage); {@code integcov collect --capture --wait} (given only a
 * kubeconfig) gets the same percent as direct runs of the same binary with the same requests, and the operator's status
 * lists one upload per replica.
 */
@ExtendWith({LocalClusterExtension.class, CoverageScenariosExtension.class, SystemPodLogsOnFailure.class})
class RestrictedDeploymentUploadsOnScaleToZeroTest {
    static final String NS = "e2e-apps";
    static final int REPLICAS = 3;

    @Test
    void restrictedDeploymentServesRequestsAndEveryReplicaUploadsOnScaleToZero(CoverageScenarios s) throws Exception {
        s.namespace(NS, true, true);
        CoverageCapture cc = s.capture(NS, "covapp", DEFAULT_STORE, "covapp");
        List<String> command = List.of(Images.COVAPP_PATH);
        List<String> args = new ArrayList<>(List.of("-serve", ":" + APP_PORT));
        args.addAll(SERVE_WORK);
        Container app = covapp(Images.COVAPP, command, args);
        PodSpec spec = podSpec("Always", app);
        s.awaitWebhookSees(pod(NS, "probe", "covapp", spec));

        Deployment d = new DeploymentBuilder().withNewMetadata().withName("covapp").withNamespace(NS).endMetadata()
                .withNewSpec().withReplicas(REPLICAS).withNewSelector().addToMatchLabels("app", "covapp").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "covapp").endMetadata().withSpec(spec)
                .endTemplate().endSpec().build();
        s.admin.apps().deployments().inNamespace(NS).resource(d).create();
        s.admin.apps().deployments().inNamespace(NS).withName("covapp").waitUntilCondition(
                x -> x != null && x.getStatus() != null && Integer.valueOf(REPLICAS).equals(x.getStatus().getReadyReplicas()),
                CONVERGE.toSeconds(), TimeUnit.SECONDS);
        List<Pod> pods = s.admin.pods().inNamespace(NS).withLabel("app", "covapp").list().getItems();
        assertEquals(REPLICAS, pods.size(), pods.stream().map(p -> p.getMetadata().getName()).toList().toString());
        for (Pod p : pods) {
            assertWrapped(p, cc, command, args);
            // Pod Security "restricted" admitted the mutated pod: non-root, read-only root fs, in the init container too
            assertEquals(65532L, p.getSpec().getSecurityContext().getRunAsUser());
            for (Container c : p.getSpec().getInitContainers()) {
                assertEquals(Boolean.TRUE, c.getSecurityContext().getReadOnlyRootFilesystem(), c.getName());
            }
            assertEquals("Running", p.getStatus().getPhase());
            sendRequests(p.getStatus().getPodIP(), APP_PORT);
        }
        CoverageCapture running = s.admin.resources(CoverageCapture.class).inNamespace(NS).withName("covapp")
                .waitUntilCondition(c -> c.getStatus() != null && Integer.valueOf(REPLICAS).equals(
                        c.getStatus().getInjectedPods()), CONVERGE.toSeconds(), TimeUnit.SECONDS);
        assertTrue(running.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())),
                running.getStatus().getConditions().toString());

        // scale to 0: the kubelet sends SIGTERM; the agent forwards it, covapp exits 0, the agent uploads
        String watched = pods.get(0).getMetadata().getName();
        ByteArrayOutputStream followed = new ByteArrayOutputStream();
        try (LogWatch w = s.admin.pods().inNamespace(NS).withName(watched).inContainer("app").watchLog(followed)) {
            s.admin.apps().deployments().inNamespace(NS).withName("covapp").scale(0);
            for (Pod p : pods) {
                s.admin.pods().inNamespace(NS).withName(p.getMetadata().getName())
                        .waitUntilCondition(x -> x == null, CONVERGE.toSeconds(), TimeUnit.SECONDS);
            }
        }
        assertTrue(followed.toString(StandardCharsets.UTF_8).contains("covapp: got terminated"),
                "SIGTERM reached covapp in " + watched + ":\n" + followed);
        for (Pod p : pods) {
            String name = p.getMetadata().getName();
            List<JsonNode> manifests;
            try {
                manifests = s.awaitGcsManifests(cc, name, 1);
            } catch (IllegalStateException e) {
                throw new AssertionError(e.getMessage() + (name.equals(watched) ? "\napp container of " + name
                        + " (covapp and agent):\n" + followed.toString(StandardCharsets.UTF_8) : "")
                        + "\n" + s.integcov.diagnostics(), e);
            }
            assertEquals(1, manifests.size(), manifests.toString());
            JsonNode m = manifests.get(0);
            assertEquals(0, m.path("exitCode").asInt(-1), m.toString());
            assertEquals(p.getMetadata().getName(), m.path("pod").asText());
            assertEquals(cc.getMetadata().getUid(), m.path("captureUid").asText());
            assertTrue(m.path("files").size() >= 2, "meta and counters uploaded: " + m);
        }

        // CI teardown: collect what the capture's pods uploaded; same coverage as the same runs without Kubernetes
        Path out = s.work.resolve("collected-deployment");
        String log = s.runCli(List.of("collect", "--capture", NS + "/covapp", "--wait", "--timeout", "3m",
                "-o", out.toString(), "--textfmt", s.work.resolve("deployment.txt").toString()), s.cliEnv());
        assertEquals(REPLICAS, countFiles(out, "covcounters."), "one counter file per replica:\n" + log);
        double collected = GoTools.coveragePercent(out);
        double direct = s.directPercent(REPLICAS);
        System.out.printf("e2e: Deployment coverage %.1f%% (direct runs %.1f%%)%n", collected, direct);
        assertEquals(direct, collected, 0.0001, log);
        assertTrue(collected > 0 && collected < 100, "neverCalled() stays uncovered: " + collected);
        String textfmt = Files.readString(s.work.resolve("deployment.txt"));
        assertTrue(textfmt.startsWith("mode: ") && textfmt.contains("integcov.io/testapps/covapp/main.go:"), textfmt);

        CoverageCapture done = s.admin.resources(CoverageCapture.class).inNamespace(NS).withName("covapp")
                .waitUntilCondition(c -> c.getStatus() != null && c.getStatus().getUploads() != null
                        && c.getStatus().getUploads().size() >= REPLICAS, CONVERGE.toSeconds(), TimeUnit.SECONDS);
        Set<String> replicas = pods.stream().map(p -> p.getMetadata().getName())
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> uploaded = done.getStatus().getUploads().stream().map(u -> u.getPod())
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(replicas, uploaded, "operator status lists one upload per replica");
    }
}
