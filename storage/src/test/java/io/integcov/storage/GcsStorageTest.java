package io.integcov.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.integcov.testing.FakeGcs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GcsStorage against a real fake-gcs-server. */
class GcsStorageTest {
    private static FakeGcs gcs;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startServer() throws Exception {
        gcs = FakeGcs.start("cov");
    }

    @AfterAll
    static void stopServer() throws Exception {
        gcs.stop();
    }

    @Test
    void putAndReadBackUnderPrefix() throws Exception {
        byte[] small = "covmeta".getBytes(StandardCharsets.UTF_8);
        byte[] large = new byte[9 << 20]; // above the single-request limit: resumable upload
        new Random(42).nextBytes(large);
        Path smallFile = Files.write(tmp.resolve("small"), small);
        Path largeFile = Files.write(tmp.resolve("large"), large);

        try (GcsStorage storage = GcsStorage.open("cov", "/ci/run-1/", gcs.endpoint())) {
            assertEquals("gs://cov/ci/run-1", storage.url());
            storage.put("ns/pod/app/r1/covmeta.abc", smallFile);
            storage.put("ns/pod/app/r1/big", largeFile);
            storage.putBytes("ns/pod/app/r1/integcov-manifest.json", "{}".getBytes(StandardCharsets.UTF_8));
            storage.putBytes("ns/other/app/r1/x", new byte[1]);

            assertEquals(List.of("ci/run-1/ns/other/app/r1/x", "ci/run-1/ns/pod/app/r1/big",
                    "ci/run-1/ns/pod/app/r1/covmeta.abc", "ci/run-1/ns/pod/app/r1/integcov-manifest.json"),
                    gcs.objectNames("cov").stream().filter(n -> n.startsWith("ci/run-1/")).sorted().toList());
            assertArrayEquals(large, gcs.object("cov", "ci/run-1/ns/pod/app/r1/big"));
            CRC32C crc = new CRC32C();
            crc.update(large);
            assertEquals(crc.getValue(), gcs.objects("cov").stream()
                    .filter(o -> o.name().equals("ci/run-1/ns/pod/app/r1/big")).findFirst().orElseThrow().crc32c());

            assertEquals(List.of(new Storage.StoredObject("ns/pod/app/r1/big", large.length),
                    new Storage.StoredObject("ns/pod/app/r1/covmeta.abc", small.length),
                    new Storage.StoredObject("ns/pod/app/r1/integcov-manifest.json", 2)), storage.list("ns/pod/"));
            assertArrayEquals(small, storage.get("ns/pod/app/r1/covmeta.abc"));
            Path target = tmp.resolve("down");
            storage.download("ns/pod/app/r1/big", target);
            assertArrayEquals(large, Files.readAllBytes(target));
        }
    }

    @Test
    void bucketRootAndOverwrite() throws Exception {
        try (GcsStorage storage = GcsStorage.open("cov", "", gcs.endpoint().replace("http://", ""))) {
            assertEquals("gs://cov", storage.url());
            storage.putBytes("top/a", "one".getBytes(StandardCharsets.UTF_8));
            storage.putBytes("top/a", "two".getBytes(StandardCharsets.UTF_8));
            assertEquals("two", new String(storage.get("top/a"), StandardCharsets.UTF_8));
            assertEquals(List.of(new Storage.StoredObject("top/a", 3)), storage.list("top/"));
        }
    }

    @Test
    void explicitEmulatorHostReachesTheEmulatorWhateverTheEnvironmentSays() throws Exception {
        gcs.createBucket("default-store");
        try (Storage storage = Storage.openRetrying("gs://default-store/coverage", Duration.ofSeconds(10),
                gcs.endpoint().replace("http://", ""))) {
            storage.putBytes("ns/cap/uid/pod/app/r1/covmeta.1", new byte[] {7});
            assertEquals(List.of(new Storage.StoredObject("ns/cap/uid/pod/app/r1/covmeta.1", 1)), storage.list("ns/"));
        }
        assertEquals(List.of("coverage/ns/cap/uid/pod/app/r1/covmeta.1"), gcs.objectNames("default-store"));
    }

