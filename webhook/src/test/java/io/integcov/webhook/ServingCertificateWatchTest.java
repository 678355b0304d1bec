package io.integcov.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A renewed certificate is served as soon as the kubelet swaps the Secret volume's {@code ..data} symlink: the test
 * lays a directory out like a Secret volume, serves from it, swaps {@code ..data} to a new key pair as the kubelet does,
 * and a new HTTPS connection gets the new certificate; connections opened all through the swap all succeed. The
 * fallback re-read comes only every ten minutes, so only the watch can have reloaded it.
 */
@QuarkusTest
@TestProfile(ServingCertificateWatchTest.SecretVolume.class)
class ServingCertificateWatchTest {
    static final Path VOLUME = createVolume();

    @TestHTTPResource(value = "/q/health/live", tls = true)
    URL live;

    /** Serves from {@link #VOLUME}; CoverageCaptures from a file, so no API server is needed. */
    public static class SecretVolume implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("integcov.tls-dir", VOLUME.toString(),
                    "integcov.captures.source", "file",
                    "integcov.captures.file", "src/test/resources/captures.yaml",
                    "integcov.events.enabled", "false");
        }
    }

    @Test
    void aSwappedDataSymlinkIsServedOnTheNextConnectionAndNoConnectionFails() throws Exception {
        X509Certificate first = certificate(Path.of("src/test/resources/tls/tls.crt"));
        X509Certificate renewed = certificate(Path.of("src/test/resources/tls-renewed/tls.crt"));
        assertNotEquals(first, renewed);
        assertEquals(first, served(), "the certificate served before the swap");

        AtomicBoolean swapped = new AtomicBoolean();
        AtomicReference<Exception> failure = new AtomicReference<>();
        AtomicInteger handshakes = new AtomicInteger();
        Thread client = new Thread(() -> { // connects all through the swap and the reload
            try {
                while ((!renewed.equals(served()) || !swapped.get()) && !Thread.currentThread().isInterrupted()) {
                    handshakes.incrementAndGet();
                }
            } catch (Exception e) {
                failure.set(e);
            }
        });
        client.start();
        swapData(VOLUME, Path.of("src/test/resources/tls-renewed"), "..2026_12_02_10_00_00.2");
        swapped.set(true);
        client.join(60_000); // bounded: asserts nothing about time
        client.interrupt();

        assertEquals(null, failure.get(), "a connection failed during the reload after " + handshakes + " handshakes");
        assertEquals(renewed, served(), "the certificate served after the ..data swap");
    }

    @Test
    void onlyTheDataSymlinkOrTheKeyPairFilesCount() {
        assertTrue(ServingCertificateWatch.isKeyPairChange(List.of(created("..data"))));
        assertTrue(ServingCertificateWatch.isKeyPairChange(List.of(created("tls.key"))));
        assertFalse(ServingCertificateWatch.isKeyPairChange(List.of(created("..data_tmp"),
                created("..2026_12_02_10_00_00.2"))), "the kubelet's intermediate steps");
    }

    /**
     * What the kubelet's atomic writer does: the files go into a new timestamped directory, a {@code ..data_tmp}
     * symlink to it is renamed over {@code ..data}, then the old directory is removed.
     */
    static void swapData(Path volume, Path source, String timestamped) throws IOException {
        Path old = volume.resolve("..data").toRealPath();
        Path dir = Files.createDirectory(volume.resolve(timestamped));
        Files.copy(source.resolve("tls.crt"), dir.resolve("tls.crt"));
        Files.copy(source.resolve("tls.key"), dir.resolve("tls.key"));
        Path tmp = Files.createSymbolicLink(volume.resolve("..data_tmp"), Path.of(timestamped));
        Files.move(tmp, volume.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        for (String f : List.of("tls.crt", "tls.key")) {
            Files.delete(old.resolve(f));
        }
        Files.delete(old);
    }

    private static Path createVolume() {
        try {
            Path volume = Files.createTempDirectory("integcov-secret-volume");
            Path dir = Files.createDirectory(volume.resolve("..2026_12_02_09_00_00.1"));
            Files.copy(Path.of("src/test/resources/tls/tls.crt"), dir.resolve("tls.crt"));
            Files.copy(Path.of("src/test/resources/tls/tls.key"), dir.resolve("tls.key"));
            Files.createSymbolicLink(volume.resolve("..data"), dir.getFileName());
            Files.createSymbolicLink(volume.resolve("tls.crt"), Path.of("..data/tls.crt"));
            Files.createSymbolicLink(volume.resolve("tls.key"), Path.of("..data/tls.key"));
            return volume;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Certificate served() throws Exception {
        return TlsClients.servedCertificate(live.getHost(), live.getPort());
    }

    private static X509Certificate certificate(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private static WatchEvent<Path> created(String name) {
        return new WatchEvent<>() {
            public Kind<Path> kind() {
                return StandardWatchEventKinds.ENTRY_CREATE;
            }

            public int count() {
                return 1;
            }

            public Path context() {
                return Path.of(name);
            }
        };
    }
}
