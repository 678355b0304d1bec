package io.integcov.webhook;

import io.netty.handler.ssl.OpenSsl;
import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.SSLEngineOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * The TLS engine of the HTTPS server. Every admission is a TLS record in and one out, and on a JVM the JDK's SSLEngine
 * costs a 16 KiB heap buffer per write plus a large body of Java code the JIT must compile before the webhook reaches
 * its throughput; BoringSSL (netty-tcnative, pooled direct buffers, native code) needs neither. When its native
 * library cannot load (another OS or architecture, no writable temporary directory) the JDK's engine is used, with
 * pooled buffers. {@code bench/webhook-latency} measures both. The key pair comes from {@link ServingCertificateWatch},
 * which replaces it when the mounted Secret changes.
 */
@ApplicationScoped
public class HttpsServerTuning implements HttpServerOptionsCustomizer {
    private static final Logger LOG = Logger.getLogger(HttpsServerTuning.class);

    @Inject
    WebhookConfig config;
    @Inject
    ServingCertificateWatch certificate;

    @Override
    public void customizeHttpsServer(HttpServerOptions options) {
        options.setSslEngineOptions(engine(config.openssl()));
        // the same files as quarkus.http.ssl.certificate.*, through a key manager that follows the mounted Secret
        options.setKeyCertOptions(certificate.keyCertOptions());
    }

    static SSLEngineOptions engine(boolean openssl) {
        if (openssl && OpenSsl.isAvailable()) {
            LOG.infof("TLS: %s", OpenSsl.versionString());
            return new OpenSSLEngineOptions();
        }
        if (openssl) {
            LOG.infof("TLS: the JDK's (BoringSSL did not load: %s)", String.valueOf(OpenSsl.unavailabilityCause()));
        }
        return new JdkSSLEngineOptions().setPooledHeapBuffers(true);
    }
}
