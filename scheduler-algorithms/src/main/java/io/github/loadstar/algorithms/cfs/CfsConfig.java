package io.github.loadstar.algorithms.cfs;

import io.github.loadstar.core.spi.NamedConfig;
import io.github.loadstar.core.spi.ParameterText;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The parameters of {@link CfsPolicy}; an immutable value, validated when built. Defaults are the
 * kernel's for one CPU: target latency 6 ms, minimum granularity 0.75 ms, 8 tasks per latency
 * period.
 */
public final class CfsConfig implements NamedConfig<CfsConfig> {
    private static final CfsConfig DEFAULTS = builder().build();

    private final long targetLatencyNanos;
    private final long minGranularityNanos;
    private final Map<String, Integer> tenantNice;

    private CfsConfig(Builder b) {
        if (b.minGranularityNanos > b.targetLatencyNanos) {
            throw new IllegalArgumentException("minGranularity " + Duration.ofNanos(b.minGranularityNanos)
                    + " exceeds targetLatency " + Duration.ofNanos(b.targetLatencyNanos));
        }
        this.targetLatencyNanos = b.targetLatencyNanos;
        this.minGranularityNanos = b.minGranularityNanos;
        this.tenantNice = java.util.Collections.unmodifiableMap(new TreeMap<>(b.tenantNice));
    }

    /** The defaults. */
    public static CfsConfig defaults() {
        return DEFAULTS;
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from this config. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.targetLatencyNanos = targetLatencyNanos;
        b.minGranularityNanos = minGranularityNanos;
        b.tenantNice.putAll(tenantNice);
        return b;
    }

    /** The period within which every runnable tenant runs once (the simulator's time slices). */
    public Duration targetLatency() {
        return Duration.ofNanos(targetLatencyNanos);
    }

    /** The shortest slice. */
    public Duration minGranularity() {
        return Duration.ofNanos(minGranularityNanos);
    }

    /** Nice values set per tenant; other tenants get the table weight nearest 1024 × their weight. */
    public Map<String, Integer> tenantNice() {
        return tenantNice;
    }

    long targetLatencyNanos() {
        return targetLatencyNanos;
    }

    long minGranularityNanos() {
        return minGranularityNanos;
    }

    /** The weight of a tenant (null: tasks without a tenant) whose tasks carry {@code tenantWeight}. */
    int weightOf(String tenant, double tenantWeight) {
        Integer nice = tenant == null ? null : tenantNice.get(tenant);
        return NiceWeights.weightOf(nice != null ? nice : NiceWeights.niceNearest(NiceWeights.NICE_0_LOAD * tenantWeight));
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof CfsConfig)) {
            return false;
        }
        CfsConfig c = (CfsConfig) o;
        return c.targetLatencyNanos == targetLatencyNanos && c.minGranularityNanos == minGranularityNanos
                && c.tenantNice.equals(tenantNice);
    }

    @Override
    public int hashCode() {
        return Objects.hash(targetLatencyNanos, minGranularityNanos, tenantNice);
    }

    @Override
    public String toString() {
        return "CfsConfig{targetLatency=" + targetLatency() + ", minGranularity=" + minGranularity()
                + ", tenantNice=" + tenantNice + "}";
    }

    /**
     * The parameters by name, as text, for reconfiguration by name: {@code targetLatency},
     * {@code minGranularity} and {@code nice.<tenant>} for each tenant given a nice value.
     */
    @Override
    public SortedMap<String, String> parameters() {
        TreeMap<String, String> m = new TreeMap<>();
        m.put("targetLatency", ParameterText.duration(targetLatency()));
        m.put("minGranularity", ParameterText.duration(minGranularity()));
        tenantNice.forEach((t, n) -> m.put("nice." + t, Integer.toString(n)));
        return m;
    }

    /**
     * This config with the named parameters (see {@link #parameters()}) set; {@code nice.<tenant>}
     * adds a tenant.
     *
     * @throws IllegalArgumentException naming the parameter, if a name is unknown or a value invalid
     */
    @Override
    public CfsConfig withParameters(Map<String, String> values) {
        Builder b = toBuilder();
        for (Map.Entry<String, String> e : values.entrySet()) {
            String name = Objects.requireNonNull(e.getKey(), "name");
            String v = Objects.requireNonNull(e.getValue(), name);
            if (name.equals("targetLatency")) {
                b.targetLatency(ParameterText.duration(name, v));
            } else if (name.equals("minGranularity")) {
                b.minGranularity(ParameterText.duration(name, v));
            } else if (name.startsWith("nice.") && name.length() > "nice.".length()) {
                b.nice(name.substring("nice.".length()), ParameterText.integer(name, v, -20, 19));
            } else {
                throw new IllegalArgumentException("unknown parameter " + name + " of cfs; its parameters: "
                        + parameters().keySet() + " and nice.<tenant>");
            }
        }
        return b.build();
    }

    /** Builds a {@link CfsConfig}. */
    public static final class Builder {
        private long targetLatencyNanos = 6_000_000L;
        private long minGranularityNanos = 750_000L;
        private final Map<String, Integer> tenantNice = new TreeMap<>();

        private Builder() {
        }

        /**
         * @throws NullPointerException     if {@code latency} is null
         * @throws IllegalArgumentException if it is not positive or exceeds one hour
         */
        public Builder targetLatency(Duration latency) {
            this.targetLatencyNanos = positive(latency, "targetLatency");
            return this;
        }

        /**
         * @throws NullPointerException     if {@code granularity} is null
         * @throws IllegalArgumentException if it is not positive or exceeds one hour
         */
        public Builder minGranularity(Duration granularity) {
            this.minGranularityNanos = positive(granularity, "minGranularity");
            return this;
        }

        /**
         * Gives {@code tenant} a nice value (its weight is then the table's).
         *
         * @throws NullPointerException     if {@code tenant} is null
         * @throws IllegalArgumentException if {@code nice} is outside [-20, 19]
         */
        public Builder nice(String tenant, int nice) {
            Objects.requireNonNull(tenant, "tenant");
            NiceWeights.weightOf(nice);
            tenantNice.put(tenant, nice);
            return this;
        }

        /**
         * The config.
         *
         * @throws IllegalArgumentException if minGranularity exceeds targetLatency
         */
        public CfsConfig build() {
            return new CfsConfig(this);
        }

        private static long positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero() || d.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException(name + " must be positive and at most one hour: " + d);
            }
            return d.toNanos();
        }
    }
}
