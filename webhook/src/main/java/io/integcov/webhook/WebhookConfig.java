package io.integcov.webhook;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/** Runtime settings of the webhook (properties under {@code integcov.}, or env vars such as INTEGCOV_AGENT_IMAGE). */
@ConfigMapping(prefix = "integcov")
public interface WebhookConfig {
    /**
     * Image of the Go agent ({@code integcov/agent}), run by the install init container; a CoverageCapture's
     * spec.wrapperImage overrides it.
     */
    @WithDefault("integcov/agent:0.1.0")
    String agentImage();

    /** Path of the agent binary inside the agent image (the init container runs {@code <it> install <bin dir>}). */
    @WithDefault("/integcov-agent")
    String agentBinary();

    /** Directory with tls.crt and tls.key (the mounted Secret); read by quarkus.http.ssl.* in application.properties. */
    @WithDefault("/etc/integcov/tls")
    String tlsDir();

    Captures captures();

    interface Captures {
        /**
         * Where CoverageCaptures come from: {@code informer} (watch the cluster; the default) or {@code file} (a static
         * YAML file of CoverageCapture documents, for benchmarks and local runs without a cluster).
         */
        @WithDefault("informer")
        Source source();

        /** The YAML file read when source is {@code file}. */
        Optional<String> file();
    }

    enum Source {
        informer, file
    }
}
