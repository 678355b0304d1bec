package io.integcov.operator;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Runtime settings of the reconciler: properties {@code integcov.operator.*} or env vars {@code INTEGCOV_OPERATOR_*}. */
@ConfigMapping(prefix = "integcov.operator")
public interface OperatorConfig {

    /** Namespace the operator runs in: holds the webhook TLS Secret and the leader-election Lease. */
    @WithDefault("integcov-system")
    String namespace();

    /** How often each CoverageCapture's storage prefix is listed for new uploads (storage has no events). */
    @WithDefault("15s")
    Duration storagePollInterval();

    /** Lease used for leader election (in {@link #namespace()}). */
    @WithDefault("integcov-operator")
    String leaseName();
}
