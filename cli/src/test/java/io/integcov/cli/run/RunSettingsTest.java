package io.integcov.cli.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunSettingsTest {

    @Test
    void fromInjectedEnvironment() {
        RunSettings s = RunSettings.fromEnv(Map.of("INTEGCOV_STORAGE", "gs://b/p", "GOCOVERDIR", "/cov",
                "INTEGCOV_POD_NAMESPACE", "team-a", "INTEGCOV_POD_NAME", "api-7d9f", "INTEGCOV_CONTAINER", "api",
                "INTEGCOV_UPLOAD_TIMEOUT", "12.5", "INTEGCOV_GRACE_PERIOD", "60", "HOSTNAME", "ignored"),
                List.of("/app/server"), "host", "sa-ns");
        assertEquals(new RunSettings("gs://b/p", "/cov", "team-a", "api-7d9f", "api", Duration.ofMillis(12_500),
                Duration.ofSeconds(60), List.of()), s);
    }

    @Test
    void fallbacks() {
        RunSettings s = RunSettings.fromEnv(Map.of("HOSTNAME", "pod-from-env"), List.of("/usr/local/bin/covapp", "-x"),
                "kernel-host", "ns-from-sa");
        assertEquals("ns-from-sa", s.namespace());
        assertEquals("pod-from-env", s.pod());
        assertEquals("covapp", s.container());
        assertNull(s.storageUrl());
        assertNull(s.coverDir());
        assertNull(s.uploadTimeout());
        assertNull(s.gracePeriod());

        RunSettings bare = RunSettings.fromEnv(Map.of("INTEGCOV_STORAGE", "  ", "INTEGCOV_POD_NAME", ""), List.of(), null, null);
        assertEquals("default", bare.namespace());
        assertEquals("unknown-pod", bare.pod());
        assertEquals("main", bare.container());
        assertNull(bare.storageUrl());
        assertEquals("kernel-host", RunSettings.fromEnv(Map.of(), List.of("x"), "kernel-host", null).pod());
    }

    @Test
    void invalidTimeoutIsAWarningNotAnError() {
        for (String bad : List.of("soon", "0", "-3", "1e9", "NaN")) {
            RunSettings s = RunSettings.fromEnv(Map.of("INTEGCOV_UPLOAD_TIMEOUT", bad), List.of("x"), null, null);
            assertNull(s.uploadTimeout(), bad);
            assertEquals(1, s.warnings().size(), bad);
            assertTrue(s.warnings().get(0).contains("INTEGCOV_UPLOAD_TIMEOUT='" + bad + "'"), s.warnings().get(0));
        }
    }

    @Test
    void gracePeriodMayBeZeroButNotInvalid() {
        assertEquals(Duration.ZERO, RunSettings.fromEnv(Map.of("INTEGCOV_GRACE_PERIOD", "0"), List.of("x"), null, null)
                .gracePeriod());
        for (String bad : List.of("long", "-1", "1e9")) {
            RunSettings s = RunSettings.fromEnv(Map.of("INTEGCOV_GRACE_PERIOD", bad), List.of("x"), null, null);
            assertNull(s.gracePeriod(), bad);
            assertEquals(List.of("INTEGCOV_GRACE_PERIOD='" + bad + "' is not a number of seconds in [0, 86400]; using"
                    + " the default"), s.warnings());
        }
    }

    @Test
    void segmentsCannotAddPathLevels() {
        assertEquals("a_b", RunSettings.segment("a/b"));
        assertEquals("_", RunSettings.segment(".."));
        assertEquals("_", RunSettings.segment("."));
        assertEquals("x_y", RunSettings.segment("x\ny"));
        assertEquals("name", RunSettings.segment(" name "));
        assertEquals("a_b", RunSettings.fromEnv(Map.of("INTEGCOV_CONTAINER", "a/b"), List.of("x"), null, null).container());
    }
}
