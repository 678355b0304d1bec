package io.integcov.e2e;

import static io.integcov.e2e.CoverageEndToEndTest.APP_PORT;
import static io.integcov.e2e.CoverageEndToEndTest.CONVERGE;
import static io.integcov.e2e.CoverageEndToEndTest.SERVE_WORK;
import static io.integcov.e2e.CoverageEndToEndTest.awaitGcsManifests;
import static io.integcov.e2e.CoverageEndToEndTest.assertStorageEnv;
import static io.integcov.e2e.CoverageEndToEndTest.awaitWebhookSees;
import static io.integcov.e2e.CoverageEndToEndTest.cliEnv;
import static io.integcov.e2e.CoverageEndToEndTest.committedCounters;
import static io.integcov.e2e.CoverageEndToEndTest.countFiles;
import static io.integcov.e2e.CoverageEndToEndTest.directPercent;
import static io.integcov.e2e.CoverageEndToEndTest.listing;
import static io.integcov.e2e.CoverageEndToEndTest.namespace;
import static io.integcov.e2e.CoverageEndToEndTest.pod;
import static io.integcov.e2e.CoverageEndToEndTest.podSpec;
import static io.integcov.e2e.CoverageEndToEndTest.runCli;
import static io.integcov.e2e.CoverageEndToEndTest.sendRequests;
import static io.integcov.e2e.CoverageEndToEndTest.waitPod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import io.integcov.model.CoverageCapture;
import io.integcov.model.CoverageCaptureSpec;
import io.integcov.model.InjectedPod;
import io.integcov.model.Labels;
import io.integcov.testing.GoTools;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Native-sidecar mode on the real local cluster: containers whose command integcov cannot know (an ENTRYPOINT-only
 * distroless image, no commandOverride) or that a capture puts in {@code Sidecar} mode keep their command; a native
 * sidecar (init container with restartPolicy Always, from the agent image) uploads what Go writes. Proves on a real
 * kubelet that the kubelet stops the sidecar after the app (so the app's exit counters are uploaded and the manifest
 * written) and that a Job's pod still completes; and that a Deployment whose pods are never deleted gives its
 * coverage through {@code integcov collect --flush} (pods/exec into the sidecar). Checks go through the stored pods,
 * the objects in the default store and the coverage {@code integcov collect} gets, compared with direct runs of the
 * same binary. integcov is installed as users install it ({@link IntegcovInCluster}); the captures name no storage.
 *
 * <p>Shares CoverageEndToEndTest's helpers and their static state (set up here with this class's own work dir).
 */
