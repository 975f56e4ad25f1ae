package io.github.loadstar.core.spi;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Objects;

/**
 * Reads and writes parameter values as text, one format for every setting and policy parameter
 * changed by name: integers and decimals as Java writes them; durations as a number with a unit
 * ({@code 250ms}, {@code 2s}, {@code 500us}, {@code 100ns}, {@code 1m}, {@code 1h}), an ISO-8601
 * duration ({@code PT0.25S}), or a bare number of milliseconds. Every error names the parameter.
 */
public final class ParameterText {
    private ParameterText() {
    }

    /**
     * An integer in {@code [min, max]}.
     *
     * @throws IllegalArgumentException naming {@code name}, if {@code text} is not such an integer
     */
    public static int integer(String name, String text, int min, int max) {
        long v;
        try {
            v = Long.parseLong(trimmed(name, text));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer: " + text, e);
        }
        if (v < min || v > max) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ": " + text);
        }
        return (int) v;
    }

    /**
     * A finite decimal.
     *
     * @throws IllegalArgumentException naming {@code name}, if {@code text} is not a finite number
     */
    public static double decimal(String name, String text) {
        double v;
        try {
            v = Double.parseDouble(trimmed(name, text));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number: " + text, e);
        }
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException(name + " must be finite: " + text);
        }
        return v;
    }

    /**
     * A duration (see the class comment for the forms read). Its range is the caller's to check.
     *
     * @throws IllegalArgumentException naming {@code name}, if {@code text} is not a duration
     */
    public static Duration duration(String name, String text) {
        String t = trimmed(name, text).toLowerCase(Locale.ROOT);
        try {
            if (t.startsWith("pt") || t.startsWith("p")) {
                return Duration.parse(t.toUpperCase(Locale.ROOT));
            }
            int unit = 0;
            while (unit < t.length() && (Character.isDigit(t.charAt(unit)) || t.charAt(unit) == '.' || t.charAt(unit) == '-')) {
                unit++;
            }
            double amount = Double.parseDouble(t.substring(0, unit));
            double nanosPer;
            switch (t.substring(unit).trim()) {
                case "ns": nanosPer = 1; break;
                case "us": case "µs": nanosPer = 1e3; break;
                case "": case "ms": nanosPer = 1e6; break;
                case "s": nanosPer = 1e9; break;
                case "m": case "min": nanosPer = 60e9; break;
                case "h": nanosPer = 3600e9; break;
                default: throw new IllegalArgumentException(name + " has an unknown unit (ns, us, ms, s, m, h): " + text);
            }
            double nanos = amount * nanosPer;
            if (!Double.isFinite(nanos) || Math.abs(nanos) >= Long.MAX_VALUE) {
                throw new IllegalArgumentException(name + " is out of range: " + text);
            }
            return Duration.ofNanos(Math.round(nanos));
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new IllegalArgumentException(name + " must be a duration such as 250ms, 2s or PT0.25S: " + text, e);
        }
    }

    /** A duration in the largest unit that writes it exactly ({@code 250ms}, {@code 2s}, {@code 1500us}). */
    public static String duration(Duration d) {
        Objects.requireNonNull(d, "duration");
        long nanos = d.toNanos();
        if (nanos != 0 && nanos % 3_600_000_000_000L == 0) {
            return nanos / 3_600_000_000_000L + "h";
        }
        if (nanos != 0 && nanos % 60_000_000_000L == 0) {
            return nanos / 60_000_000_000L + "m";
        }
        if (nanos % 1_000_000_000L == 0) {
            return nanos / 1_000_000_000L + "s";
        }
        if (nanos % 1_000_000L == 0) {
            return nanos / 1_000_000L + "ms";
        }
        if (nanos % 1_000L == 0) {
            return nanos / 1_000L + "us";
        }
        return nanos + "ns";
    }

    private static String trimmed(String name, String text) {
        if (text == null) {
            throw new IllegalArgumentException(name + " has no value");
        }
        return text.trim();
    }
}
