package io.github.loadstar.ops;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import picocli.CommandLine.ITypeConverter;

/** Reads a duration as {@code 500ms}, {@code 2s}, {@code 5m}, {@code 1h} or ISO-8601 ({@code PT2S}); positive only. */
final class Durations implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        Duration d = parse(value);
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException("must be positive: " + value);
        }
        return d;
    }

    /** A window in whole seconds, rounded up (500ms is 1 s, never 0). */
    static long seconds(Duration window) {
        return Math.max(1, (window.toMillis() + 999) / 1000);
    }

    static Duration parse(String value) {
        String v = value.trim().toLowerCase(java.util.Locale.ROOT);
        try {
            if (v.startsWith("pt") || v.startsWith("p")) {
                return Duration.parse(value.trim());
            }
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            long n = Long.parseLong(v.substring(0, v.length() - 1));
            switch (v.charAt(v.length() - 1)) {
                case 's': return Duration.ofSeconds(n);
                case 'm': return Duration.ofMinutes(n);
                case 'h': return Duration.ofHours(n);
                default: break;
            }
        } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
            // fall through to the message below
        }
        throw new IllegalArgumentException("not a duration (500ms, 2s, 5m, 1h or PT2S): " + value);
    }
}
