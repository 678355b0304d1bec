package io.integcov.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.VersionInfo;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The integcov.native-sidecars setting and the API server versions it is decided from. */
class NativeSidecarsTest {
    static Supplier<VersionInfo> version(String major, String minor) {
        return () -> new VersionInfo.Builder().withMajor(major).withMinor(minor).build();
    }

    @ParameterizedTest(name = "{0}.{1} -> {2}")
    @CsvSource({
            "1, 27, false",
            "1, 28, false",
            "1, 28+, false",
            "1, 29, true",
            "1, 29+, true",
            "1, 33, true",
            "2, 0, true",
            "v1, 30, true",
    })
    void autoDecidesFromTheApiServerVersion(String major, String minor, boolean available) {
        assertEquals(available, NativeSidecars.available("auto", version(major, minor)));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"true, true", "false, false", "TRUE, true", " false , false"})
    void explicitSettingWinsWithoutAskingTheApiServer(String setting, boolean available) {
        assertEquals(available, NativeSidecars.available(setting, () -> {
            throw new AssertionError("the API server must not be asked");
        }));
    }

    @Test
    void unreadableVersionAssumesNativeSidecars() {
        assertTrue(NativeSidecars.available("auto", () -> {
            throw new KubernetesClientException("connection refused");
        }));
        assertTrue(NativeSidecars.available("auto", version("", "")), "no version numbers");
    }

    @Test
    void otherSettingIsOneClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NativeSidecars.available("maybe", version("1", "30")));
        assertEquals("integcov.native-sidecars must be auto, true or false, not 'maybe'", e.getMessage());
    }
}
