package io.integcov.cli.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.integcov.cli.IntegcovCommand;
import io.integcov.storage.Storage;
import io.integcov.testing.FakeGcs;
import io.integcov.testing.GoTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import picocli.CommandLine;

/**
 * {@code integcov collect --capture}: the capture's storage URL and uid are read through a kubeconfig (TLS with a
 * client certificate, RSA or EC key) from an HTTPS server that answers like the Kubernetes API.
 */
class CaptureCollectTest {
    private static final Pattern TOTAL = Pattern.compile("(?m)^total\\s+\\d+\\s+\\d+\\s+([0-9.]+)%$");
    private static final String CAPTURE_PATH = "/apis/integcov.io/v1alpha1/namespaces/shop/coveragecaptures/e2e";
    private static final String PODS_PATH = "/api/v1/namespaces/shop/pods";

    @TempDir
    static Path work;
    static CovappRuns covapp;
    static TlsFixtures tls;
    static FakeApiServer api;

    @TempDir
    Path storageRoot;

    @BeforeAll
    static void start() throws Exception {
        covapp = new CovappRuns(GoTools.buildCovapp(work.resolve("bin")), work);
        tls = new TlsFixtures();
        api = new FakeApiServer(tls.serverContext(tls.server()));
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @AfterEach
    void forgetKubeconfig() {
        System.clearProperty("kubeconfig");
    }

    @ParameterizedTest
    @EnumSource(TlsFixtures.KeyType.class)
    void kubeconfigWithRsaOrEcClientKeyInAnyFormIsUsed(TlsFixtures.KeyType keyType) throws Exception {
        useKubeconfig(keyType);
        answerCapture("uid-" + keyType);
        CovappRuns.upload(storageRoot, covapp.run("-work", "3"), "shop/e2e/uid-" + keyType + "/api-0/api/r1", true,
                true);
        api.clients.clear();

        CollectCommandTest.Result result = CollectCommandTest.collect("--capture", "shop/e2e", "-o",
                work.resolve("out-" + keyType).toString());

        assertEquals(0, result.exitCode(), result.err());
        assertTrue(api.clients.stream().anyMatch(c -> c.contains("CN=ci-" + keyType.name().toLowerCase())),
                api.clients.toString());
        assertTrue(TOTAL.matcher(result.out()).find(), result.out());
        assertFalse(result.err().contains("SLF4J"), result.err());
    }

    @Test
    void aRecreatedCaptureSeesOnlyTheUploadsOfItsOwnUid() throws Exception {
        useKubeconfig(TlsFixtures.KeyType.EC_PKCS8);
        answerCapture("uid-new");
        Path oldRun = covapp.run("-work", "50");
        Path newRun = covapp.run("-work", "3");
        CovappRuns.upload(storageRoot, oldRun, "shop/e2e/uid-old/api-0/api/r1", true, true);
        CovappRuns.upload(storageRoot, newRun, "shop/e2e/uid-new/api-0/api/r2", true, true);
        CovappRuns.upload(storageRoot, oldRun, "shop/other/uid-x/api-0/api/r3", true, true);
        Path report = work.resolve("recreated.json");

        CollectCommandTest.Result result = CollectCommandTest.collect("--capture", "shop/e2e", "-o",
                work.resolve("out-recreated").toString(), "--json", report.toString());

        assertEquals(0, result.exitCode(), result.err());
        double own = GoTools.coveragePercent(newRun);
        assertTrue(GoTools.coveragePercent(oldRun, newRun) > own, "merging the old run would change the number");
        Matcher total = TOTAL.matcher(result.out());
        assertTrue(total.find(), result.out());
        assertEquals(own, Double.parseDouble(total.group(1)), 0.05);
        JsonNode json = new ObjectMapper().readTree(report.toFile());
        assertEquals(1, json.path("runs").size(), json.toString());
        assertEquals("shop/e2e/uid-new/api-0/api/r2", json.path("runs").get(0).path("dir").asText());
        assertEquals("uid-new", json.path("captureUid").asText());
        assertTrue(result.err().contains("downloaded 2 files"), result.err());
    }

    @Test
    void waitEndsOnceEveryInjectedContainerHasCommitted() throws Exception {
        useKubeconfig(TlsFixtures.KeyType.RSA);
        answerCapture("uid-w1");
        answerPods("Succeeded");
        CovappRuns.upload(storageRoot, covapp.run("-work", "3"), "shop/e2e/uid-w1/api-0/api/r1", true, true);

        CollectCommandTest.Result result = CollectCommandTest.collect("--capture", "shop/e2e", "--wait", "--timeout",
                "2m", "-o", work.resolve("out-wait").toString());

        assertEquals(0, result.exitCode(), result.err());
        assertFalse(result.err().contains("waiting:"), result.err());
    }

    @Test
    void waitGivesUpAfterTheGoStyleTimeoutAndNamesWhatIsPending() throws Exception {
        useKubeconfig(TlsFixtures.KeyType.RSA);
        answerCapture("uid-w2");
        answerPods("Running");
        CovappRuns.upload(storageRoot, covapp.run("-work", "3"), "shop/e2e/uid-w2/api-9/api/r1", true, true);

        CollectCommandTest.Result result = CollectCommandTest.collect("--capture", "shop/e2e", "--wait", "--timeout",
                "1500ms", "-o", work.resolve("out-gave-up").toString());

        assertEquals(1, result.exitCode(), result.err());
        assertTrue(result.err().contains("waiting: pod api-0 is still running"), result.err());
        assertTrue(result.err().contains("gave up waiting after 1.5s"), result.err());
        assertTrue(TOTAL.matcher(result.out()).find(), "what is there is still collected: " + result.out());
    }

    /**
     * The capture's status says a matched pod was never injected and an injected pod's second container committed no
     * upload: warnings, exit 0; with --strict the same lines are errors, exit 1. Everything is collected either way.
     */
    @Test
    void podsNeverInjectedOrWithoutUploadWarnAndFailWithStrict() throws Exception {
        useKubeconfig(TlsFixtures.KeyType.RSA);
        answerCapture("uid-s1", ",\"status\":{\"matchedPods\":2,\"injectedPods\":1,\"notInjectedPods\":1,"
                + "\"notInjected\":[{\"pod\":\"api-1\",\"reason\":\"created before the capture; recreate it\"}],"
                + "\"injected\":[{\"pod\":\"api-0\",\"mode\":\"wrap+sidecar\",\"wrapped\":[\"api\"],"
                + "\"sidecar\":[\"worker\"]}]}");
        CovappRuns.upload(storageRoot, covapp.run("-work", "3"), "shop/e2e/uid-s1/api-0/api/r1", true, true);
        String never = "pod api-1 matched but was never injected: created before the capture; recreate it";
        String noUpload = "pod api-0 container worker was injected but committed no upload";

        CollectCommandTest.Result lenient = CollectCommandTest.collect("--capture", "shop/e2e", "-o",
                work.resolve("out-lenient").toString());
        assertEquals(0, lenient.exitCode(), lenient.err());
        assertTrue(lenient.err().contains("integcov collect: warning: " + never), lenient.err());
        assertTrue(lenient.err().contains("integcov collect: warning: " + noUpload), lenient.err());
        assertFalse(lenient.err().contains("warning: pod api-0 container api "), "api committed: " + lenient.err());

        CollectCommandTest.Result strict = CollectCommandTest.collect("--capture", "shop/e2e", "--strict", "-o",
                work.resolve("out-strict").toString());
        assertEquals(1, strict.exitCode(), strict.err());
        assertTrue(strict.err().contains("integcov collect: error: " + never), strict.err());
        assertTrue(strict.err().contains("integcov collect: error: " + noUpload), strict.err());
        assertTrue(TOTAL.matcher(strict.out()).find(), "the rest is still collected: " + strict.out());
    }

    @Test
    void strictPassesWhenEveryMatchedPodWasInjectedAndUploaded() throws Exception {
        useKubeconfig(TlsFixtures.KeyType.RSA);
        answerCapture("uid-s2", ",\"status\":{\"matchedPods\":1,\"injectedPods\":1,\"notInjectedPods\":0,"
                + "\"injected\":[{\"pod\":\"api-0\",\"mode\":\"wrap\",\"wrapped\":[\"api\"]}]}");
        CovappRuns.upload(storageRoot, covapp.run("-work", "3"), "shop/e2e/uid-s2/api-0/api/r1", true, true);

        CollectCommandTest.Result result = CollectCommandTest.collect("--capture", "shop/e2e", "--strict", "-o",
                work.resolve("out-strict-ok").toString());

        assertEquals(0, result.exitCode(), result.err());
        assertFalse(result.err().contains("warning") || result.err().contains("error"), result.err());
    }

    /**
     * A capture without spec.storage is read from the default store through the forwarder (here a fake-gcs-server
     * standing for the port-forward, which needs a real kubelet), opened once for --wait and the download and closed
     * at the end; the files are verified against the manifest as for any store.
     */
    @Test
    void captureWithoutStorageIsReadFromTheDefaultStoreThroughOneForward() throws Exception {
        useKubeconfig(TlsFixtures.KeyType.RSA);
        api.answer(CAPTURE_PATH, "{\"apiVersion\":\"integcov.io/v1alpha1\",\"kind\":\"CoverageCapture\","
                + "\"metadata\":{\"name\":\"e2e\",\"namespace\":\"shop\",\"uid\":\"uid-d\"},\"spec\":{}}");
        answerPods("Succeeded");
        Path run = covapp.run("-work", "7");
        try (FakeGcs gcs = FakeGcs.start("integcov")) {
            String host = gcs.endpoint().replace("http://", "");
            try (Storage store = Storage.openRetrying("gs://integcov/coverage", Duration.ofSeconds(10), host)) {
                CovappRuns.upload(store, run, "shop/e2e/uid-d/api-0/api/r1", true, true);
            }
            RecordingForwarder forwarder = new RecordingForwarder(host);
            CommandLine integcov = IntegcovCommand.commandLine();
            ((CollectCommand) integcov.getSubcommands().get("collect").getCommand()).forwarder = forwarder;

            CollectCommandTest.Result result = CollectCommandTest.run(integcov, "collect", "--capture", "shop/e2e",
                    "--wait", "--timeout", "1m", "-o", work.resolve("out-default-store").toString());

            assertEquals(0, result.exitCode(), result.err());
            assertEquals(List.of("integcov-system/integcov-store"), forwarder.opened, "one forward for wait and download");
            assertEquals(1, forwarder.closed.get(), "the forward is closed when collect ends");
            Matcher total = TOTAL.matcher(result.out());
            assertTrue(total.find(), result.out());
            assertEquals(GoTools.coveragePercent(run), Double.parseDouble(total.group(1)), 0.05);
            assertTrue(result.err().contains("reading the default store through a port-forward to fake " + host),
                    result.err());
            assertTrue(result.err().contains("from gs://integcov/coverage/shop/e2e/uid-d"), result.err());
        }
    }

    /** Stands for the port-forward: hands out the address of a store the test runs, and records its use. */
    private static final class RecordingForwarder implements StoreForwarder {
        final List<String> opened = new ArrayList<>();
        final AtomicInteger closed = new AtomicInteger();
        private final String hostPort;

        RecordingForwarder(String hostPort) {
            this.hostPort = hostPort;
        }

        @Override
        public Forward open(KubernetesClient client, String namespace, String service) {
            opened.add(namespace + "/" + service);
            return new Forward() {
                @Override
                public String hostPort() {
                    return hostPort;
                }

                @Override
                public String describe() {
                    return "fake " + hostPort;
                }

                @Override
                public void close() {
                    closed.incrementAndGet();
                }
            };
        }
    }

    @Test
    void aMissingCaptureIsOneErrorLine() throws Exception {
        useKubeconfig(TlsFixtures.KeyType.RSA);

        CollectCommandTest.Result result = CollectCommandTest.collect("--capture", "shop/absent", "-o",
                work.resolve("out-absent").toString());

        assertEquals(1, result.exitCode(), result.err());
        assertEquals("integcov collect: error: CoverageCapture shop/absent does not exist", result.err().strip());
    }

    @Test
    void anUnreadableKubeconfigKeyIsOneLineSayingWhy() throws Exception {
        String kubeconfig = tls.kubeconfig(api.url(), tls.client(TlsFixtures.KeyType.EC))
                .replaceAll("client-key-data: .*", "client-key-data: " + java.util.Base64.getEncoder()
                        .encodeToString("-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n".getBytes()));
        System.setProperty("kubeconfig", Files.writeString(work.resolve("broken-kubeconfig"), kubeconfig).toString());

        CollectCommandTest.Result result = CollectCommandTest.collect("--capture", "shop/e2e", "-o",
                work.resolve("out-broken").toString());

        assertEquals(1, result.exitCode(), result.err());
        String line = result.err().strip();
        assertTrue(line.startsWith("integcov collect: error: cannot read the client key of the kubeconfig: "), line);
        assertTrue(line.contains("EC private key"), line);
        assertEquals(1, line.lines().count(), line);
    }

    @Test
    void anUnreachableApiServerIsReportedWithTheCause() throws Exception {
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Path file = work.resolve("kubeconfig-unreachable");
        Files.writeString(file, tls.kubeconfig("https://127.0.0.1:" + closedPort, tls.client(TlsFixtures.KeyType.RSA)));
        System.setProperty("kubeconfig", file.toString());
        System.setProperty("kubernetes.request.retry.backoffLimit", "0"); // fail at once instead of after 10 retries

        CollectCommandTest.Result result;
        try {
            result = CollectCommandTest.collect("--capture", "shop/e2e", "-o", work.resolve("out-unreachable").toString());
        } finally {
            System.clearProperty("kubernetes.request.retry.backoffLimit");
        }

        assertEquals(1, result.exitCode(), result.err());
        String line = result.err().strip();
        assertTrue(line.startsWith("integcov collect: error: "), line);
        assertTrue(line.contains("caused by java.net.ConnectException"),
                "fabric8's generic message alone says nothing: " + line);
        assertEquals(1, line.lines().count(), line);
    }

    private void useKubeconfig(TlsFixtures.KeyType keyType) throws Exception {
        Path file = work.resolve("kubeconfig-" + keyType);
        Files.writeString(file, tls.kubeconfig(api.url(), tls.client(keyType)));
        System.setProperty("kubeconfig", file.toString());
    }

    private void answerCapture(String uid) {
        answerCapture(uid, "");
    }

    /** The capture with {@code more} (e.g. {@code ,"status":{...}}) after its spec. */
    private void answerCapture(String uid, String more) {
        api.answer(CAPTURE_PATH, "{\"apiVersion\":\"integcov.io/v1alpha1\",\"kind\":\"CoverageCapture\","
                + "\"metadata\":{\"name\":\"e2e\",\"namespace\":\"shop\",\"uid\":\"" + uid + "\"},"
                + "\"spec\":{\"storage\":{\"url\":\"file://" + storageRoot + "\"}}" + more + "}");
    }

    private void answerPods(String phase) {
        api.answer(PODS_PATH, "{\"apiVersion\":\"v1\",\"kind\":\"PodList\",\"metadata\":{},\"items\":[{"
                + "\"metadata\":{\"name\":\"api-0\",\"namespace\":\"shop\","
                + "\"annotations\":{\"integcov.io/injected\":\"e2e\"}},"
                + "\"spec\":{\"containers\":[{\"name\":\"api\",\"image\":\"example/api\","
                + "\"env\":[{\"name\":\"INTEGCOV_CONTAINER\",\"value\":\"api\"}]}]},"
                + "\"status\":{\"phase\":\"" + phase + "\"}}]}");
    }
}