    @Test
    void bucketCreatedLater() throws Exception {
        gcs.createBucket("second-bucket");
        try (GcsStorage storage = GcsStorage.open("second-bucket", "", gcs.endpoint())) {
            storage.putBytes("k", new byte[] {1, 2});
        }
        assertEquals(List.of("k"), gcs.objectNames("second-bucket"));
    }

    @Test
    void missingObjectAndMissingBucketAreIoErrors() throws IOException {
        try (GcsStorage storage = GcsStorage.open("cov", "p", gcs.endpoint());
             GcsStorage noBucket = GcsStorage.open("no-such-bucket", "", gcs.endpoint())) {
            IOException e = assertThrows(IOException.class, () -> storage.get("absent"));
            assertTrue(e.getMessage().contains("gs://cov/p/absent"), e.getMessage());
            assertThrows(PermanentStorageException.class, () -> noBucket.putBytes("x", new byte[1]));
            assertThrows(PermanentStorageException.class, () -> storage.get("absent"));
            Path kept = Files.writeString(tmp.resolve("kept"), "earlier download");
            IOException download = assertThrows(PermanentStorageException.class, () -> storage.download("absent", kept));
            assertTrue(download.getMessage().contains("gs://cov/p/absent"), download.getMessage());
            assertEquals("earlier download", Files.readString(kept), "a failed download leaves the target as it was");
            try (var files = Files.list(tmp)) {
                assertEquals(List.of(), files.filter(f -> f.getFileName().toString().startsWith(AtomicFiles.TEMP_PREFIX))
                        .toList(), "no temp file left");
            }
        }
    }

    @Test
    void storageDownIsAnIoError() throws Exception {
        try (FakeGcs notStarted = FakeGcs.reserve();
             GcsStorage storage = GcsStorage.open("cov", "", notStarted.endpoint())) {
            IOException e = assertThrows(IOException.class, () -> storage.putBytes("x", new byte[1]));
            assertFalse(e instanceof PermanentStorageException, "connection refused may pass: retry");
        }
    }

    @Test
    void retryingStoreWaitsForStorageThatComesUpLate() throws Exception {
        try (FakeGcs late = FakeGcs.reserve();
             GcsStorage storage = GcsStorage.open("late", "", late.endpoint(),
                     GcsStorage.retrying(java.time.Duration.ofSeconds(60)))) {
            Thread starter = new Thread(() -> {
                try {
                    Thread.sleep(1500);
                    late.startServer("late");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            starter.start();
            assertEquals(List.of(), storage.list("ns/"), "the listing succeeds once the server is up");
            starter.join();
        }
    }

    @Test
    void invalidKeysAreRejected() {
        try (GcsStorage storage = GcsStorage.open("cov", "", gcs.endpoint())) {
            assertThrows(IllegalArgumentException.class, () -> storage.putBytes("a/../../b", new byte[1]));
            assertThrows(IllegalArgumentException.class, () -> storage.putBytes("/abs", new byte[1]));
        }
    }

    @Test
    void permanentHttpCodes() {
        assertTrue(GcsStorage.isPermanent(404));
        assertTrue(GcsStorage.isPermanent(403));
        assertFalse(GcsStorage.isPermanent(429));
        assertFalse(GcsStorage.isPermanent(408));
        assertFalse(GcsStorage.isPermanent(503));
        assertFalse(GcsStorage.isPermanent(0));
    }

    @Test
    void emulatorEndpointNormalisation() {
        assertEquals("http://localhost:4443", GcsStorage.emulatorEndpoint("localhost:4443"));
        assertEquals("https://h:1", GcsStorage.emulatorEndpoint(" https://h:1/ "));
    }
}
