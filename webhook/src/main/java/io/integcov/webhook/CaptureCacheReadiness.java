package io.integcov.webhook;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready (GET /q/health/ready, on the HTTPS port) only once the CoverageCapture cache is complete: the informer has
 * synced, or the file of {@code integcov.captures.source=file} is loaded. Until then the pod gets no traffic, so no pod
 * is admitted against a half-filled cache.
 */
@Readiness
@Singleton
public class CaptureCacheReadiness implements HealthCheck {
    static final String NAME = "coverage-capture-cache";

    private final CaptureLookup captures;
    private final WebhookConfig.Source source;

    @Inject
    CaptureCacheReadiness(CaptureCache captures, WebhookConfig config) {
        this(captures, config.captures().source());
    }

    CaptureCacheReadiness(CaptureLookup captures, WebhookConfig.Source source) {
        this.captures = captures;
        this.source = source;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named(NAME).withData("source", source.name());
        if (captures.synced()) {
            return response.up().build();
        }
        return response.down().withData("message", source == WebhookConfig.Source.file
                ? "CoverageCapture file not loaded yet" : "CoverageCapture informer not synced yet").build();
    }
}
