package io.github.loadstar.core;

import io.github.loadstar.core.spi.OrderingPolicies;
import io.github.loadstar.core.spi.ParameterText;
import io.github.loadstar.core.spi.PlacementPolicies;
import io.github.loadstar.core.spi.RebalancePolicies;
import io.github.loadstar.core.spi.StealPolicies;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Every field of {@link SchedulerSettings} by name, as text: the form an operator outside the
 * process uses (JMX's {@code setSetting}, the command line's {@code config-manage --config
 * '{"stealThreshold": 5, "agingBoost": 10}'}). Reading gives every name with its value; writing
 * takes any subset and returns new settings, for {@link Scheduler#reconfigure}:
 * {@code scheduler.reconfigure(s -> NamedSettings.apply(s, Map.of("agingBoost", "2")))}.
 *
 * <table>
 *   <caption>The names</caption>
 *   <tr><th>name</th><th>value</th></tr>
 *   <tr><td>{@code stealPolicy}</td><td>{@code threshold:<n>}, {@code random-stride}, {@code power-of-two-choices}</td></tr>
 *   <tr><td>{@code stealThreshold}</td><td>an integer ≥ 0; setting it selects the threshold steal policy
 *       (read only while that policy is in force)</td></tr>
 *   <tr><td>{@code stealBatchLimit}</td><td>1 … 1,024</td></tr>
 *   <tr><td>{@code placementPolicy}</td><td>{@code power-of-two-choices}, {@code round-robin}, {@code affinity}</td></tr>
 *   <tr><td>{@code rebalancePolicy}</td><td>{@code off}, {@code threshold:<tolerance>}, {@code adaptive:<tolerance>}</td></tr>
 *   <tr><td>{@code rebalanceInterval}</td><td>a duration, 1 ms … 1 h ({@code 250ms}, {@code 2s})</td></tr>
 *   <tr><td>{@code orderingPolicy}</td><td>a registered name ({@code edf}, {@code cfs}, …) with its default
 *       parameters</td></tr>
 *   <tr><td>{@code agentCount}</td><td>1 … the scheduler's maxAgents</td></tr>
 *   <tr><td>{@code capacities[i]}</td><td>the capacity of the agent in slot {@code i}</td></tr>
 *   <tr><td>{@code tenantWeights[t]}</td><td>tenant {@code t}'s weight in the registry</td></tr>
 *   <tr><td>{@code topology.objective}</td><td>{@code off}, {@code throughput}, {@code queue-latency-p99}</td></tr>
 *   <tr><td>{@code topology.minAgents}, {@code topology.maxAgents}</td><td>the optimiser's bounds</td></tr>
 *   <tr><td>{@code topology.threshold}, {@code topology.window},
 *       {@code topology.calibrateCapacities}</td><td>as {@link TopologyConfig}</td></tr>
 *   <tr><td>any other name</td><td>a parameter of the ordering policy ({@link SchedulerSettings#orderingParameters()}:
 *       {@code agingBoost}, {@code nice.batch}, …)</td></tr>
 * </table>
 *
 * <p>Durations and numbers are read by {@link ParameterText}. Writing is all or nothing: every value
 * is checked, in this order — {@code orderingPolicy} first (so the parameters that follow are the new
 * policy's), then {@code agentCount}, then the rest — and the first bad one throws an
 * {@link IllegalArgumentException} naming it; the settings given are not changed (they are a value).
 */
public final class NamedSettings {
    private NamedSettings() {
    }

    /** Every setting by name, with its value as text, sorted by name. */
    public static SortedMap<String, String> read(SchedulerSettings s) {
        Objects.requireNonNull(s, "settings");
        TreeMap<String, String> m = new TreeMap<>(s.orderingParameters());
        m.put("stealPolicy", StealPolicies.describe(s.stealPolicy()));
        int threshold = StealPolicies.stealThresholdOf(s.stealPolicy());
        if (threshold >= 0) {
            m.put("stealThreshold", Integer.toString(threshold));
        }
        m.put("stealBatchLimit", Integer.toString(s.stealBatchLimit()));
        m.put("placementPolicy", s.placementPolicy().name());
        m.put("rebalancePolicy", RebalancePolicies.describe(s.rebalancePolicy()));
        m.put("rebalanceInterval", ParameterText.duration(s.rebalanceInterval()));
        m.put("orderingPolicy", s.orderingPolicy().name());
        m.put("agentCount", Integer.toString(s.agentCount()));
        double[] c = s.capacities();
        for (int i = 0; i < c.length; i++) {
            if (c[i] > 0) {
                m.put("capacities[" + i + "]", Double.toString(c[i]));
            }
        }
        s.tenantWeights().forEach((t, w) -> m.put("tenantWeights[" + t + "]", Double.toString(w)));
        TopologyConfig t = s.topology();
        m.put("topology.objective", t.isOn() ? t.objective().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') : "off");
        m.put("topology.minAgents", Integer.toString(t.minAgents()));
        m.put("topology.maxAgents", Integer.toString(t.maxAgents()));
        m.put("topology.threshold", Double.toString(t.threshold()));
        m.put("topology.window", ParameterText.duration(t.window()));
        m.put("topology.calibrateCapacities", Boolean.toString(t.calibrateCapacities()));
        return java.util.Collections.unmodifiableSortedMap(m);
    }

    /**
     * {@code s} with the named values set (see the class comment for the names and the order).
     *
     * @throws NullPointerException     if an argument, a name or a value is null
     * @throws IllegalArgumentException naming the setting, if a name is unknown or a value invalid
     */
    public static SchedulerSettings apply(SchedulerSettings s, Map<String, String> values) {
        Objects.requireNonNull(s, "settings");
        Objects.requireNonNull(values, "values");
        Map<String, String> rest = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : values.entrySet()) {
            rest.put(Objects.requireNonNull(e.getKey(), "name"), Objects.requireNonNull(e.getValue(), e.getKey()));
        }
        SchedulerSettings next = s;
        String ordering = rest.remove("orderingPolicy");
        if (ordering != null && !ordering.trim().equals(s.orderingPolicy().name())) {
            try {
                next = next.withOrderingPolicy(OrderingPolicies.byName(ordering.trim()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("orderingPolicy: " + e.getMessage(), e);
            }
        }
        String count = rest.remove("agentCount");
        if (count != null) {
            next = next.withAgentCount(ParameterText.integer("agentCount", count, 1, Integer.MAX_VALUE));
        }
        Map<String, String> topology = new TreeMap<>();
        rest.keySet().removeIf(k -> k.startsWith("topology.") && topology.put(k, rest.get(k)) == null);
        if (!topology.isEmpty()) {
            next = next.withTopology(topology(next.topology(), topology));
        }
        Map<String, String> parameters = new TreeMap<>();
        for (Map.Entry<String, String> e : rest.entrySet()) {
            String name = e.getKey();
            String value = e.getValue();
            switch (name) {
                case "stealPolicy":
                    if (!value.trim().equals(StealPolicies.describe(next.stealPolicy()))) {
                        next = next.withStealPolicy(StealPolicies.byName(value));
                    }
                    break;
                case "stealThreshold": {
                    int n = ParameterText.integer("stealThreshold", value, 0, Integer.MAX_VALUE);
                    if (n != StealPolicies.stealThresholdOf(next.stealPolicy())) {
                        next = next.withStealPolicy(StealPolicies.threshold(n));
                    }
                    break;
                }
                case "stealBatchLimit":
                    next = next.withStealBatchLimit(ParameterText.integer("stealBatchLimit", value, 1,
                            SchedulerBuilder.MAX_STEAL_BATCH));
                    break;
                case "placementPolicy":
                    if (!value.trim().equals(next.placementPolicy().name())) {
                        next = next.withPlacementPolicy(PlacementPolicies.byName(value));
                    }
                    break;
                case "rebalancePolicy":
                    if (!value.trim().equals(RebalancePolicies.describe(next.rebalancePolicy()))) {
                        next = next.withRebalancePolicy(RebalancePolicies.byName(value));
                    }
                    break;
                case "rebalanceInterval":
                    next = next.withRebalanceInterval(ParameterText.duration("rebalanceInterval", value));
                    break;
                default:
                    if (name.startsWith("capacities[") && name.endsWith("]")) {
                        int slot = ParameterText.integer(name, name.substring("capacities[".length(), name.length() - 1),
                                0, Integer.MAX_VALUE);
                        next = next.withCapacity(slot, ParameterText.decimal(name, value));
                    } else if (name.startsWith("tenantWeights[") && name.endsWith("]")) {
                        next = next.withTenantWeight(name.substring("tenantWeights[".length(), name.length() - 1),
                                ParameterText.decimal(name, value));
                    } else {
                        parameters.put(name, value);
                    }
            }
        }
        if (!parameters.isEmpty()) {
            if (next.orderingParameters().isEmpty()) {
                throw new IllegalArgumentException("unknown setting " + parameters.keySet().iterator().next()
                        + " (the ordering policy " + next.orderingPolicy().name() + " has no parameters; settings are "
                        + read(next).keySet() + ")");
            }
            next = next.withOrderingParameters(parameters);
        }
        return next;
    }

    private static TopologyConfig topology(TopologyConfig now, Map<String, String> values) {
        TopologyConfig.Builder b = now.toBuilder();
        int min = now.minAgents();
        int max = now.maxAgents();
        for (Map.Entry<String, String> e : values.entrySet()) {
            String name = e.getKey();
            String v = e.getValue().trim();
            switch (name) {
                case "topology.objective":
                    if (v.equals("off")) {
                        b.off();
                    } else if (v.equals("throughput")) {
                        b.objective(TopologyConfig.Objective.THROUGHPUT);
                    } else if (v.equals("queue-latency-p99")) {
                        b.objective(TopologyConfig.Objective.QUEUE_LATENCY_P99);
                    } else {
                        throw new IllegalArgumentException(name + " must be off, throughput or queue-latency-p99: " + v);
                    }
                    break;
                case "topology.minAgents":
                    min = ParameterText.integer(name, v, 1, SchedulerBuilder.MAX_AGENTS);
                    break;
                case "topology.maxAgents":
                    max = ParameterText.integer(name, v, 1, SchedulerBuilder.MAX_AGENTS);
                    break;
                case "topology.threshold":
                    try {
                        b.threshold(ParameterText.decimal(name, v));
                    } catch (IllegalArgumentException bad) {
                        throw new IllegalArgumentException(name + ": " + bad.getMessage(), bad);
                    }
                    break;
                case "topology.window":
                    try {
                        b.window(ParameterText.duration(name, v));
                    } catch (IllegalArgumentException bad) {
                        throw new IllegalArgumentException(name + ": " + bad.getMessage(), bad);
                    }
                    break;
                case "topology.calibrateCapacities":
                    if (!v.equals("true") && !v.equals("false")) {
                        throw new IllegalArgumentException(name + " must be true or false: " + v);
                    }
                    b.calibrateCapacities(Boolean.parseBoolean(v));
                    break;
                default:
                    throw new IllegalArgumentException("unknown setting " + name + " (topology.objective, .minAgents,"
                            + " .maxAgents, .threshold, .window, .calibrateCapacities)");
            }
        }
        try {
            b.agents(min, max);
        } catch (IllegalArgumentException bad) {
            throw new IllegalArgumentException("topology.minAgents/maxAgents: " + bad.getMessage(), bad);
        }
        return b.build();
    }
}
