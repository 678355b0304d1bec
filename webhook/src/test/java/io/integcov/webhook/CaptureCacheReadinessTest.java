package io.integcov.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

/** The readiness check over a real CaptureCache, before and after it has its CoverageCaptures. */
class CaptureCacheReadinessTest {
    @Test
    void downWithAMessageUntilTheInformerHasSynced() {
        HealthCheckResponse response = new CaptureCacheReadiness(new CaptureCache(), WebhookConfig.Source.informer).call();
        assertEquals(CaptureCacheReadiness.NAME, response.getName());
        assertEquals(HealthCheckResponse.Status.DOWN, response.getStatus());
        assertEquals(Map.of("source", "informer", "message", "CoverageCapture informer not synced yet"),
                response.getData().orElseThrow());
    }

    @Test
    void fileSourceIsDownBeforeAndUpOnceTheFileIsLoaded() {
        CaptureCache cache = new CaptureCache();
        cache.config = new SmallRyeConfigBuilder().withMapping(WebhookConfig.class)
                .withSources(new PropertiesConfigSource(Map.of("integcov.captures.source", "file",
                        "integcov.captures.file", "src/test/resources/captures.yaml"), "test", 100))
                .build().getConfigMapping(WebhookConfig.class);
        CaptureCacheReadiness check = new CaptureCacheReadiness(cache, cache.config.captures().source());
        HealthCheckResponse before = check.call();
        assertEquals(HealthCheckResponse.Status.DOWN, before.getStatus());
        assertEquals("CoverageCapture file not loaded yet", before.getData().orElseThrow().get("message"));

        cache.start(null);
        HealthCheckResponse after = check.call();
        assertEquals(HealthCheckResponse.Status.UP, after.getStatus());
        assertEquals(Map.of("source", "file"), after.getData().orElseThrow());
    }
}
