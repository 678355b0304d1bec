package io.integcov.cli.collect;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Durations as Go's {@code time.ParseDuration} writes them ({@code 10m}, {@code 90s}, {@code 1h30m}, {@code 1.5s},
 * {@code 300ms}), because collect is run by Go developers next to Go tools; ISO-8601 ({@code PT10M}) is still accepted.
 */
public final class GoDuration implements ITypeConverter<Duration> {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");
    private static final Map<String, BigDecimal> NANOS = Map.of(
            "ns", BigDecimal.ONE,
            "us", BigDecimal.valueOf(1_000),
            "µs", BigDecimal.valueOf(1_000),
            "ms", BigDecimal.valueOf(1_000_000),
            "s", BigDecimal.valueOf(1_000_000_000L),
            "m", BigDecimal.valueOf(60_000_000_000L),
            "h", BigDecimal.valueOf(3_600_000_000_000L));

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    /** Throws picocli's {@link TypeConversionException} (a usage error) with an example of the expected form. */
    public static Duration parse(String value) {
        String text = value == null ? "" : value.trim();
        if (text.toUpperCase().startsWith("P")) {
            try {
                return nonNegative(Duration.parse(text), value);
            } catch (DateTimeParseException e) {
                throw invalid(value);
            }
        }
        if (text.equals("0")) {
            return Duration.ZERO;
        }
        Matcher part = PART.matcher(text);
        BigDecimal nanos = BigDecimal.ZERO;
        int at = 0;
        while (at < text.length()) {
            if (!part.find(at) || part.start() != at) {
                throw invalid(value);
            }
            nanos = nanos.add(new BigDecimal(part.group(1)).multiply(NANOS.get(part.group(2))));
            at = part.end();
        }
        if (at == 0) {
            throw invalid(value);
        }
        return Duration.ofNanos(nanos.longValueExact());
    }

    private static Duration nonNegative(Duration duration, String value) {
        if (duration.isNegative()) {
            throw invalid(value);
        }
        return duration;
    }

    private static TypeConversionException invalid(String value) {
        return new TypeConversionException("'" + value + "' is not a duration; write it as Go does, e.g. 90s, 10m,"
                + " 1h30m (or ISO-8601 like PT10M)");
    }
}
