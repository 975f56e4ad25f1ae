package io.github.loadstar.algorithms.edf;

import io.github.loadstar.core.spi.NamedConfig;
import io.github.loadstar.core.spi.ParameterText;
import java.time.Duration;
import java.util.Objects;
import java.util.SortedMap;

/** The parameters of {@link EdfPolicy}; an immutable value, validated when built. */
public final class EdfConfig implements NamedConfig<EdfConfig> {
    /** The default {@link #undatedDeadline()}: one second. */
    public static final Duration DEFAULT_UNDATED_DEADLINE = Duration.ofSeconds(1);

    private static final EdfConfig DEFAULTS = builder().build();

    private final long undatedDeadlineNanos;

    private EdfConfig(Builder b) {
        this.undatedDeadlineNanos = b.undatedDeadlineNanos;
    }

    /** The defaults. */
    public static EdfConfig defaults() {
        return DEFAULTS;
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * How long a task without a deadline may wait behind dated tasks: it is ordered as if its
     * deadline were its submission time plus this.
     */
    public Duration undatedDeadline() {
        return Duration.ofNanos(undatedDeadlineNanos);
    }

    long undatedDeadlineNanos() {
        return undatedDeadlineNanos;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EdfConfig && ((EdfConfig) o).undatedDeadlineNanos == undatedDeadlineNanos;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(undatedDeadlineNanos);
    }

    @Override
    public String toString() {
        return "EdfConfig{undatedDeadline=" + undatedDeadline() + "}";
    }

    /** The parameters by name, as text, for reconfiguration by name: {@code undatedDeadline}. */
    @Override
    public SortedMap<String, String> parameters() {
        java.util.TreeMap<String, String> m = new java.util.TreeMap<>();
        m.put("undatedDeadline", ParameterText.duration(undatedDeadline()));
        return m;
    }

    /**
     * This config with the named parameters set.
     *
     * @throws IllegalArgumentException naming the parameter, if a name is unknown or a value invalid
     */
    @Override
    public EdfConfig withParameters(java.util.Map<String, String> values) {
        Builder b = builder().undatedDeadline(undatedDeadline());
        for (java.util.Map.Entry<String, String> e : values.entrySet()) {
            String name = Objects.requireNonNull(e.getKey(), "name");
            String v = Objects.requireNonNull(e.getValue(), name);
            if (!name.equals("undatedDeadline")) {
                throw new IllegalArgumentException("unknown parameter " + name + " of edf; its parameters: undatedDeadline");
            }
            b.undatedDeadline(ParameterText.duration(name, v));
        }
        return b.build();
    }

    /** Builds an {@link EdfConfig}. */
    public static final class Builder {
        private long undatedDeadlineNanos = DEFAULT_UNDATED_DEADLINE.toNanos();

        private Builder() {
        }

        /**
         * Sets {@link EdfConfig#undatedDeadline()}.
         *
         * @throws NullPointerException     if {@code undatedDeadline} is null
         * @throws IllegalArgumentException if it is not positive, or longer than about 146 years
         */
        public Builder undatedDeadline(Duration undatedDeadline) {
            Objects.requireNonNull(undatedDeadline, "undatedDeadline");
            if (undatedDeadline.isNegative() || undatedDeadline.isZero()
                    || undatedDeadline.compareTo(Duration.ofNanos(Long.MAX_VALUE / 2)) > 0) {
                throw new IllegalArgumentException("undatedDeadline must be positive and at most "
                        + Duration.ofNanos(Long.MAX_VALUE / 2) + ": " + undatedDeadline);
            }
            this.undatedDeadlineNanos = undatedDeadline.toNanos();
            return this;
        }

        /** The config. */
        public EdfConfig build() {
            return new EdfConfig(this);
        }
    }
}
