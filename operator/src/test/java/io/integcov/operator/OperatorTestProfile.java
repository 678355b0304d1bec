package io.integcov.operator;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * Short intervals so that the operator reacts quickly against the mock API server, and a TLS output directory named
 * after this JVM (pid and start time: the same in Quarkus' and the test's class loaders, new in every run), so that a
 * file found there can only have been written by this run's operator.
 */
public class OperatorTestProfile implements QuarkusTestProfile {
    static final String TLS_OUTPUT_DIR = "target/test-webhook-tls-" + ProcessHandle.current().pid() + "-"
            + ProcessHandle.current().info().startInstant().map(Instant::toEpochMilli).orElseThrow();
    /** The default store of this run (a directory: the setting is a URL like any capture's). */
    static final Path DEFAULT_STORE_DIR = Path.of("target/test-default-store-" + ProcessHandle.current().pid())
            .toAbsolutePath();

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "integcov.operator.storage-poll-interval", "1s",
                "integcov.webhook.tls.check-interval", "1s",
                "integcov.webhook.tls.extra-sans", "127.0.0.1,localhost",
                "integcov.webhook.tls.output-dir", TLS_OUTPUT_DIR,
                "integcov.default-store.url", "file://" + DEFAULT_STORE_DIR);
    }
}
