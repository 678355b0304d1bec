package io.integcov.operator;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Runtime settings of the operator: properties {@code integcov.operator.*}, or environment variables
 * {@code INTEGCOV_OPERATOR_*} (e.g. INTEGCOV_OPERATOR_WEBHOOK_TLS_EXTRA_SANS=127.0.0.1).
 */
@ConfigMapping(prefix = "integcov.operator")
public interface OperatorConfig {

    /** Namespace the operator runs in: holds the webhook TLS Secret and the leader-election Lease. */
    @WithDefault("integcov-system")
    String namespace();

    /** How often every CoverageCapture is reconciled again to pick up new uploads (storage has no events). */
    @WithDefault("30s")
    Duration resyncInterval();

    /** Lease used for leader election (in {@link #namespace()}). */
    @WithDefault("integcov-operator")
    String leaseName();

    Webhook webhook();

    interface Webhook {
        /** Name of the webhook Service in the operator namespace; the serving certificate names it. */
        @WithDefault("integcov-webhook")
        String serviceName();

        /** MutatingWebhookConfiguration whose webhooks get the CA bundle. */
        @WithDefault("integcov")
        String configurationName();

        Tls tls();
    }

    interface Tls {
        /** Whether the operator manages the webhook certificate at all. */
        @WithDefault("true")
        boolean enabled();

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

        /** How often the Secret and the caBundle are checked. */
        @WithDefault("1m")
        Duration checkInterval();

        /** If set, tls.crt, tls.key and ca.crt are also written here (for a webhook run outside the cluster). */
        Optional<Path> outputDir();
    }
}
