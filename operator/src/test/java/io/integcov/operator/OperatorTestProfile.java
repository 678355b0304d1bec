package io.integcov.operator;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** Short intervals so that the operator reacts quickly against the mock API server. */
public class OperatorTestProfile implements QuarkusTestProfile {
    static final String TLS_OUTPUT_DIR = "target/test-webhook-tls";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "integcov.operator.resync-interval", "1s",
                "integcov.webhook.tls.check-interval", "1s",
                "integcov.webhook.tls.extra-sans", "127.0.0.1,localhost",
                "integcov.webhook.tls.output-dir", TLS_OUTPUT_DIR);
    }
}
