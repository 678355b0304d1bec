package io.integcov.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import io.integcov.testing.GoTools;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The local cluster's network, as kind gives it: the host on the pods' bridge keeps its address when pods leave,
 * Services work through kube-proxy and CoreDNS, kube-apiserver reaches a webhook through its Service's ClusterIP, and
 * PersistentVolumeClaims without a class bind. The pods run testapps/netprobe (one static binary in an image).
 */
@ExtendWith(LocalClusterExtension.class)
class LocalClusterNetworkTest {
    static final Duration CONVERGE = Duration.ofMinutes(2);
    static final String IMAGE = "localhost/netprobe:e2e";
    static final String NETPROBE = "/netprobe";
    static LocalCluster cluster;
    static KubernetesClient admin;
    static ServerSocket hostListener;

    @BeforeAll
    static void start(LocalCluster c) throws Exception {
        cluster = c;
        admin = c.api().adminClient();
        Path dir = Files.createDirectories(c.workDir().resolve("images"));
        Path bin = dir.resolve("netprobe");
        ProcessBuilder pb = new ProcessBuilder(GoTools.go().toString(), "build", "-trimpath", "-o", bin.toString(), ".")
                .directory(E2eEnv.repoRoot().resolve("testapps/netprobe").toFile()).redirectErrorStream(true);
        pb.environment().put("CGO_ENABLED", "0"); // static: the image has no libc
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("go build testapps/netprobe failed:\n" + out);
        }
        c.image("netprobe:e2e", List.of(), Map.of(bin, NETPROBE));

        // a host service on the bridge address, as fake-gcs-server is in the e2e: accepts and closes
        hostListener = new ServerSocket();
        hostListener.bind(new InetSocketAddress(InetAddress.getByName(c.bridgeIp()), 0));
        Thread acceptor = new Thread(() -> {
            while (!hostListener.isClosed()) {
                try (Socket s = hostListener.accept()) {
                    s.getOutputStream().write('\n');
                } catch (IOException closedOrReset) {
                    // closed at the end, or a client that went away
                }
            }
        }, "bridge-listener");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    @AfterAll
    static void stop() throws IOException {
        if (hostListener != null) {
            hostListener.close();
        }
    }

    static Pod netprobePod(String name, Map<String, String> labels, String... args) {
        List<String> command = new ArrayList<>(List.of(NETPROBE));
        command.addAll(List.of(args));
        return new PodBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
                .withNewSpec().withRestartPolicy("Never").withTerminationGracePeriodSeconds(2L)
                .withNewSecurityContext().withRunAsNonRoot(true).withRunAsUser(65532L).withRunAsGroup(65532L)
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile().endSecurityContext()
                .addNewContainer().withName("probe").withImage(IMAGE).withImagePullPolicy("Never")
                .withCommand(command)
                .withNewSecurityContext().withAllowPrivilegeEscalation(false).withReadOnlyRootFilesystem(true)
                .withNewCapabilities().withDrop("ALL").endCapabilities().endSecurityContext()
                .endContainer().endSpec().build();
    }

