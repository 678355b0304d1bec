package io.integcov.operator;

import io.integcov.model.DefaultStore;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The in-cluster default store, read for captures without spec.storage: properties {@code integcov.default-store.*}
 * or env vars {@code INTEGCOV_DEFAULT_STORE_*}, the same settings the webhook reads. The operator runs in the cluster,
 * so it reaches the store through its Service like the agents do; the defaults match deploy/.
 */
@ConfigMapping(prefix = "integcov.default-store")
public interface DefaultStoreConfig {
    @WithDefault(DefaultStore.URL)
    String url();

    /** host:port of the store's Service (the GCS JSON API over plain HTTP, no credentials). */
    @WithDefault(DefaultStore.EMULATOR_HOST)
    String emulatorHost();

    default DefaultStore store() {
        return new DefaultStore(url(), emulatorHost());
    }
}
