package io.integcov.cli.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

class GoDurationTest {

    @ParameterizedTest
    @CsvSource({
            "10m, PT10M",
            "90s, PT1M30S",
            "1h30m, PT1H30M",
            "1.5s, PT1.5S",
            "300ms, PT0.3S",
            "2h45m30.5s, PT2H45M30.5S",
            "10us, PT0.00001S",
            "0, PT0S",
            "PT10M, PT10M",
            "pt2s, PT2S"})
    void parsesGoAndIsoDurations(String text, String iso) {
        assertEquals(Duration.parse(iso), GoDuration.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"10", "10 minutes", "", "m", "-5s", "5d", "1h-5m", "PT-5S", "P"})
    void rejectsAnythingElseWithAnExample(String text) {
        TypeConversionException e = assertThrows(TypeConversionException.class, () -> GoDuration.parse(text));
        assertTrue(e.getMessage().contains("e.g. 90s, 10m"), e.getMessage());
    }
}
