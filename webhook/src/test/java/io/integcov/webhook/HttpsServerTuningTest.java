package io.integcov.webhook;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.ssl.OpenSsl;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import org.junit.jupiter.api.Test;

class HttpsServerTuningTest {
    /** The images run on Linux x86_64 and arm64, whose BoringSSL builds the webhook ships. */
    @Test
    void boringSslServesTlsOnTheLinuxBuildsWeShip() {
        assertTrue(OpenSsl.isAvailable(), "BoringSSL did not load: " + OpenSsl.unavailabilityCause());
        assertInstanceOf(OpenSSLEngineOptions.class, HttpsServerTuning.engine(true));
    }

    @Test
    void theJdkEngineWithPooledBuffersWhenOpenSslIsOff() {
        JdkSSLEngineOptions jdk = assertInstanceOf(JdkSSLEngineOptions.class, HttpsServerTuning.engine(false));
        assertTrue(jdk.isPooledHeapBuffers(), "pooled heap buffers");
    }
}