@ExtendWith({LocalClusterExtension.class, SystemPodLogsOnFailure.class})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SidecarModeEndToEndTest {
    static final String NS = "e2e-sidecar";
    static final String SIDECAR_BIN = "/integcov-agent";

    @BeforeAll
    static void install(LocalCluster c) throws Exception {
        CoverageEndToEndTest.cluster = c;
        CoverageEndToEndTest.admin = c.api().adminClient();
        CoverageEndToEndTest.work = E2eEnv.workDir("SidecarModeEndToEndTest");
        Path builtCliJar = E2eEnv.repoRoot().resolve("cli/target/integcov.jar");
        assertTrue(Files.isRegularFile(builtCliJar),
                builtCliJar + " is missing; build it: mvn -B -pl cli -am install -DskipTests");
        CoverageEndToEndTest.cliJar = Files.copy(builtCliJar, CoverageEndToEndTest.work.resolve("integcov.jar"));
        CoverageEndToEndTest.integcov = IntegcovInCluster.in(c);
        CoverageEndToEndTest.store = DefaultStoreAccess.open(CoverageEndToEndTest.admin);
        Images.covapp(c);
    }

    @AfterAll
    static void stop() throws Exception {
        CoverageEndToEndTest.stop();
    }

    /**
     * A capture in {@code mode} (null: the default, Auto) with no commandOverrides and no storage: the sidecar uploads
     * to the default store, whose address the webhook gives it (the app container is given nothing of integcov's but
     * GOCOVERDIR).
     */
    static CoverageCapture sidecarCapture(String name, String appLabel, CoverageCaptureSpec.Mode mode) {
        CoverageCaptureSpec spec = new CoverageCaptureSpec();
        spec.setSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("app", appLabel)).build());
        spec.setUploadTimeoutSeconds(30);
        spec.setMode(mode);
        CoverageEndToEndTest.admin.resources(CoverageCapture.class).inNamespace(NS)
                .resource(new CoverageCapture(NS, name, spec)).serverSideApply();
        return CoverageEndToEndTest.admin.resources(CoverageCapture.class).inNamespace(NS).withName(name).get();
    }

    /** covapp restricted-compliant, with no env of its own: what sidecar mode may add is then exactly visible. */
    static Container app(String image, List<String> command, List<String> args) {
        return new ContainerBuilder().withName("app").withImage(image).withImagePullPolicy("Never")
                .withCommand(command).withArgs(args)
                .withNewSecurityContext().withAllowPrivilegeEscalation(false).withReadOnlyRootFilesystem(true)
                .withNewCapabilities().withDrop("ALL").endCapabilities().endSecurityContext()
                .build();
    }

    /**
     * Checks a stored pod is served by the native sidecar for {@code cc}: no installer, one init container
     * {@code integcov-agent} with restartPolicy Always running {@code /integcov-agent sidecar app} from the agent
     * image; the app container's command and args untouched, its only addition GOCOVERDIR (its own sub-directory)
     * and the covdata mount.
     */
    static void assertServedBySidecar(Pod stored, CoverageCapture cc, List<String> command, List<String> args) {
        assertEquals(cc.getMetadata().getName(), stored.getMetadata().getAnnotations().get(Labels.INJECTED_ANNOTATION));
        List<Container> inits = stored.getSpec().getInitContainers();
        assertEquals(List.of(Labels.SIDECAR_NAME), inits.stream().map(Container::getName).toList(),
                "only the native sidecar, no installer (nothing is wrapped)");
        Container sidecar = inits.get(0);
        assertEquals("Always", sidecar.getRestartPolicy(), "a native sidecar");
        assertEquals(IntegcovInCluster.AGENT_IMAGE, sidecar.getImage());
        assertEquals(List.of(SIDECAR_BIN, "sidecar", "app"), sidecar.getCommand());
        assertEquals(List.of(SIDECAR_BIN, "prepare", "app"), sidecar.getLifecycle().getPostStart().getExec().getCommand(),
                "the app's GOCOVERDIR is created before the kubelet starts the app");
        Map<String, String> sidecarEnv = new java.util.HashMap<>();
        sidecar.getEnv().stream().filter(e -> e.getValue() != null).forEach(e -> sidecarEnv.put(e.getName(), e.getValue()));
        assertEquals(Labels.COVDATA_DIR, sidecarEnv.get(Labels.ENV_GOCOVERDIR));
        assertStorageEnv(cc, sidecarEnv);
        assertEquals(cc.getMetadata().getUid(), sidecarEnv.get("INTEGCOV_CAPTURE_UID"));

        Container app = stored.getSpec().getContainers().get(0);
        assertEquals(command, app.getCommand() == null ? List.of() : app.getCommand(), "command untouched");
        assertEquals(args, app.getArgs());
        assertEquals(List.of(new EnvVar(Labels.ENV_GOCOVERDIR, Labels.COVDATA_DIR + "/app", null)), app.getEnv(),
                "the app container only gets its own GOCOVERDIR");
        assertTrue(app.getVolumeMounts().stream().anyMatch(m -> Labels.COVDATA_VOLUME.equals(m.getName())
                && Labels.COVDATA_DIR.equals(m.getMountPath())), app.getVolumeMounts().toString());
    }

    static ContainerStatus sidecarStatus(Pod p) {
        return p.getStatus().getInitContainerStatuses().stream()
                .filter(s -> Labels.SIDECAR_NAME.equals(s.getName())).findFirst()
                .orElseThrow(() -> new AssertionError("no status of " + Labels.SIDECAR_NAME + ": " + p.getStatus()));
    }

    /** The manifest of a sidecar upload: mode sidecar, this pod's app container, the capture's uid, meta + counters. */
    static void assertSidecarManifest(JsonNode m, CoverageCapture cc, String pod) {
        assertEquals("sidecar", m.path("mode").asText(), m.toString());
        assertEquals(pod, m.path("pod").asText(), m.toString());
        assertEquals("app", m.path("container").asText(), m.toString());
        assertEquals(cc.getMetadata().getUid(), m.path("captureUid").asText(), m.toString());
        assertEquals(0, m.path("failed").size(), "nothing failed: " + m);
        List<String> names = new ArrayList<>();
        m.path("files").forEach(f -> names.add(f.path("name").asText()));
        assertTrue(names.stream().anyMatch(n -> n.startsWith("covmeta.")), "covmeta uploaded: " + m);
        assertTrue(names.stream().anyMatch(n -> n.startsWith("covcounters.")), "the exit's counters uploaded: " + m);
        assertTrue(names.stream().noneMatch(n -> n.startsWith("tmp.")), "never a tmp.* file: " + m);
    }

    /** The logs of the app and the sidecar (for failure messages), or what could not be read. */
    static String logs(String pod) {
        StringBuilder sb = new StringBuilder();
        for (String c : List.of("app", Labels.SIDECAR_NAME)) {
            try {
                sb.append(c).append(":\n")
                        .append(CoverageEndToEndTest.admin.pods().inNamespace(NS).withName(pod).inContainer(c).getLog())
                        .append('\n');
            } catch (RuntimeException e) {
                sb.append(c).append(": log not readable: ").append(e.getMessage()).append('\n');
            }
        }
        return sb.toString();
    }

    /** covapp run directly (no Kubernetes, no integcov) with {@code args} until it exits 0; its coverage percent. */
    static double directBatchPercent(List<String> args) throws Exception {
        Path covdata = Files.createDirectories(CoverageEndToEndTest.work.resolve("direct-batch-covdata"));
        List<String> cmd = new ArrayList<>(List.of(Images.covappBinary(CoverageEndToEndTest.cluster).toString()));
        cmd.addAll(args);
        try (ManagedProcess p = ManagedProcess.startClean("covapp-direct-batch", cmd,
                Map.of("GOCOVERDIR", covdata.toString()), CoverageEndToEndTest.work,
                CoverageEndToEndTest.work.resolve("covapp-direct-batch.log"))) {
            assertTrue(p.process().waitFor(CONVERGE.toSeconds(), TimeUnit.SECONDS), "covapp " + args + " ended");
            assertEquals(0, p.stop(CONVERGE), p.logTail(20));
        }
        return GoTools.coveragePercent(covdata);
    }

    // ---------------------------------------------------------------------------------------------------------------

    @Test
    @Order(1)
    void entrypointOnlyImageInAutoModeIsServedByTheNativeSidecarAndGivesTheDirectRunsCoverage() throws Exception {
        namespace(NS, true, true);
        CoverageCapture cc = sidecarCapture("entrypoint", "entrypoint", null);
        List<String> args = new ArrayList<>(List.of("-serve", ":" + APP_PORT));
        args.addAll(SERVE_WORK);
        // no command: the image's ENTRYPOINT, unknown at admission; no commandOverride either
        Pod desired = pod(NS, "entrypoint-only", "entrypoint", podSpec("Always",
                app(Images.COVAPP_ENTRYPOINT, List.of(), args)));
        awaitWebhookSees(desired);
        CoverageEndToEndTest.admin.pods().inNamespace(NS).resource(desired).create();

        Pod running = waitPod(NS, "entrypoint-only", "Running with its sidecar started",
                p -> "Running".equals(p.getStatus().getPhase()) && p.getStatus().getInitContainerStatuses() != null
                        && p.getStatus().getInitContainerStatuses().stream().anyMatch(s -> Boolean.TRUE.equals(
                                s.getStarted()) && s.getState().getRunning() != null));
        assertServedBySidecar(running, cc, List.of(), args);
        assertTrue(sidecarStatus(running).getState().getRunning() != null, "sidecar runs next to the app: "
                + sidecarStatus(running));
        sendRequests(running.getStatus().getPodIP(), APP_PORT);

        CoverageCapture withMode = CoverageEndToEndTest.admin.resources(CoverageCapture.class).inNamespace(NS)
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
        String beforeDelete = logs("entrypoint-only");
        try (LogWatch w = CoverageEndToEndTest.admin.pods().inNamespace(NS).withName("entrypoint-only")
                .inContainer("app").watchLog(followed)) {
            CoverageEndToEndTest.admin.pods().inNamespace(NS).withName("entrypoint-only").delete();
            CoverageEndToEndTest.admin.pods().inNamespace(NS).withName("entrypoint-only")
                    .waitUntilCondition(x -> x == null, CONVERGE.toSeconds(), TimeUnit.SECONDS);
        }
        assertTrue(followed.toString(StandardCharsets.UTF_8).contains("covapp: got terminated"),
                "SIGTERM reached covapp itself (no wrapper):\n" + followed);
        List<JsonNode> manifests = awaitGcsManifests(cc, "entrypoint-only", 1);
        assertEquals(1, manifests.size(), manifests.toString());
        assertSidecarManifest(manifests.get(0), cc, "entrypoint-only");

        Path out = CoverageEndToEndTest.work.resolve("collected-entrypoint");
        String log = runCli(List.of("collect", "--capture", NS + "/entrypoint", "--wait", "--timeout", "3m",
                "-o", out.toString()), cliEnv(), "logs before delete:\n" + beforeDelete);
        assertEquals(1, countFiles(out, "covcounters."), "the one run's counters:\n" + log);
        double collected = GoTools.coveragePercent(out);
        double direct = directPercent(1);
        System.out.printf("e2e: sidecar (ENTRYPOINT-only) coverage %.1f%% (direct run %.1f%%)%n", collected, direct);
        assertEquals(direct, collected, 0.0001, log);
        assertTrue(collected > 0 && collected < 100, "neverCalled() stays uncovered: " + collected);
    }

    @Test
    @Order(2)
    void jobPodInSidecarModeCompletesAndItsCoverageIsCollected() throws Exception {
        namespace(NS, true, true);
        CoverageCapture cc = sidecarCapture("job", "sidecar-job", CoverageCaptureSpec.Mode.Sidecar);
        // a known command: mode Sidecar serves it by the sidecar anyway
        List<String> command = List.of(Images.COVAPP_PATH);
        List<String> args = List.of("-work", "7");
        awaitWebhookSees(pod(NS, "probe", "sidecar-job", podSpec("Never", app(Images.COVAPP, command, args))));

        Job job = new JobBuilder().withNewMetadata().withName("sidecar-job").withNamespace(NS).endMetadata()
                .withNewSpec().withBackoffLimit(0).withNewTemplate().withNewMetadata().addToLabels("app", "sidecar-job")
                .endMetadata().withSpec(podSpec("Never", app(Images.COVAPP, command, args))).endTemplate()
                .endSpec().build();
        CoverageEndToEndTest.admin.batch().v1().jobs().inNamespace(NS).resource(job).create();

        // the Job completes: the native sidecar does not keep its pod alive
        Job done = CoverageEndToEndTest.admin.batch().v1().jobs().inNamespace(NS).withName("sidecar-job")
                .waitUntilCondition(j -> j != null && j.getStatus() != null && (Integer.valueOf(1).equals(
                        j.getStatus().getSucceeded()) || Integer.valueOf(1).equals(j.getStatus().getFailed())),
                        CONVERGE.toSeconds(), TimeUnit.SECONDS);
        Pod jobPod = CoverageEndToEndTest.admin.pods().inNamespace(NS).withLabel("job-name", "sidecar-job").list()
                .getItems().get(0);
        String podName = jobPod.getMetadata().getName();
        assertEquals(Integer.valueOf(1), done.getStatus().getSucceeded(), "Job succeeded: " + done.getStatus() + "\n" + logs(podName));
        assertServedBySidecar(jobPod, cc, command, args);
        Pod finished = waitPod(NS, podName, "Succeeded with its sidecar stopped",
                p -> "Succeeded".equals(p.getStatus().getPhase())
                        && sidecarStatus(p).getState().getTerminated() != null);
        assertEquals(0, finished.getStatus().getContainerStatuses().get(0).getState().getTerminated().getExitCode());
        assertNull(sidecarStatus(finished).getState().getRunning(), "the sidecar was stopped by the kubelet");

        List<JsonNode> manifests = awaitGcsManifests(cc, podName, 1);
        assertEquals(1, manifests.size(), manifests.toString());
        assertSidecarManifest(manifests.get(0), cc, podName);

        Path out = CoverageEndToEndTest.work.resolve("collected-job");
        String log = runCli(List.of("collect", "--capture", NS + "/job", "--wait", "--timeout", "3m",
                "-o", out.toString()), cliEnv(), logs(podName));
        Set<String> collected = new TreeSet<>(listing(out).stream().filter(f -> f.startsWith("covcounters.")).toList());
        assertEquals(committedCounters(cc, podName), collected, "the Job's counters are collected:\n" + log);
        assertEquals(1, collected.size(), log);
        double percent = GoTools.coveragePercent(out);
        double direct = directBatchPercent(args);
        System.out.printf("e2e: sidecar Job coverage %.1f%% (direct run %.1f%%)%n", percent, direct);
        assertEquals(direct, percent, 0.0001, log);
    }

    /**
     * testapps/covapp plus the one-line import of integcov.io/agent/flush (its own module in this repository), built
     * {@code -cover -covermode=atomic} (needed to read counters while it runs) into an ENTRYPOINT-only image.
     */
    static Path flushableCovapp() throws Exception {
        Path src = Files.createDirectories(CoverageEndToEndTest.work.resolve("covapp-flush"));
        Files.copy(E2eEnv.repoRoot().resolve("testapps/covapp/main.go"), src.resolve("main.go"));
        Files.writeString(src.resolve("flush.go"), "package main\n\nimport _ \"integcov.io/agent/flush\"\n");
        Files.writeString(src.resolve("go.mod"), "module integcov.io/testapps/covapp\n\ngo 1.21\n\n"
                + "require integcov.io/agent/flush v0.0.0\n\nreplace integcov.io/agent/flush => "
                + E2eEnv.repoRoot().resolve("agent/flush")
                + "\n");
        Path bin = src.resolve("covapp");
        ProcessBuilder pb = new ProcessBuilder(GoTools.go().toString(), "build", "-cover", "-covermode=atomic",
                "-trimpath", "-o", bin.toString(), ".").directory(src.toFile()).redirectErrorStream(true);
        pb.environment().put("CGO_ENABLED", "0");
        // the flush module is local and has no dependencies
        pb.environment().put("GOFLAGS", "-mod=mod");
        pb.environment().put("GOPROXY", "off");
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "go build -cover -covermode=atomic of covapp with the flush import:\n" + out);
        return bin;
    }

    /**
     * The coverage "at that moment" of {@code runs} direct runs of the flushable binary (no Kubernetes, no integcov):
     * each serves on loopback, gets the same requests, is asked over its flush socket to write its counters (the
     * protocol integcov-agent flush speaks: "flush\\n", answer "ok") and is then SIGKILLed, so nothing is written at exit.
     */
    static double directFlushedPercent(Path bin, List<String> args, int runs) throws Exception {
        // short: unix socket paths are limited to 108 bytes
        Path covdata = Files.createTempDirectory("icflush");
        for (int i = 0; i < runs; i++) {
            int port = KubeApiServer.freePort();
            List<String> cmd = new ArrayList<>(List.of(bin.toString(), "-serve", "127.0.0.1:" + port));
            cmd.addAll(args.subList(2, args.size()));
            try (ManagedProcess p = ManagedProcess.startClean("covapp-flush-direct-" + i, cmd,
                    Map.of("GOCOVERDIR", covdata.toString()), CoverageEndToEndTest.work,
                    CoverageEndToEndTest.work.resolve("covapp-flush-direct-" + i + ".log"))) {
                sendRequests("127.0.0.1", port);
                Path socket = covdata.resolve(".integcov-flush-" + p.pid() + ".sock");
                try (java.nio.channels.SocketChannel ch = java.nio.channels.SocketChannel.open(
                        java.net.UnixDomainSocketAddress.of(socket))) {
                    ch.write(java.nio.ByteBuffer.wrap("flush\n".getBytes(StandardCharsets.US_ASCII)));
                    java.nio.ByteBuffer answer = java.nio.ByteBuffer.allocate(512);
                    while (ch.read(answer) >= 0 && (answer.position() == 0
                            || answer.get(answer.position() - 1) != '\n')) {
                        // until the answer line is complete
                    }
                    assertEquals("ok", new String(answer.array(), 0, answer.position(), StandardCharsets.US_ASCII)
                            .trim(), p.logTail(20));
                }
                p.process().destroyForcibly().waitFor();
            }
        }
        try {
            return GoTools.coveragePercent(covdata);
        } finally {
            try (java.util.stream.Stream<Path> w = Files.walk(covdata)) {
                for (Path f : w.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(f);
                }
            }
        }
    }

    @Test
    @Order(3)
    void deploymentNeverDeletedGivesItsCoverageThroughCollectFlush() throws Exception {
        namespace(NS, true, true);
        Path bin = flushableCovapp();
        String image = CoverageEndToEndTest.cluster.image("covapp-flush:e2e", List.of(Images.COVAPP_PATH),
                Map.of(bin, Images.COVAPP_PATH));
        CoverageCapture cc = sidecarCapture("flushed", "flushed", null);
        List<String> args = new ArrayList<>(List.of("-serve", ":" + APP_PORT));
        args.addAll(SERVE_WORK);
        PodSpec spec = podSpec("Always", app(image, List.of(), args));
        awaitWebhookSees(pod(NS, "probe", "flushed", spec));
        int replicas = 2;
        Deployment d = new DeploymentBuilder().withNewMetadata().withName("flushed").withNamespace(NS).endMetadata()
                .withNewSpec().withReplicas(replicas).withNewSelector().addToMatchLabels("app", "flushed").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "flushed").endMetadata().withSpec(spec)
                .endTemplate().endSpec().build();
        CoverageEndToEndTest.admin.apps().deployments().inNamespace(NS).resource(d).create();
        CoverageEndToEndTest.admin.apps().deployments().inNamespace(NS).withName("flushed").waitUntilCondition(
                x -> x != null && x.getStatus() != null
                        && Integer.valueOf(replicas).equals(x.getStatus().getReadyReplicas()),
                CONVERGE.toSeconds(), TimeUnit.SECONDS);
        List<Pod> pods = CoverageEndToEndTest.admin.pods().inNamespace(NS).withLabel("app", "flushed").list()
                .getItems();
        assertEquals(replicas, pods.size());
        Set<String> names = new TreeSet<>();
        for (Pod p : pods) {
            assertServedBySidecar(p, cc, List.of(), args);
            sendRequests(p.getStatus().getPodIP(), APP_PORT);
            names.add(p.getMetadata().getName());
        }

        // CI takes coverage while the workload keeps running (then it could delete the whole cluster)
        Path out = CoverageEndToEndTest.work.resolve("collected-flush");
        String log = runCli(List.of("collect", "--capture", NS + "/flushed", "--flush", "--timeout", "3m",
                "-o", out.toString()), cliEnv());
        for (String pod : names) {
            assertTrue(log.contains("flushed pod " + pod + " container " + Labels.SIDECAR_NAME + " (sidecar)"), log);
            List<JsonNode> flushes = awaitGcsManifests(cc, pod, 1).stream()
                    .filter(m -> "flush".equals(m.path("mode").asText())).toList();
            assertEquals(1, flushes.size(), "one flush upload of " + pod + ":\n" + log);
            assertEquals("app", flushes.get(0).path("container").asText(), flushes.toString());
        }
        // the pods were neither deleted nor restarted: the counters came from running programs
        List<Pod> after = CoverageEndToEndTest.admin.pods().inNamespace(NS).withLabel("app", "flushed").list()
                .getItems();
        assertEquals(names, after.stream().map(p -> p.getMetadata().getName())
                .collect(java.util.stream.Collectors.toCollection(TreeSet::new)));
        for (Pod p : after) {
            assertEquals("Running", p.getStatus().getPhase(), p.getMetadata().getName());
            assertEquals(0, p.getStatus().getContainerStatuses().get(0).getRestartCount(), p.getMetadata().getName());
        }
        assertEquals(replicas, countFiles(out, "covcounters."), "one flushed counter file per replica:\n" + log);
        double collected = GoTools.coveragePercent(out);
        double direct = directFlushedPercent(bin, args, replicas);
        System.out.printf("e2e: flushed Deployment coverage %.1f%% (direct runs flushed %.1f%%)%n", collected, direct);
        assertEquals(direct, collected, 0.0001, log);
        CoverageEndToEndTest.admin.apps().deployments().inNamespace(NS).withName("flushed").withGracePeriod(0)
                .delete();
    }
}
