package io.integcov.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.ByteBuffer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A real fake-gcs-server (installed by src/ci/install-fake-gcs.sh into the integcov cache) on a free loopback port,
 * plain HTTP, in-memory backend. {@link #reserve()} picks the port without starting the server, so a test can point a
 * client at storage that comes up only later ({@link #startServer()}).
 */
public final class FakeGcs implements AutoCloseable {
    public static final String INSTALL_HINT = "src/ci/install-fake-gcs.sh";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String host;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Process process;
    private Path log;
    private Path data;

    private FakeGcs(String host, int port) {
        this.host = host;
        this.port = port;
    }

    /** An object as the server describes it; {@code generation} grows with write time, {@code crc32c} is server-computed. */
    public record StoredObject(String name, long size, long generation, long crc32c) {
    }

    /** Starts a server with these (initially empty) buckets on a free port and waits until it answers. */
    public static FakeGcs start(String... buckets) throws IOException, InterruptedException {
        return reserve().startServer(buckets);
    }

    /**
     * Starts a server listening on {@code host} (an address of this machine, e.g. a bridge address that pods reach)
     * instead of 127.0.0.1.
     */
    public static FakeGcs startOn(String host, String... buckets) throws IOException, InterruptedException {
        Cache.binary("fake-gcs-server", INSTALL_HINT);
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            port = socket.getLocalPort();
        }
        return new FakeGcs(host, port).startServer(buckets);
    }

    /**
     * A client of a fake-gcs-server this class did not start (e.g. one reached through a port-forward at
     * {@code host:port}): the reading and writing methods work, {@link #close()} stops nothing.
     */
    public static FakeGcs client(String host, int port) {
        return new FakeGcs(host, port);
    }

    /** Picks a free loopback port; nothing listens there until {@link #startServer()}. */
    public static FakeGcs reserve() throws IOException {
        Cache.binary("fake-gcs-server", INSTALL_HINT);
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return new FakeGcs("127.0.0.1", socket.getLocalPort());
        }
    }

    /** Starts the server; the buckets exist from its first answer on (loaded from a -data dir of empty folders). */
    public synchronized FakeGcs startServer(String... buckets) throws IOException, InterruptedException {
        if (process != null) {
            throw new IllegalStateException("fake-gcs-server already started on port " + port);
        }
        log = Files.createTempFile("fake-gcs-server-" + port + "-", ".log");
        data = Files.createTempDirectory("fake-gcs-data-");
        for (String bucket : buckets) {
            Files.createDirectory(data.resolve(bucket));
        }
        process = new ProcessBuilder(Cache.binary("fake-gcs-server", INSTALL_HINT).toString(),
                "-scheme", "http", "-backend", "memory", "-data", data.toString(),
                "-host", host, "-port", String.valueOf(port),
                "-external-url", endpoint(), "-public-host", host + ":" + port, "-log-level", "warn")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        for (int i = 0; i < 600; i++) { // up to 30 s
            if (!process.isAlive()) {
                throw new IOException("fake-gcs-server exited with " + process.exitValue() + ": " + Files.readString(log));
            }
            try {
                if (send(HttpRequest.newBuilder(uri("/storage/v1/b")).GET(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200) {
                    return this;
                }
            } catch (ConnectException e) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new IOException("fake-gcs-server did not answer on port " + port + ": " + Files.readString(log));
    }

    public int port() {
        return port;
    }

    /** {@code http://<host>:<port>} (host 127.0.0.1 unless {@link #startOn}): the value for STORAGE_EMULATOR_HOST. */
    public String endpoint() {
        return "http://" + host + ":" + port;
    }

    public void createBucket(String name) throws IOException, InterruptedException {
        String body = JSON.writeValueAsString(JSON.createObjectNode().put("name", name));
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/storage/v1/b?project=integcov"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("create bucket " + name + ": HTTP " + response.statusCode() + " " + response.body());
        }
    }

    /** Names of all objects in the bucket, as the server lists them. */
    public List<String> objectNames(String bucket) throws IOException, InterruptedException {
        return objects(bucket).stream().map(StoredObject::name).toList();
    }

    /** All objects in the bucket, with the server's metadata. */
    public List<StoredObject> objects(String bucket) throws IOException, InterruptedException {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/storage/v1/b/" + bucket + "/o")).GET(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("list " + bucket + ": HTTP " + response.statusCode() + " " + response.body());
        }
        List<StoredObject> objects = new ArrayList<>();
        for (JsonNode item : JSON.readTree(response.body()).path("items")) {
            byte[] crc = Base64.getDecoder().decode(item.path("crc32c").asText());
            objects.add(new StoredObject(item.path("name").asText(), item.path("size").asLong(),
                    item.path("generation").asLong(), Integer.toUnsignedLong(ByteBuffer.wrap(crc).getInt())));
        }
        return objects;
    }

    public byte[] object(String bucket, String name) throws IOException, InterruptedException {
        String encoded = URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
        HttpResponse<byte[]> response = send(HttpRequest.newBuilder(uri("/storage/v1/b/" + bucket + "/o/" + encoded
                + "?alt=media")).GET(), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IOException("get " + bucket + "/" + name + ": HTTP " + response.statusCode());
        }
        return response.body();
    }

    /** The server's output so far (for failure messages). */
    public String log() throws IOException {
        return log == null ? "" : Files.readString(log);
    }

    public synchronized void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
            process = null;
            try {
                Files.deleteIfExists(log);
                try (var entries = Files.list(data)) {
                    for (Path bucket : (Iterable<Path>) entries::iterator) {
                        Files.deleteIfExists(bucket);
                    }
                }
                Files.deleteIfExists(data);
            } catch (IOException e) {
                // stale temp files are harmless
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    private URI uri(String path) {
        return URI.create(endpoint() + path);
    }

    private <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> body)
            throws IOException, InterruptedException {
        return http.send(request.timeout(Duration.ofSeconds(10)).build(), body);
    }
}
