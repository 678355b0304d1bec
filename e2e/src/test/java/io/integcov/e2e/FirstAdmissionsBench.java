package io.integcov.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.integcov.model.CoverageCapture;
import io.integcov.model.CoverageCaptureSpec;
import io.integcov.model.Labels;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Benchmark, not a test (its name keeps it out of surefire's default includes, and it is skipped unless
 * {@code -Dintegcov.bench=true}): the latency of the first admissions after a webhook pod becomes Ready, against the
 * same pod warm. Run by bench/first-admissions.sh: {@code mvn -pl e2e verify -Dtest=FirstAdmissionsBench
 * -Dintegcov.bench=true}.
 *
 * <p>integcov is installed as the e2e installs it ({@code IntegcovInCluster}). The webhook is scaled to 0 and then to
 * 1 replica, so every admission goes to the one new pod; as soon as that pod is Ready and its Service's EndpointSlice
 * lists it as ready, {@value #COLD} server-side dry-run pod creates are sent through the API server one after the
 * other (a namespace labelled for injection with a CoverageCapture selecting the pods, so the webhook really mutates;
 * each must come back injected), each create call timed by the client. Then {@value #WARMUP} warm-up admissions and
 * {@value #WARM} warm ones the same way. Also measured in the same run: the same creates in an unlabelled namespace
 * (the API server does not call the webhook: the floor of client + API server), and the webhook's own histogram
 * {@code integcov_admission_seconds} read from the pod's {@code /q/metrics} after each series. The webhook goes back
 * to its 2 replicas at the end of each round; {@code -Dintegcov.bench.rounds=N} (default 4) restarts it N times,
 * alternately with the HTTPS warm-up off and on ({@code INTEGCOV_WARMUP_ENABLED} on the Deployment, set while it has no
 * pods), and a summary compares the two.
 *
 * <p>The cold series starts only once the Service's ClusterIP accepts a TCP connection from this host: the new pod is
 * the Service's only endpoint, and until kube-proxy has replaced its REJECT rule for a Service without endpoints the
 * API server's call fails ({@code no route to host}) and the pod is admitted uninjected (fail open) after seconds. That
 * lag is kube-proxy's, not the webhook's start.
 */
@ExtendWith(LocalClusterExtension.class)
class FirstAdmissionsBench {
    static final int COLD = 200;
    static final int WARMUP = 1000;
    static final int WARM = 200;
    static final String NS = "bench-first-admissions";
    static final String PLAIN_NS = "bench-no-webhook";
    static final Duration START = Duration.ofMinutes(5);

    static IntegcovInCluster integcov;
    static KubernetesClient admin;

    @BeforeAll
    static void install(LocalCluster cluster) throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("integcov.bench"),
                "a benchmark: run it with -Dtest=FirstAdmissionsBench -Dintegcov.bench=true");
        integcov = IntegcovInCluster.in(cluster);
        admin = cluster.api().adminClient();
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS)
                .addToLabels(Labels.INJECT_LABEL, Labels.INJECT_ENABLED).endMetadata().build()).serverSideApply();
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(PLAIN_NS).endMetadata().build())
                .serverSideApply();
        for (String ns : List.of(NS, PLAIN_NS)) {
            admin.serviceAccounts().inNamespace(ns).withName("default").waitUntilCondition(sa -> sa != null,
                    START.toSeconds(), TimeUnit.SECONDS);
        }
        CoverageCaptureSpec spec = new CoverageCaptureSpec();
        spec.setSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("app", "bench")).build());
        admin.resources(CoverageCapture.class).inNamespace(NS).resource(new CoverageCapture(NS, "bench", spec))
                .serverSideApply();
        KubeApiServer.waitUntil("a dry-run create in " + NS + " is mutated by the webhook", null,
                () -> injected(create(NS, "probe")));
    }

    static Pod pod(String ns, String name) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(ns).addToLabels("app", "bench")
                .endMetadata().withNewSpec().addToContainers(new ContainerBuilder().withName("app")
                        .withImage("registry.invalid/app:1").withCommand("/app").build())
                .endSpec().build();
    }

    /** A server-side dry-run create: admission runs (mutating webhooks included), nothing is stored. */
    static Pod create(String ns, String name) {
        return admin.pods().inNamespace(ns).resource(pod(ns, name)).dryRun().create();
    }

    static boolean injected(Pod p) {
        return p.getMetadata().getAnnotations() != null
                && p.getMetadata().getAnnotations().containsKey(Labels.INJECTED_ANNOTATION);
    }

    /** Series in which some creates did not come back as expected (the bench fails after printing). */
    static final List<String> wrong = new java.util.ArrayList<>();

    /** {@code n} creates one after the other; the time of each create call in nanoseconds. */
    static long[] series(String ns, String prefix, int n, boolean mustInject) {
        long[] nanos = new long[n];
        int notInjected = 0;
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            Pod p = create(ns, prefix + "-" + i);
            nanos[i] = System.nanoTime() - t0;
            if (injected(p) != mustInject) {
                notInjected++;
            }
        }
        if (notInjected > 0) {
            wrong.add(notInjected + " of " + n + " creates in " + ns + " (" + prefix + ") came back "
                    + (mustInject ? "without" : "with") + " injection");
        }
        return nanos;
    }

    /** Nearest-rank percentile (p99 of 200 is the 198th fastest). */
    static double percentileMs(long[] nanos, double p) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        int rank = (int) Math.ceil(p / 100.0 * s.length);
        return s[Math.max(0, rank - 1)] / 1e6;
    }

    static double maxMs(long[] nanos) {
        return Arrays.stream(nanos).max().orElse(0) / 1e6;
    }

    @Test
    void firstAdmissionsAfterReadyAgainstWarm() throws Exception {
        // the client and the API server warm first, so that the cold series measures the webhook's start
        series(PLAIN_NS, "client-warmup", 300, false);
        int rounds = Integer.getInteger("integcov.bench.rounds", 4);
        try {
            for (int r = 1; r <= rounds; r++) {
                round(r, rounds, r % 2 == 0);
            }
        } finally {
            integcov.stopWebhook();
            setWarmup(null);
            integcov.startWebhook();
        }
        System.out.printf("%nsummary, %d rounds (cold: first %d after Ready; warm: %d after %d more)%n", rounds, COLD,
                WARM, WARMUP);
        System.out.printf("%-8s %-6s %8s %8s %8s %8s %10s %10s %8s%n", "warm-up", "round", "cold p50", "cold p99",
                "warm p50", "warm p99", "p50 ratio", "p99 ratio", "Ready s");
        for (Result x : results) {
            System.out.printf("%-8s %-6d %8.1f %8.1f %8.1f %8.1f %10.2f %10.2f %8.1f%n", x.warmup ? "on" : "off",
                    x.round, percentileMs(x.cold, 50), percentileMs(x.cold, 99), percentileMs(x.warm, 50),
                    percentileMs(x.warm, 99), percentileMs(x.cold, 50) / percentileMs(x.warm, 50),
                    percentileMs(x.cold, 99) / percentileMs(x.warm, 99), x.readySeconds);
        }
        assertEquals(List.of(), wrong);
    }

    record Result(int round, boolean warmup, long[] cold, long[] warm, double readySeconds) {
    }

    static final List<Result> results = new java.util.ArrayList<>();

    /** Sets INTEGCOV_WARMUP_ENABLED on the webhook's container (null: removes it, the default, on). */
    static void setWarmup(Boolean enabled) {
        admin.apps().deployments().inNamespace(IntegcovInCluster.SYSTEM_NS).withName(IntegcovInCluster.WEBHOOK)
                .edit(d -> {
                    var c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
                    c.getEnv().removeIf(e -> "INTEGCOV_WARMUP_ENABLED".equals(e.getName()));
                    if (enabled != null) {
                        c.getEnv().add(new io.fabric8.kubernetes.api.model.EnvVar("INTEGCOV_WARMUP_ENABLED",
                                enabled.toString(), null));
                    }
                    return d;
                });
    }

    /** Waits until the webhook Service's ClusterIP accepts a TCP connection from this host (see the class comment). */
    static void awaitServiceReachable() {
        String ip = admin.services().inNamespace(IntegcovInCluster.SYSTEM_NS).withName(IntegcovInCluster.WEBHOOK).get()
                .getSpec().getClusterIP();
        org.awaitility.Awaitility.await("the webhook Service " + ip + ":443 accepts connections").atMost(START)
                .pollInterval(Duration.ofMillis(20)).ignoreExceptions().until(() -> {
                    try (java.net.Socket s = new java.net.Socket()) {
                        s.connect(new java.net.InetSocketAddress(ip, 443), 1000);
                        return true;
                    }
                });
    }

    /** One restart of the webhook: its first admissions, then warm ones, and the table. */
    void round(int r, int rounds, boolean warmupOn) throws Exception {
        long[] plain = series(PLAIN_NS, "plain-" + r, WARM, false);

        Set<String> before = webhookPodNames();
        String pod;
        long tScaled;
        long tReady;
        long tReachable;
        long tColdDone;
        long[] cold;
        long[] warm;
        Map<String, Double> afterCold;
        Map<String, Double> beforeWarm;
        Map<String, Double> afterWarm;
        try {
            integcov.stopWebhook();
            setWarmup(warmupOn);
            admin.apps().deployments().inNamespace(IntegcovInCluster.SYSTEM_NS).withName(IntegcovInCluster.WEBHOOK)
                    .scale(1);
            tScaled = System.nanoTime();
            pod = awaitNewReadyWebhookPod(before);
            tReady = System.nanoTime();
            awaitServiceReachable();
            tReachable = System.nanoTime();
            cold = series(NS, "cold-" + r, COLD, true);
            tColdDone = System.nanoTime();
            afterCold = admissionHistogram(pod);

            series(NS, "warmup-" + r, WARMUP, true);
            beforeWarm = admissionHistogram(pod);
            warm = series(NS, "warm-" + r, WARM, true);
            afterWarm = admissionHistogram(pod);
        } finally {
            integcov.startWebhook(); // back to its 2 replicas
        }

        results.add(new Result(r, warmupOn, cold, warm, (tReady - tScaled) / 1e9));
        System.out.printf("%nfirst admissions after a webhook pod becomes Ready, round %d of %d, HTTPS warm-up %s (pod"
                + " %s; scaled 0 -> 1, Ready and in the EndpointSlice %.1f s after the scale-up, Service reachable %.2f s"
                + " later; the %d cold admissions took %.1f s)%n", r, rounds, warmupOn ? "on" : "off", pod,
                (tReady - tScaled) / 1e9, (tReachable - tReady) / 1e9, COLD, (tColdDone - tReachable) / 1e9);
        System.out.printf("server-side dry-run pod creates through the API server, one at a time, client-side time"
                + " of each create call%n");
        System.out.printf("%-44s %8s %8s %8s%n", "series", "p50 ms", "p99 ms", "max ms");
        row("cold: first " + COLD + " after Ready", cold);
        row("warm: " + WARM + " after " + WARMUP + " more", warm);
        row("no webhook (unlabelled namespace), " + WARM, plain);
        System.out.printf("%-44s %8.1f %8.1f %8.1f%n", "ratio cold / warm", percentileMs(cold, 50)
                / percentileMs(warm, 50), percentileMs(cold, 99) / percentileMs(warm, 99), maxMs(cold) / maxMs(warm));
        System.out.printf("first 10 cold admissions, ms: %s%n", Arrays.stream(cold).limit(10)
                .mapToObj(n -> String.format("%.1f", n / 1e6)).collect(Collectors.joining(" ")));
        if (afterCold != null && beforeWarm != null && afterWarm != null) {
            System.out.println("the webhook's own integcov_admission_seconds (handler to response written),"
                    + " webhook calls by bucket (cumulative):");
            // the API server may call the webhook twice per create (reinvocationPolicy IfNeeded)
            System.out.printf("%-10s %12s %12s%n", "le", "calls, cold", "calls, warm");
            for (String le : afterCold.keySet()) {
                if (le.startsWith("_")) {
                    continue;
                }
                System.out.printf("%-10s %12.0f %12.0f%n", le, afterCold.get(le),
                        afterWarm.getOrDefault(le, 0.0) - beforeWarm.getOrDefault(le, 0.0));
            }
            System.out.printf("%-10s %12.1f %12.1f%n", "sum ms", afterCold.get("_sum") * 1e3,
                    (afterWarm.get("_sum") - beforeWarm.get("_sum")) * 1e3);
            System.out.printf("%-10s %12.1f %12s%n", "max ms", afterCold.getOrDefault("_max", Double.NaN) * 1e3,
                    "(window)");
        }
        wrong.forEach(w -> System.out.println("NOT AS EXPECTED: " + w));
        System.out.printf("target p99 <= 50 ms for the first %d: %s%n%n", COLD, percentileMs(cold, 99) <= 50
                ? "met" : "MISSED");
        assertTrue(cold.length == COLD && warm.length == WARM);
    }

    static void row(String name, long[] nanos) {
        System.out.printf("%-44s %8.1f %8.1f %8.1f%n", name, percentileMs(nanos, 50), percentileMs(nanos, 99),
                maxMs(nanos));
    }

    /** Parses the webhook's /q/metrics for integcov_admission_seconds: cumulative bucket counts by le, _sum, _max. */
    static Map<String, Double> histogram(String metrics) {
        Map<String, Double> out = new LinkedHashMap<>();
        Matcher b = Pattern.compile("(?m)^integcov_admission_seconds_bucket\\{[^}]*le=\"([^\"]+)\"[^}]*\\} (\\S+)$")
                .matcher(metrics);
        while (b.find()) {
            out.put(b.group(1), Double.parseDouble(b.group(2)));
        }
        for (String suffix : List.of("_sum", "_max")) {
            Matcher m = Pattern.compile("(?m)^integcov_admission_seconds" + suffix + "(?:\\{[^}]*\\})? (\\S+)$")
                    .matcher(metrics);
            if (m.find()) {
                out.put(suffix, Double.parseDouble(m.group(1)));
            }
        }
        return out;
    }

    /** The names of the webhook's pods now. */
    static Set<String> webhookPodNames() {
        return integcov.pods(IntegcovInCluster.WEBHOOK).stream().map(p -> p.getMetadata().getName())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** Polls (every 20 ms) until a webhook pod not in {@code before} is Ready and listed ready in the EndpointSlice. */
    static String awaitNewReadyWebhookPod(Set<String> before) throws Exception {
        long deadline = System.nanoTime() + START.toNanos();
        while (System.nanoTime() < deadline) {
            for (Pod p : integcov.pods(IntegcovInCluster.WEBHOOK)) {
                String name = p.getMetadata().getName();
                if (before.contains(name) || p.getStatus() == null || p.getStatus().getConditions() == null
                        || p.getStatus().getConditions().stream().noneMatch(c -> "Ready".equals(c.getType())
                                && "True".equals(c.getStatus()))) {
                    continue;
                }
                String ip = p.getStatus().getPodIP();
                for (EndpointSlice s : admin.discovery().v1().endpointSlices().inNamespace(IntegcovInCluster.SYSTEM_NS)
                        .withLabel("kubernetes.io/service-name", IntegcovInCluster.WEBHOOK).list().getItems()) {
                    if (s.getEndpoints() != null && s.getEndpoints().stream().anyMatch(e -> e.getAddresses()
                            .contains(ip) && e.getConditions() != null
                            && Boolean.TRUE.equals(e.getConditions().getReady()))) {
                        return name;
                    }
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no new webhook pod Ready and in the EndpointSlice within " + START);
    }

    /** The pod's integcov_admission_seconds (/q/metrics through the API server's pod proxy); null if unreadable. */
    static Map<String, Double> admissionHistogram(String pod) {
        try {
            return histogram(admin.raw("/api/v1/namespaces/" + IntegcovInCluster.SYSTEM_NS + "/pods/https:" + pod
                    + ":8443/proxy/q/metrics"));
        } catch (RuntimeException e) {
            System.out.println("(webhook metrics not readable: " + e + ")");
            return null;
        }
    }
}