    static void namespace(String ns) {
        admin.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata()
                .withName(ns).endMetadata().build()).serverSideApply();
        // pods are refused until kube-controller-manager created the namespace's default ServiceAccount
        admin.serviceAccounts().inNamespace(ns).withName("default").waitUntilCondition(sa -> sa != null,
                CONVERGE.toSeconds(), TimeUnit.SECONDS);
    }

    static Pod running(String ns, String name) {
        return admin.pods().inNamespace(ns).withName(name).waitUntilCondition(
                p -> p != null && "Running".equals(p.getStatus().getPhase()), CONVERGE.toSeconds(), TimeUnit.SECONDS);
    }

    static Pod ended(String ns, String name) {
        return admin.pods().inNamespace(ns).withName(name).waitUntilCondition(p -> p != null
                && ("Succeeded".equals(p.getStatus().getPhase()) || "Failed".equals(p.getStatus().getPhase())),
                CONVERGE.toSeconds(), TimeUnit.SECONDS);
    }

    /**
     * Runs a netprobe client pod {@code name} with {@code args} until it ends, asserts it ended in {@code phase}
     * (Succeeded or Failed) and returns its log.
     */
    static String clientRun(String ns, String name, String phase, String... args) {
        admin.pods().inNamespace(ns).resource(netprobePod(name, Map.of("app", "client"), args)).create();
        Pod pod = ended(ns, name);
        String log = admin.pods().inNamespace(ns).withName(name).getLog();
        assertEquals(phase, pod.getStatus().getPhase(), log);
        return log;
    }

    /** Runs netprobe in the pod (exec: apiserver -> kubelet -> containerd, not the pod network); its output. */
    static String exec(String ns, String pod, String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<String> command = new ArrayList<>(List.of(NETPROBE));
        command.addAll(List.of(args));
        try (ExecWatch watch = admin.pods().inNamespace(ns).withName(pod).inContainer("probe").writingOutput(out)
                .writingError(out).exec(command.toArray(String[]::new))) {
            watch.exitCode().get(CONVERGE.toSeconds(), TimeUnit.SECONDS);
        }
        return out.toString(StandardCharsets.UTF_8).trim();
    }

    /** The pod's log once it holds {@code text} (what a netprobe mode prints first). */
    static String waitForLog(String ns, String pod, String text) throws Exception {
        String[] log = {""};
        KubeApiServer.waitUntil(pod + " logs '" + text + "'", null, () -> {
            log[0] = admin.pods().inNamespace(ns).withName(pod).getLog();
            return log[0].contains(text);
        });
        return log[0];
    }

    /** The host side of the pod's veth, a port of the bridge (its index is what netprobe serve logs first). */
    static Path hostVeth(String ns, String pod) throws Exception {
        Matcher m = Pattern.compile("eth0 peer ifindex (\\d+)").matcher(waitForLog(ns, pod, "eth0 peer ifindex"));
        assertTrue(m.find(), "netprobe logged its veth peer");
        String index = m.group(1);
        try (Stream<Path> links = Files.list(Path.of("/sys/class/net"))) {
            for (Path link : links.toList()) {
                Path ifindex = link.resolve("ifindex");
                if (Files.isReadable(ifindex) && Files.readString(ifindex).trim().equals(index)) {
                    assertTrue(Files.exists(link.resolve("brport")), link + " is a port of a bridge");
                    return link;
                }
            }
        }
        throw new IllegalStateException("no host interface with index " + index + " (pod " + pod + ")");
    }

    static boolean hostHasInterfaceWithMac(String mac) throws IOException {
        try (Stream<Path> links = Files.list(Path.of("/sys/class/net"))) {
            for (Path link : links.toList()) {
                Path address = link.resolve("address");
                if (Files.isReadable(address) && Files.readString(address).trim().equals(mac)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The bridge's MAC after a pod leaves: a Linux bridge without an address of its own takes the lowest MAC of its ports and changes it when
     * that port leaves; the pods left then still send to the gateway's old MAC, and nothing of theirs reaches the
     * host (the store on the bridge IP) for the 30-50 s their neighbour entry takes to be re-validated. So the pods
     * are deleted one by one, always the one whose host-side veth has the lowest MAC on the bridge (the one the
     * bridge would have taken), and right after each deletion every pod left must connect to a host listener on the bridge IP with a
     * 2 s dial timeout: far below those 30-50 s, far above a connect on a local bridge (about a millisecond). Before
     * each deletion every pod connects once, so its neighbour table holds the gateway's current MAC, as a running app
     * has it. This asserts that the connections succeed, not how long they take.
     */
    @Test
    void podsLeftKeepReachingTheBridgeAddressWhenTheLowestMacPodIsDeleted() throws Exception {
        String ns = "net-bridge";
        namespace(ns);
        String target = cluster.bridgeIp() + ":" + hostListener.getLocalPort();
        List<String> pods = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String name = "dialer-" + i;
            admin.pods().inNamespace(ns).resource(netprobePod(name, Map.of("app", "dialer"), "serve", ":8080"))
                    .create();
            pods.add(name);
        }
        for (String pod : pods) {
            running(ns, pod);
        }
        // Which port of the bridge has the lowest MAC is up to chance (the kernel picks veth addresses at random, and
        // CoreDNS's pod is a port too). So the host sides of these pods' veths get the lowest addresses there are,
        // in the order the pods are deleted: a bridge without an address of its own would take dialer-0's, then
        // dialer-1's once dialer-0 left, and so on; each deletion would move it.
        Map<String, String> macs = new java.util.HashMap<>();
        for (int i = 0; i < pods.size(); i++) {
            String mac = String.format("02:00:00:00:00:%02x", 0x10 + i);
            Path veth = hostVeth(ns, pods.get(i));
            LocalClusterTest.run("ip", "link", "set", "dev", veth.getFileName().toString(), "address", mac);
            assertEquals(mac, Files.readString(veth.resolve("address")).trim());
            macs.put(pods.get(i), mac);
        }
        Path bridgeAddress = Path.of("/sys/class/net", cluster.bridgeName(), "address");
        while (pods.size() > 1) {
            for (String pod : pods) {
                String said = exec(ns, pod, "dial", target, "2s");
                assertTrue(said.contains("connected to " + target), pod + " before a deletion: " + said);
            }
            String lowest = pods.remove(0);
            admin.pods().inNamespace(ns).withName(lowest).withGracePeriod(0).delete();
            admin.pods().inNamespace(ns).withName(lowest).waitUntilCondition(p -> p == null, CONVERGE.toSeconds(),
                    TimeUnit.SECONDS);
            // the pod object goes before its sandbox: wait until the veth (the bridge port) is gone too
            KubeApiServer.waitUntil("the veth " + macs.get(lowest) + " of " + lowest + " removed", null,
                    () -> !hostHasInterfaceWithMac(macs.get(lowest)));
            assertEquals(cluster.bridgeMac(), Files.readString(bridgeAddress).trim(),
                    "the bridge keeps its address after " + lowest + " (" + macs.get(lowest) + ") left");
            for (String pod : pods) {
                String said = exec(ns, pod, "dial", target, "2s");
                assertTrue(said.contains("connected to " + target),
                        pod + " right after " + lowest + " (" + macs.get(lowest) + ") left: " + said);
            }
        }
        admin.namespaces().withName(ns).delete();
    }

    /**
     * A client pod reaches server pods through a ClusterIP Service by its DNS name (CoreDNS behind kube-dns, then
     * kube-proxy's rules), a pod reaches the API server through the {@code kubernetes} Service by name with the
     * cluster CA (the certificate names it; the endpoint is the bridge address), and the host reaches the ClusterIP.
     */
    @Test
    void podsReachServicesByDnsNameAndTheHostReachesTheClusterIp() throws Exception {
        String ns = "net-dns";
        namespace(ns);
        for (String name : List.of("echo-a", "echo-b")) {
            admin.pods().inNamespace(ns).resource(netprobePod(name, Map.of("app", "echo"), "serve", ":8080"))
                    .create();
        }
        admin.services().inNamespace(ns).resource(new ServiceBuilder().withNewMetadata().withName("echo")
                .endMetadata().withNewSpec().withSelector(Map.of("app", "echo")).addNewPort().withPort(80)
                .withTargetPort(new IntOrString(8080)).endPort().endSpec().build()).create();
        running(ns, "echo-a");
        running(ns, "echo-b");
        String clusterIp = admin.services().inNamespace(ns).withName("echo").get().getSpec().getClusterIP();
        assertTrue(clusterIp.startsWith("10.96."), clusterIp);

        // the host (as kube-apiserver does for webhooks): kube-proxy programs a new Service asynchronously
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI uri = URI.create("http://" + clusterIp + "/");
        KubeApiServer.waitUntil("the host reaches " + uri, null, () -> http.send(HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
        String body = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(body.matches("netprobe echo-[ab]\\n"), body);

        // a pod, by name: the Service and its endpoints exist and the host went through them, so the client's
        // tries only cover CoreDNS's own watch catching up (it logs each failed try)
        String url = "http://echo." + ns + ".svc." + cluster.clusterDomain() + "/";
        String log = clientRun(ns, "client", "Succeeded", "get", url, "20");
        assertTrue(Pattern.compile("GET " + Pattern.quote(url) + ": 200 netprobe echo-[ab]").matcher(log).find(), log);

        // the short name through the pod's search path (ns.svc.cluster.local), as apps write it
        String shortLog = clientRun(ns, "client-short", "Succeeded", "get", "http://echo/", "20");
        assertTrue(shortLog.contains(": 200 netprobe echo-"), shortLog);

        // the API server from a pod: https://kubernetes.default.svc (10.96.0.1:443 -> the bridge address), verified
        // with the ServiceAccount's CA; /version is readable without credentials
        String api = "https://kubernetes.default.svc." + cluster.clusterDomain() + "/version";
        String apiLog = clientRun(ns, "api-client", "Succeeded", "get", api, "20",
                "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt");
        assertTrue(apiLog.contains(": 200 ") && apiLog.contains(KubeApiServer.pinnedVersion()), apiLog);

        // a name outside the cluster: CoreDNS has no upstream and answers NXDOMAIN at once
        String outsideLog = clientRun(ns, "outside", "Failed", "get", "http://example.invalid/", "1");
        assertTrue(outsideLog.contains("no such host"), outsideLog);
        admin.namespaces().withName(ns).delete();
    }

    /**
     * kube-apiserver calls a validating webhook registered by Service (as integcov's webhook is): it resolves the
     * Service to its ClusterIP (aggregator routing is off), and kube-proxy's OUTPUT rules take the call to the pod.
     * netprobe denies objects named deny-*, so a denial with its message can only come from the pod.
     */
    @Test
    void theApiServerCallsAWebhookThroughItsService() throws Exception {
        String ns = "net-webhook";
        namespace(ns);
        String dnsName = "probe-webhook." + ns + ".svc";
        Pod pod = netprobePod("probe-webhook", Map.of("app", "probe-webhook"), "webhook", ":8443", dnsName);
        pod.getSpec().getContainers().get(0).setReadinessProbe(new io.fabric8.kubernetes.api.model.ProbeBuilder()
                .withNewTcpSocket().withPort(new IntOrString(8443)).endTcpSocket().withPeriodSeconds(1).build());
        admin.pods().inNamespace(ns).resource(pod).create();
        admin.services().inNamespace(ns).resource(new ServiceBuilder().withNewMetadata().withName("probe-webhook")
                .endMetadata().withNewSpec().withSelector(Map.of("app", "probe-webhook")).addNewPort().withPort(443)
                .withTargetPort(new IntOrString(8443)).endPort().endSpec().build()).create();
        admin.pods().inNamespace(ns).withName("probe-webhook").waitUntilReady(CONVERGE.toSeconds(), TimeUnit.SECONDS);
        Matcher bundle = Pattern.compile("ca-bundle (\\S+)").matcher(
                waitForLog(ns, "probe-webhook", "ca-bundle"));
        assertTrue(bundle.find());

        String config = "netprobe-" + ns;
        admin.admissionRegistration().v1().validatingWebhookConfigurations().resource(
                new ValidatingWebhookConfigurationBuilder().withNewMetadata().withName(config).endMetadata()
                        .addNewWebhook().withName("netprobe.integcov.io").withAdmissionReviewVersions("v1")
                        .withSideEffects("None").withFailurePolicy("Fail").withTimeoutSeconds(5)
                        .withNewNamespaceSelector().withMatchLabels(Map.of("kubernetes.io/metadata.name", ns))
                        .endNamespaceSelector()
                        .addNewRule().withApiGroups("").withApiVersions("v1").withOperations("CREATE")
                        .withResources("configmaps").endRule()
                        .withNewClientConfig().withCaBundle(bundle.group(1)).withNewService().withNamespace(ns)
                        .withName("probe-webhook").withPort(443).withPath("/validate").endService().endClientConfig()
                        .endWebhook().build()).create();
        try {
            // the API server loads webhook configurations asynchronously: dry runs until the webhook answers
            String[] lastAnswer = {"none"};
            try {
                Awaitility.await("a dry-run create is denied by the webhook").atMost(CONVERGE).pollDelay(Duration.ZERO)
                        .pollInterval(Duration.ofMillis(250)).pollInSameThread().until(() -> {
                            try {
                                admin.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata()
                                        .withName("deny-dry-run").endMetadata().build()).dryRun().create();
                                lastAnswer[0] = "admitted (webhook not loaded yet)";
                                return false;
                            } catch (KubernetesClientException e) {
                                lastAnswer[0] = e.getMessage();
                                return e.getMessage().contains("denied by netprobe probe-webhook");
                            }
                        });
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("the webhook's own denial, through its Service, within " + CONVERGE
                        + "; last answer: " + lastAnswer[0], e);
            }

            KubernetesClientException e = org.junit.jupiter.api.Assertions.assertThrows(
                    KubernetesClientException.class, () -> admin.configMaps().inNamespace(ns).resource(
                            new ConfigMapBuilder().withNewMetadata().withName("deny-me").endMetadata().build())
                            .create());
            assertTrue(e.getMessage().contains("denied by netprobe probe-webhook"), e.getMessage());
            admin.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("allowed")
                    .endMetadata().build()).create();
            assertNotNull(admin.configMaps().inNamespace(ns).withName("allowed").get());
            String log = admin.pods().inNamespace(ns).withName("probe-webhook").getLog();
            assertTrue(log.contains("admission of \"allowed\": allowed true"), log);
        } finally {
            admin.admissionRegistration().v1().validatingWebhookConfigurations().withName(config).delete();
        }
        admin.namespaces().withName(ns).delete();
    }

    /** A PersistentVolumeClaim without a class (as deploy/base/store.yaml's) binds to a volume of class standard. */
    @Test
    void aClaimWithoutAClassBindsToAHostPathVolume() throws Exception {
        String ns = "net-storage";
        namespace(ns);
        admin.persistentVolumeClaims().inNamespace(ns).resource(new PersistentVolumeClaimBuilder().withNewMetadata()
                .withName("data").endMetadata().withNewSpec().withAccessModes("ReadWriteOnce").withNewResources()
                .withRequests(Map.of("storage", new Quantity("2Gi"))).endResources().endSpec().build()).create();
        Pod writer = netprobePod("writer", Map.of("app", "writer"), "write", "/data/written-by");
        writer.getSpec().getContainers().get(0).getVolumeMounts().add(
                new io.fabric8.kubernetes.api.model.VolumeMountBuilder().withName("data").withMountPath("/data")
                        .build());
        writer.getSpec().getVolumes().add(new io.fabric8.kubernetes.api.model.VolumeBuilder().withName("data")
                .withNewPersistentVolumeClaim().withClaimName("data").endPersistentVolumeClaim().build());
        admin.pods().inNamespace(ns).resource(writer).create();
        Pod done = ended(ns, "writer");
        assertEquals("Succeeded", done.getStatus().getPhase(), admin.pods().inNamespace(ns).withName("writer")
                .getLog());

        PersistentVolumeClaim claim = admin.persistentVolumeClaims().inNamespace(ns).withName("data").get();
        assertEquals("Bound", claim.getStatus().getPhase());
        assertEquals("standard", claim.getSpec().getStorageClassName(), "the default class was given");
        String volume = claim.getSpec().getVolumeName();
        Path hostDir = Path.of(admin.persistentVolumes().withName(volume).get().getSpec().getHostPath().getPath());
        assertTrue(hostDir.startsWith(cluster.workDir()), hostDir.toString());
        assertEquals("writer", Files.readString(hostDir.resolve("written-by")).trim());
        admin.namespaces().withName(ns).delete();
    }
}
