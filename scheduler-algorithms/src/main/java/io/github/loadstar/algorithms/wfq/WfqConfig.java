package io.github.loadstar.algorithms.wfq;

import io.github.loadstar.core.spi.NamedConfig;
import io.github.loadstar.core.spi.ParameterText;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The parameters of {@link WfqPolicy}: flow weights set by name, which take precedence over the
 * {@code tenantWeight} the tasks carry. An immutable value, validated when built; replace it at run
 * time with {@link WfqPolicy#reconfigure} to change weights.
 */
public final class WfqConfig implements NamedConfig<WfqConfig> {
    private static final WfqConfig DEFAULTS = builder().build();

    private final Map<String, Double> weights;

    private WfqConfig(Builder b) {
        this.weights = Collections.unmodifiableMap(new TreeMap<>(b.weights));
    }

    /** No overrides: every flow weighs what its tasks say. */
    public static WfqConfig defaults() {
        return DEFAULTS;
    }

    /** A builder with no overrides. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from this config. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.weights.putAll(weights);
        return b;
    }

    /** The weights set per flow. */
    public Map<String, Double> weights() {
        return weights;
    }

    /** The weight of a flow whose tasks carry {@code tenantWeight}. */
    double weightOf(String flow, double tenantWeight) {
        Double w = flow == null ? null : weights.get(flow);
        return w != null ? w : tenantWeight;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WfqConfig && ((WfqConfig) o).weights.equals(weights);
    }

    @Override
    public int hashCode() {
        return weights.hashCode();
    }

    @Override
    public String toString() {
        return "WfqConfig{weights=" + weights + "}";
    }

    /** The parameters by name, as text, for reconfiguration by name: {@code weights.<flow>} for each flow set. */
    @Override
    public SortedMap<String, String> parameters() {
        TreeMap<String, String> m = new TreeMap<>();
        weights.forEach((f, w) -> m.put("weights." + f, Double.toString(w)));
        return m;
    }

    /**
     * This config with the named parameters set; {@code weights.<flow>} adds a flow.
     *
     * @throws IllegalArgumentException naming the parameter, if a name is unknown or a value invalid
     */
    @Override
    public WfqConfig withParameters(Map<String, String> values) {
        Builder b = toBuilder();
        for (Map.Entry<String, String> e : values.entrySet()) {
            String name = Objects.requireNonNull(e.getKey(), "name");
            String v = Objects.requireNonNull(e.getValue(), name);
            if (name.startsWith("weights.") && name.length() > "weights.".length()) {
                b.weight(name.substring("weights.".length()), ParameterText.decimal(name, v));
            } else {
                throw new IllegalArgumentException("unknown parameter " + name + " of wfq; its parameters: weights.<flow>");
            }
        }
        return b.build();
    }

    /** Builds a {@link WfqConfig}. */
    public static final class Builder {
        private final Map<String, Double> weights = new TreeMap<>();

        private Builder() {
        }

        /**
         * Sets the weight of {@code flow}.
         *
         * @throws NullPointerException     if {@code flow} is null
         * @throws IllegalArgumentException if {@code weight} is not positive and finite, or below 1e-6
         */
        public Builder weight(String flow, double weight) {
            Objects.requireNonNull(flow, "flow");
            if (!(weight >= 1e-6) || Double.isInfinite(weight)) {
                throw new IllegalArgumentException("weights." + flow + " must be finite and at least 1e-6: " + weight);
            }
            weights.put(flow, weight);
            return this;
        }

        /** The config. */
        public WfqConfig build() {
            return new WfqConfig(this);
        }
    }
}
