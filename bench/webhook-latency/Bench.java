import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Latency benchmark for the webhook's POST /mutate on loopback: java Bench.java URL REVIEW.json [REQUESTS] [CONCURRENCY]
 * [WARMUP]. Prints requests/s and p50/p90/p99/max. Only loopback URLs are accepted (the certificate is not verified).
 */
public class Bench {
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: java Bench.java https://127.0.0.1:PORT/mutate review.json [requests=5000] [concurrency=4] [warmup=2000]");
            System.exit(2);
        }
        URI uri = URI.create(args[0]);
        if (!List.of("127.0.0.1", "localhost", "[::1]").contains(uri.getHost())) {
            throw new IllegalArgumentException("loopback only: " + uri.getHost());
        }
        byte[] body = Files.readAllBytes(Path.of(args[1]));
        int requests = args.length > 2 ? Integer.parseInt(args[2]) : 5000;
        int concurrency = args.length > 3 ? Integer.parseInt(args[3]) : 4;
        int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 2000;

        SSLContext trustAll = SSLContext.getInstance("TLS");
        trustAll.init(null, new TrustManager[] {new X509TrustManager() {
            public void checkClientTrusted(X509Certificate[] c, String a) {
            }

            public void checkServerTrusted(X509Certificate[] c, String a) {
            }

            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        HttpClient client = HttpClient.newBuilder().sslContext(trustAll).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();

        run(client, request, warmup, concurrency);
        long start = System.nanoTime();
        long[] latencies = run(client, request, requests, concurrency);
        double seconds = (System.nanoTime() - start) / 1e9;
        Arrays.sort(latencies);
        System.out.printf("POST %s: %d requests, concurrency %d, %.1f s%n", uri, requests, concurrency, seconds);
        System.out.printf("throughput: %.0f requests/s%n", requests / seconds);
        System.out.printf("latency ms: p50 %.2f  p90 %.2f  p99 %.2f  max %.2f%n", pct(latencies, 50), pct(latencies, 90),
                pct(latencies, 99), latencies[latencies.length - 1] / 1e6);
    }

    static double pct(long[] sorted, double p) {
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(p / 100 * sorted.length) - 1)] / 1e6;
    }

    /** Sends count requests from concurrency threads; every answer must be 200 with a JSONPatch. */
    static long[] run(HttpClient client, HttpRequest request, int count, int concurrency) throws Exception {
        long[] latencies = new long[count];
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < concurrency; t++) {
            workers.add(pool.submit(() -> {
                for (int i; (i = next.getAndIncrement()) < count;) {
                    long t0 = System.nanoTime();
                    HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
                    latencies[i] = System.nanoTime() - t0;
                    if (r.statusCode() != 200 || !r.body().contains("\"patchType\":\"JSONPatch\"")) {
                        throw new IllegalStateException("unexpected answer " + r.statusCode() + ": " + r.body());
                    }
                }
                return null;
            }));
        }
        try {
            for (Future<?> w : workers) {
                w.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return latencies;
    }
}
