import io.integcov.cli.IntegcovCommand;
import io.integcov.storage.Checksums;
import io.integcov.storage.Manifest;
import io.integcov.storage.Storage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * integcov collect against a plain sequential download of the same objects, in the same JVM and run, from
 * fake-gcs-server preloaded with PODS pods (default 100) x COUNTERS counter files (+ covmeta + manifest each) of the real
 * covapp.
 * Run by bench/collect/run.sh (which sets STORAGE_EMULATOR_HOST); prints one line per measurement and a summary.
 */
public final class CollectBench {
    static int PODS = 100;
    static final int COUNTERS = 100;
    static String lastCollectLog = "";

    public static void main(String[] args) throws Exception {
        Path fakeGcs = Path.of(args[0]);
        int port = Integer.parseInt(args[1]);
        Path covdata = Path.of(args[2]);
        int runs = Integer.parseInt(args[3]);
        PODS = Integer.parseInt(args[4]);
        Path work = Files.createTempDirectory("integcov-bench-collect-");
        Process server = null;
        try {
            Path data = work.resolve("data");
            int objects = writeUploads(covdata, data.resolve("cov"));
            System.out.printf("objects in storage: %d (%d pods x (%d counter files + covmeta + manifest))%n", objects,
                    PODS, COUNTERS);
            server = new ProcessBuilder(fakeGcs.toString(), "-scheme", "http", "-backend", "memory", "-data",
                    data.toString(), "-host", "127.0.0.1", "-port", String.valueOf(port), "-log-level", "warn")
                    .redirectErrorStream(true).redirectOutput(work.resolve("fake-gcs.log").toFile()).start();
            awaitServer(port);
            long warm = System.nanoTime();
            try (Storage storage = Storage.open("gs://cov")) {
                List<Storage.StoredObject> listed = storage.list("");
                storage.get(listed.get(listed.size() / 2).key());
            }
            System.out.printf("server warm-up (first listing and read, not measured): %d ms%n",
                    (System.nanoTime() - warm) / 1_000_000);

            List<Long> sequential = new ArrayList<>();
            List<Long> collect = new ArrayList<>();
            for (int run = 1; run <= runs; run++) {
                long seq = sequentialDownload(work.resolve("seq-" + run));
                sequential.add(seq);
                System.out.printf("run %d: sequential download %d ms%n", run, seq);
                long col = collect(work.resolve("collect-" + run));
                collect.add(col);
                System.out.printf("run %d: integcov collect  %d ms (%.1fx)%n", run, col, (double) seq / col);
                lastCollectLog.lines().filter(l -> l.contains(" in ")).forEach(l -> System.out.println("    " + l));
            }
            long seqMedian = median(sequential);
            long colMedian = median(collect);
            System.out.printf("median: sequential %d ms, collect %d ms, speed-up %.1fx%n", seqMedian, colMedian,
                    (double) seqMedian / colMedian);
        } finally {
            if (server != null) {
                server.destroy();
                server.waitFor();
            }
            try (Stream<Path> files = Files.walk(work)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** The agent's layout, written as fake-gcs-server's -data directory (bucket "cov"); returns the object count. */
    static int writeUploads(Path covdata, Path bucket) throws IOException {
        Path meta;
        Path counters;
        try (Stream<Path> files = Files.list(covdata)) {
            List<Path> all = files.toList();
            meta = all.stream().filter(f -> f.getFileName().toString().startsWith("covmeta.")).findFirst().orElseThrow();
            counters = all.stream().filter(f -> f.getFileName().toString().startsWith("covcounters.")).findFirst()
                    .orElseThrow();
        }
        String hash = meta.getFileName().toString().substring("covmeta.".length());
        int objects = 0;
        for (int pod = 0; pod < PODS; pod++) {
            String podName = String.format("api-%03d", pod);
            Path run = Files.createDirectories(bucket.resolve("bench/ci/6d1f0c2e-uid/" + podName + "/app/run-1"));
            List<Manifest.FileEntry> entries = new ArrayList<>();
            Path metaCopy = Files.copy(meta, run.resolve(meta.getFileName()));
            entries.add(new Manifest.FileEntry(metaCopy.getFileName().toString(), Files.size(metaCopy),
                    Checksums.crc32c(metaCopy)));
            for (int i = 0; i < COUNTERS; i++) {
                // covcounters.<meta hash>.<pid>.<nanotime>: one file per process exit, as a restarting app leaves
                Path copy = Files.copy(counters, run.resolve("covcounters." + hash + "." + (1000 + pod) + "."
                        + (1_700_000_000_000_000_000L + i)));
                entries.add(new Manifest.FileEntry(copy.getFileName().toString(), Files.size(copy),
                        Checksums.crc32c(copy)));
            }
            Files.write(run.resolve(Manifest.FILE_NAME), new Manifest(1, "bench", "ci", "6d1f0c2e-uid", podName, "app",
                    "run-1", "wrap", 0, null, null, null, null, entries, null).toJson());
            objects += entries.size() + 1;
        }
        return objects;
    }

    /** List, then get every object one after the other with the same storage client: the baseline. */
    static long sequentialDownload(Path target) throws IOException {
        Files.createDirectories(target);
        long start = System.nanoTime();
        try (Storage storage = Storage.open("gs://cov")) {
            int n = 0;
            for (Storage.StoredObject object : storage.list("")) {
                storage.download(object.key(), target.resolve(String.valueOf(n++)));
            }
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** integcov collect in this JVM: list, download PARALLEL (default 16) at a time, verify CRC-32C, covdata, table. */
    static long collect(Path target) {
        return collect(target, System.getenv().getOrDefault("PARALLEL", "16"));
    }

    static long collect(Path target, String parallel) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var commandLine = IntegcovCommand.commandLine();
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));
        long start = System.nanoTime();
        int exit = commandLine.execute("collect", "--from", "gs://cov", "-o", target.toString(), "--parallel", parallel);
        long millis = (System.nanoTime() - start) / 1_000_000;
        lastCollectLog = err.toString();
        if (exit != 0) {
            throw new IllegalStateException("collect exited " + exit + ":\n" + err);
        }
        return millis;
    }

    static void awaitServer(int port) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (int i = 0; i < 600; i++) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/storage/v1/b")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("fake-gcs-server did not start on port " + port);
    }

    static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }
}
