package io.integcov.operator.tls;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How the operator manages the webhook certificate: properties {@code integcov.webhook.*} or env vars
 * {@code INTEGCOV_WEBHOOK_*} (e.g. INTEGCOV_WEBHOOK_TLS_EXTRA_SANS=127.0.0.1).
 */
@ConfigMapping(prefix = "integcov.webhook")
public interface WebhookTlsConfig {

    /** Name of the webhook Service in the operator namespace; the serving certificate names it. */
    @WithDefault("integcov-webhook")
    String serviceName();

    /** MutatingWebhookConfiguration whose webhooks get the CA bundle. */
    @WithDefault("integcov")
    String configurationName();

    Tls tls();

    interface Tls {
        /** Whether the operator manages the webhook certificate at all. */
        @WithDefault("true")
        boolean enabled();

        /** Secret in the operator namespace holding tls.crt, tls.key, ca.crt and ca.key. */
        @WithDefault("integcov-webhook-tls")
        String secretName();

        /** More subject alternative names for the serving certificate; IP literals (e.g. 127.0.0.1) become IP SANs. */
        Optional<List<String>> extraSans();

        @WithDefault("3650d")
        Duration caValidity();

        @WithDefault("365d")
        Duration servingValidity();

        /** Certificates expiring within this time are replaced. */
        @WithDefault("30d")
        Duration renewBefore();

        /**
         * How long after a CA rotation the caBundle still trusts the replaced CA. Webhook pods serve the old certificate
         * until the kubelet has delivered the new Secret (its sync period plus its cache TTL, about two minutes by
         * default) and the webhook has reloaded it (at once on the file change); a day leaves room for slow or
         * partitioned nodes. The replaced CA's key is discarded, so nothing new can be signed with it.
         */
        @WithDefault("24h")
        Duration caOverlap();

        /** How often the Secret and the caBundle are checked. */
        @WithDefault("1m")
        Duration checkInterval();

        /** If set, tls.crt, tls.key and ca.crt are also written here (for a webhook run outside the cluster). */
        Optional<Path> outputDir();
    }
}
