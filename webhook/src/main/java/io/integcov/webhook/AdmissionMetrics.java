package io.integcov.webhook;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Prometheus metrics of admissions, served at {@code /q/metrics} on the HTTPS port: {@code integcov_admissions_total}
 * by {@code outcome} and the latency histogram {@code integcov_admission_seconds} (from the first byte of the handler
 * to the response being written). The meters are created once, so recording is two lock-free updates.
 */
@Singleton
public class AdmissionMetrics {
    private final Map<Admission.Outcome, Counter> admissions = new EnumMap<>(Admission.Outcome.class);
    private final Timer latency;
    private final Counter eventsDropped;

    @Inject
    public AdmissionMetrics(MeterRegistry registry) {
        for (Admission.Outcome outcome : Admission.Outcome.values()) {
            admissions.put(outcome, Counter.builder("integcov.admissions")
                    .description("AdmissionReviews answered, by outcome").tag("outcome", outcome.name())
                    .register(registry));
        }
        latency = Timer.builder("integcov.admission").description("Time to answer an AdmissionReview")
                .serviceLevelObjectives(Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5),
                        Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
                        Duration.ofMillis(250), Duration.ofSeconds(1))
                .register(registry);
        eventsDropped = Counter.builder("integcov.events.dropped")
                .description("Events on CoverageCaptures not sent because the queue was full").register(registry);
    }

    public void record(Admission.Outcome outcome, long nanos) {
        admissions.get(outcome).increment();
        if (outcome != Admission.Outcome.warmup) {
            latency.record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    public void eventDropped() {
        eventsDropped.increment();
    }
}
