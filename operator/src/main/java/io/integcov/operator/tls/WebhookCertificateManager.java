package io.integcov.operator.tls;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.integcov.operator.OperatorConfig;
import io.integcov.storage.AtomicFiles;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.jboss.logging.Logger;

/**
 * Keeps the webhook TLS Secret (self-signed CA + serving certificate) valid and the CA in the caBundle of every webhook
 * of the MutatingWebhookConfiguration. Runs at startup and then periodically, on every replica: the Secret is created
 * or replaced with optimistic locking, so concurrent replicas cannot overwrite each other.
 */
@ApplicationScoped
public class WebhookCertificateManager {
    private static final Logger LOG = Logger.getLogger(WebhookCertificateManager.class);

    private final KubernetesClient client;
    private final WebhookTlsConfig config;
    private final String namespace;
    private ScheduledExecutorService scheduler;

    public WebhookCertificateManager(KubernetesClient client, WebhookTlsConfig config, OperatorConfig operatorConfig) {
        this.client = client;
        this.config = config;
        this.namespace = operatorConfig.namespace();
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.tls().enabled()) {
            LOG.info("webhook certificate management is disabled (integcov.webhook.tls.enabled=false)");
            return;
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "integcov-webhook-certificates");
            thread.setDaemon(true);
            return thread;
        });
        long periodMillis = config.tls().checkInterval().toMillis();
        scheduler.scheduleWithFixedDelay(this::ensureQuietly, 0, periodMillis, TimeUnit.MILLISECONDS);
    }

    void onStop(@Observes ShutdownEvent event) {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    private void ensureQuietly() {
        try {
            ensure();
        } catch (RuntimeException e) {
            LOG.warnf("webhook certificate check failed, retrying in %s: %s", config.tls().checkInterval(),
                    e.getMessage());
        }
    }

    /**
     * Makes the Secret hold valid certificates, then the webhook configuration trust exactly their CA (and the
     * previous CA during the overlap after a CA rotation).
     */
    public synchronized TlsMaterial ensure() {
        Instant now = Instant.now();
        TlsMaterial material = ensureSecret(now);
        String bundle = WebhookCertificates.caBundle(material, config.tls().caOverlap(), now);
        patchCaBundle(current -> bundle);
        config.tls().outputDir().ifPresent(dir -> writeFiles(dir, material));
        return material;
    }

    private TlsMaterial ensureSecret(Instant now) {
        WebhookTlsConfig.Tls tls = config.tls();
        List<String> sans = WebhookCertificates.subjectAltNames(config.serviceName(), namespace,
                tls.extraSans().orElse(List.of()));
        var secrets = client.secrets().inNamespace(namespace);
        Secret existing = secrets.withName(tls.secretName()).get();
        TlsMaterial current = existing == null ? null : TlsMaterial.fromSecretData(decode(existing.getData()));
        WebhookCertificates.Check check = WebhookCertificates.check(current, sans, tls.renewBefore(), now);
        if (check.verdict() == WebhookCertificates.Verdict.KEEP) {
            return current;
        }
        TlsMaterial renewed = check.verdict() == WebhookCertificates.Verdict.NEW_CA
                ? WebhookCertificates.rotateCa(current, sans, tls.caValidity(), tls.servingValidity(), now)
                : WebhookCertificates.reissueServing(current, sans, tls.servingValidity(), now);
        // trusted before it is served: the webhook pods may load the new Secret before the final patch below, and the
        // certificates they serve now stay trusted too
        String renewedBundle = WebhookCertificates.caBundle(renewed, tls.caOverlap(), now);
        patchCaBundle(bundle -> WebhookCertificates.widen(bundle, renewedBundle, now));
        Secret desired = new SecretBuilder()
                .withNewMetadata()
                .withName(tls.secretName())
                .withNamespace(namespace)
                .addToLabels("app.kubernetes.io/managed-by", "integcov-operator")
                .endMetadata()
                .withType("kubernetes.io/tls")
                .withData(encode(renewed.toSecretData()))
                .build();
        if (existing == null) {
            try {
                secrets.resource(desired).create();
                LOG.infof("created webhook TLS secret %s/%s for %s", namespace, tls.secretName(), sans);
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
                LOG.info("another replica created the webhook TLS secret first; using it");
                return TlsMaterial.fromSecretData(decode(secrets.withName(tls.secretName()).get().getData()));
            }
        } else {
            desired.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
            secrets.resource(desired).update();
            LOG.infof("renewed webhook TLS secret %s/%s: %s", namespace, tls.secretName(), check.reason());
        }
        return renewed;
    }

    /**
     * Sets the caBundle of every webhook of the configuration to {@code desired} applied to its current PEM bundle (null
     * when it has none); no write when nothing changes.
     */
    private void patchCaBundle(UnaryOperator<String> desired) {
        String name = config.configurationName();
        var resource = client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(name);
        MutatingWebhookConfiguration configuration = resource.get();
        if (configuration == null) {
            LOG.infof("MutatingWebhookConfiguration %s not found yet; will set its caBundle once it exists", name);
            return;
        }
        boolean upToDate = configuration.getWebhooks().stream()
                .allMatch(webhook -> webhook.getClientConfig() != null && Objects.equals(
                        caBundle(desired, webhook.getClientConfig().getCaBundle()),
                        webhook.getClientConfig().getCaBundle()));
        if (!upToDate) {
            resource.edit(current -> {
                for (MutatingWebhook webhook : current.getWebhooks()) {
                    webhook.getClientConfig().setCaBundle(caBundle(desired, webhook.getClientConfig().getCaBundle()));
                }
                return current;
            });
            LOG.infof("set the caBundle of MutatingWebhookConfiguration %s", name);
        }
    }

    /** The base64 caBundle {@code desired} makes of the base64 {@code current} one. */
    private static String caBundle(UnaryOperator<String> desired, String current) {
        String currentPem = current == null ? null
                : new String(Base64.getMimeDecoder().decode(current), StandardCharsets.US_ASCII);
        return Base64.getEncoder().encodeToString(desired.apply(currentPem).getBytes(StandardCharsets.US_ASCII));
    }

    private static void writeFiles(Path dir, TlsMaterial material) {
        try {
            Files.createDirectories(dir);
            write(dir.resolve(TlsMaterial.CA_CERT), material.caCertPem());
            write(dir.resolve(TlsMaterial.CERT), material.certPem());
            write(dir.resolve(TlsMaterial.KEY), material.keyPem());
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the webhook certificate to " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void write(Path target, String content) throws IOException {
        if (Files.exists(target) && Files.readString(target).equals(content)) {
            return;
        }
        AtomicFiles.writeString(target, content,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }

    private static Map<String, String> decode(Map<String, String> data) {
        Map<String, String> decoded = new HashMap<>();
        if (data != null) {
            data.forEach((key, value) -> decoded.put(key,
                    new String(Base64.getMimeDecoder().decode(value), StandardCharsets.US_ASCII)));
        }
        return decoded;
    }

    private static Map<String, String> encode(Map<String, String> data) {
        Map<String, String> encoded = new HashMap<>();
        data.forEach((key, value) -> encoded.put(key,
                Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.US_ASCII))));
        return encoded;
    }
}
