package io.github.loadstar.core;

import io.github.loadstar.core.spi.NamedParameters;
import io.github.loadstar.core.spi.OrderingPolicy;
import io.github.loadstar.core.spi.PlacementPolicy;
import io.github.loadstar.core.spi.RebalancePolicy;
import io.github.loadstar.core.spi.StealPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The settings of a running scheduler that {@link Scheduler#reconfigure} can change while tasks run:
 * an immutable value with a version. Each {@code with…} method validates its value at once and
 * returns a new value (an {@link IllegalArgumentException} or {@link NullPointerException} names the
 * field), so a change written as {@code s -> s.withStealBatchLimit(8).withPlacementPolicy(p)} fails
 * as a whole, before anything is swapped, and the settings in force stay in force.
 *
 * <p>Capacities are here, one per agent slot ({@code 0} for a slot with no agent); agents are added
 * and removed by count ({@link #withAgentCount}) or with {@link Scheduler#addAgent} and
 * {@link Scheduler#removeAgent}, which also count as reconfigurations (a new version). The ordering
 * policy's own parameters (aging, level weights, nice values, EDF settings) are here by name
 * ({@link #withOrderingParameter}); every field can also be read and set by name, as text, with
 * {@link NamedSettings}. The ordering policy can be switched between ordering policies (not between
 * the FIFO path and an ordered one, chosen at build).
 */
public final class SchedulerSettings {
    private final long version;
    private final StealPolicy stealPolicy;
    private final int stealBatchLimit;
    private final PlacementPolicy placementPolicy;
    private final RebalancePolicy rebalancePolicy;
    private final Duration rebalanceInterval;
    private final OrderingPolicy orderingPolicy;
    private final double[] capacities;
    private final java.util.Map<String, Double> tenantWeights;
    private final SortedMap<String, String> orderingParameters;
    private final TopologyConfig topology;

    private SchedulerSettings(long version, StealPolicy stealPolicy, int stealBatchLimit, PlacementPolicy placementPolicy,
                              RebalancePolicy rebalancePolicy, Duration rebalanceInterval, OrderingPolicy orderingPolicy,
                              double[] capacities, java.util.Map<String, Double> tenantWeights,
                              SortedMap<String, String> orderingParameters, TopologyConfig topology) {
        this.version = version;
        this.stealPolicy = Objects.requireNonNull(stealPolicy, "stealPolicy");
        this.stealBatchLimit = checkBatch(stealBatchLimit);
        this.placementPolicy = Objects.requireNonNull(placementPolicy, "placementPolicy");
        this.rebalancePolicy = Objects.requireNonNull(rebalancePolicy, "rebalancePolicy");
        this.rebalanceInterval = checkInterval(rebalanceInterval);
        this.orderingPolicy = Objects.requireNonNull(orderingPolicy, "orderingPolicy");
        this.capacities = capacities;
        this.tenantWeights = tenantWeights;
        this.orderingParameters = orderingParameters;
        this.topology = Objects.requireNonNull(topology, "topology");
    }

    /**
     * The first settings of a scheduler (version 1). For the runtime; users get theirs from
     * {@link Scheduler#settings()}.
     */
    public static SchedulerSettings initial(StealPolicy stealPolicy, int stealBatchLimit, PlacementPolicy placementPolicy,
                                            RebalancePolicy rebalancePolicy, Duration rebalanceInterval,
                                            OrderingPolicy orderingPolicy, double[] capacities, TopologyConfig topology) {
        return new SchedulerSettings(1, stealPolicy, stealBatchLimit, placementPolicy, rebalancePolicy, rebalanceInterval,
                orderingPolicy, checkTopology(capacities), java.util.Map.of(), parametersOf(orderingPolicy), topology);
    }

    private static double[] checkTopology(double[] capacities) {
        Objects.requireNonNull(capacities, "capacities");
        double[] c = capacities.clone();
        for (int i = 0; i < c.length; i++) {
            if (!(c[i] >= 0) || Double.isInfinite(c[i])) {
                throw new IllegalArgumentException("capacities[" + i + "] must be positive and finite, or 0 for no agent: "
                        + c[i]);
            }
        }
        return c;
    }

    private static int checkBatch(int limit) {
        if (limit < 1 || limit > SchedulerBuilder.MAX_STEAL_BATCH) {
            throw new IllegalArgumentException("stealBatchLimit must be between 1 and " + SchedulerBuilder.MAX_STEAL_BATCH
                    + ": " + limit);
        }
        return limit;
    }

    private static Duration checkInterval(Duration interval) {
        Objects.requireNonNull(interval, "rebalanceInterval");
        if (interval.compareTo(Duration.ofMillis(1)) < 0 || interval.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("rebalanceInterval must be between 1 ms and 1 hour: " + interval);
        }
        return interval;
    }

    /** The version: 1 at build, one more for each reconfiguration that changed something. */
    public long version() {
        return version;
    }

    /** Chooses the victims of steals. */
    public StealPolicy stealPolicy() {
        return stealPolicy;
    }

    /** The most tasks one steal moves from an inbox or backlog. */
    public int stealBatchLimit() {
        return stealBatchLimit;
    }

    /** Places tasks submitted from outside. */
    public PlacementPolicy placementPolicy() {
        return placementPolicy;
    }

    /** The coordinator's push path. */
    public RebalancePolicy rebalancePolicy() {
        return rebalancePolicy;
    }

    /** How often the coordinator rebalances. */
    public Duration rebalanceInterval() {
        return rebalanceInterval;
    }

    /**
     * The tenants' weights set here (the registry's configured part): a tenant named here is served
     * by this weight — by the ordering policies (CFS maps it to the nearest nice value, WFQ uses it
     * as the flow's weight; a weight a policy's own configuration sets for the tenant, such as
     * {@code CfsConfig.nice}, overrides it there) and in the metrics. Its tasks carry this weight or
     * none (the default, 1); a task carrying another is refused, naming {@code tenantWeight}. A
     * tenant not named here keeps the weight its first task carried. Unmodifiable.
     */
    public java.util.Map<String, Double> tenantWeights() {
        return tenantWeights;
    }

    /**
     * Sets a tenant's weight in the registry; tasks submitted from then on carry it, and the ordering
     * policies reweight the tenant as they arrive (tasks already queued keep their place).
     *
     * @throws NullPointerException     if {@code tenant} is null
     * @throws IllegalArgumentException if {@code weight} is not positive and finite
     */
    public SchedulerSettings withTenantWeight(String tenant, double weight) {
        Objects.requireNonNull(tenant, "tenant");
        if (!(weight > 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("tenantWeights[" + tenant + "] must be positive and finite: " + weight);
        }
        java.util.Map<String, Double> w = new java.util.TreeMap<>(tenantWeights);
        w.put(tenant, weight);
        return new SchedulerSettings(version, stealPolicy, stealBatchLimit, placementPolicy, rebalancePolicy,
                rebalanceInterval, orderingPolicy, capacities, java.util.Collections.unmodifiableMap(w), orderingParameters, topology);
    }

    /** Orders each agent's backlog (or the shared one, in GLOBAL scope). */
    public OrderingPolicy orderingPolicy() {
        return orderingPolicy;
    }

    /**
     * Switches the ordering policy: the queued tasks move into the new policy's backlogs, in the old
     * order, with nothing lost. The FIFO path and the ordered one are chosen at build: a FIFO
     * scheduler takes no ordering policy and an ordered one no FIFO (the scheduler refuses such a
     * change by this field's name).
     *
     * @throws NullPointerException if {@code policy} is null
     */
    public SchedulerSettings withOrderingPolicy(OrderingPolicy policy) {
        return new SchedulerSettings(version, stealPolicy, stealBatchLimit, placementPolicy, rebalancePolicy,
                rebalanceInterval, policy, capacities, tenantWeights, parametersOf(policy), topology);
    }

    /**
     * The ordering policy's parameters, by name, as text (see {@link NamedParameters}): for MLFQ
     * {@code agingThreshold}, {@code agingBoost}, {@code weights.high} …; for CFS
     * {@code targetLatency}, {@code nice.<tenant>} …; for EDF {@code undatedDeadline}; for WFQ
     * {@code weights.<flow>}. Empty for FIFO and for policies that do not name their parameters.
     * Sorted, unmodifiable; the values in force when these settings were read.
     */
    public SortedMap<String, String> orderingParameters() {
        return orderingParameters;
    }

    /**
     * Sets one of the ordering policy's parameters by name (the change applies to the policy when
     * the scheduler takes these settings: tasks already queued keep their place, new decisions use
     * the new value). Checked at once against the policy named here, together with the other
     * parameters set so far.
     *
     * @throws NullPointerException     if {@code name} or {@code value} is null
     * @throws IllegalArgumentException naming the parameter, if the policy has no such parameter or the
     *                                  value is invalid for it
     */
    public SchedulerSettings withOrderingParameter(String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        return withOrderingParameters(java.util.Map.of(name, value));
    }

    /**
     * Sets several of the ordering policy's parameters at once; see {@link #withOrderingParameter}.
     *
     * @throws IllegalArgumentException naming the first parameter that is unknown or invalid
     */
    public SchedulerSettings withOrderingParameters(java.util.Map<String, String> values) {
        Objects.requireNonNull(values, "values");
        if (values.isEmpty()) {
            return this;
        }
        if (!(orderingPolicy instanceof NamedParameters)) {
            throw new IllegalArgumentException("orderingPolicy " + orderingPolicy.name() + " has no parameters to set: "
                    + values.keySet());
        }
        TreeMap<String, String> merged = new TreeMap<>(orderingParameters);
        for (java.util.Map.Entry<String, String> e : values.entrySet()) {
            merged.put(Objects.requireNonNull(e.getKey(), "name"), Objects.requireNonNull(e.getValue(), e.getKey()));
        }
        SortedMap<String, String> checked = ((NamedParameters) orderingPolicy).check(merged);  // applied by the scheduler
        return new SchedulerSettings(version, stealPolicy, stealBatchLimit, placementPolicy, rebalancePolicy,
                rebalanceInterval, orderingPolicy, capacities, tenantWeights,
                java.util.Collections.unmodifiableSortedMap(new TreeMap<>(checked)), topology);
    }

    /**
     * These settings with the ordering parameters as the policy has them now (for the runtime: a
     * policy reconfigured directly, through {@code Reconfigurable}, shows its values here).
     */
    public SchedulerSettings withParametersInForce() {
        SortedMap<String, String> now = parametersOf(orderingPolicy);
        if (now.equals(orderingParameters)) {
            return this;
        }
        return new SchedulerSettings(version, stealPolicy, stealBatchLimit, placementPolicy, rebalancePolicy,
                rebalanceInterval, orderingPolicy, capacities, tenantWeights, now, topology);
    }

    private static SortedMap<String, String> parametersOf(OrderingPolicy policy) {
        if (policy instanceof NamedParameters) {
            return java.util.Collections.unmodifiableSortedMap(new TreeMap<>(((NamedParameters) policy).parameters()));
        }
        return java.util.Collections.emptySortedMap();
    }

    /** The topology optimiser's settings ({@link TopologyConfig#OFF} when it does not run). */
    public TopologyConfig topology() {
        return topology;
    }

    /**
     * The topology optimiser's settings: turned on or off, its objective, bounds, threshold and
     * window changed. The scheduler refuses, naming {@code topology}, a window that does not span two
     * history intervals, or an optimiser turned on with the history off.
     *
     * @throws NullPointerException if {@code topology} is null
     */
    public SchedulerSettings withTopology(TopologyConfig topology) {
        return new SchedulerSettings(version, stealPolicy, stealBatchLimit, placementPolicy, rebalancePolicy,
                rebalanceInterval, orderingPolicy, capacities, tenantWeights, orderingParameters, topology);
    }

    /**
     * Each agent slot's capacity (its relative speed: placement and rebalancing give an agent work
     * in proportion to it), {@code 0} for a slot with no agent; a copy.
     */
    public double[] capacities() {
        return capacities.clone();
    }

    /** The number of agents in the scheduler (slots with a capacity). */
    public int agentCount() {
        int n = 0;
        for (double c : capacities) {
            n += c > 0 ? 1 : 0;
        }
        return n;
    }

    /** @throws NullPointerException if {@code policy} is null */
    public SchedulerSettings withStealPolicy(StealPolicy policy) {
        return new SchedulerSettings(version, policy, stealBatchLimit,
                placementPolicy, rebalancePolicy, rebalanceInterval, orderingPolicy, capacities, tenantWeights, orderingParameters, topology);
    }

    /** @throws IllegalArgumentException if {@code limit} is not between 1 and {@link SchedulerBuilder#MAX_STEAL_BATCH} */
    public SchedulerSettings withStealBatchLimit(int limit) {
        return new SchedulerSettings(version, stealPolicy, limit, placementPolicy, rebalancePolicy,
                rebalanceInterval, orderingPolicy, capacities, tenantWeights, orderingParameters, topology);
    }

    /** @throws NullPointerException if {@code policy} is null */
    public SchedulerSettings withPlacementPolicy(PlacementPolicy policy) {
        return new SchedulerSettings(version, stealPolicy, stealBatchLimit, policy,
                rebalancePolicy, rebalanceInterval, orderingPolicy, capacities, tenantWeights, orderingParameters, topology);
    }

    /** @throws NullPointerException if {@code policy} is null */
    public SchedulerSettings withRebalancePolicy(RebalancePolicy policy) {
        return new SchedulerSettings(version, stealPolicy, stealBatchLimit, placementPolicy,
                policy, rebalanceInterval, orderingPolicy, capacities, tenantWeights, orderingParameters, topology);
    }

    /**
     * A new capacity for the agent in slot {@code agent}.
     *
     * @throws IllegalArgumentException if {@code capacity} is not positive and finite, or no agent is in
     *                                  slot {@code agent}
     */
    public SchedulerSettings withCapacity(int agent, double capacity) {
        if (agent < 0 || agent >= capacities.length || capacities[agent] == 0) {
            throw new IllegalArgumentException("capacities[" + agent + "]: no agent is in slot " + agent
                    + " (agents are added with Scheduler.addAgent)");
        }
        if (!(capacity > 0) || Double.isInfinite(capacity)) {
            throw new IllegalArgumentException("capacities[" + agent + "] must be positive and finite: " + capacity);
        }
        double[] c = capacities.clone();
        c[agent] = capacity;
        return new SchedulerSettings(version, stealPolicy, stealBatchLimit, placementPolicy, rebalancePolicy,
                rebalanceInterval, orderingPolicy, c, tenantWeights, orderingParameters, topology);
    }

    /**
     * The number of agents: more are added (capacity 1; set another with {@link #withCapacity} in the
     * same change) in free slots, fewer are drained and removed from the highest slots, when the
     * scheduler applies the change ({@link Scheduler#addAgent}, {@link Scheduler#removeAgent}). The
     * slots named here are provisional: the scheduler picks the free ones, and the settings in force
     * afterwards show where the agents are.
     *
     * @throws IllegalArgumentException if {@code count} is not between 1 and the slots
     *                                  ({@link SchedulerBuilder#maxAgents})
     */
    public SchedulerSettings withAgentCount(int count) {
        if (count < 1 || count > capacities.length) {
            throw new IllegalArgumentException("agentCount must be between 1 and " + capacities.length
                    + " (the scheduler's maxAgents): " + count);
        }
        double[] c = capacities.clone();
        int n = agentCount();
        for (int i = 0; i < c.length && n < count; i++) {
            if (c[i] == 0) {
                c[i] = 1.0;
                n++;
            }
        }
        for (int i = c.length - 1; i >= 0 && n > count; i--) {
            if (c[i] > 0) {
                c[i] = 0;
                n--;
            }
        }
        return new SchedulerSettings(version, stealPolicy, stealBatchLimit, placementPolicy, rebalancePolicy,
                rebalanceInterval, orderingPolicy, c, tenantWeights, orderingParameters, topology);
    }

    /**
     * These settings with the agents in {@code capacities} (for the runtime, which adds and removes
     * agents; users change a capacity with {@link #withCapacity}).
     */
    public SchedulerSettings withCapacitiesInForce(double[] capacities) {
        return new SchedulerSettings(version, stealPolicy, stealBatchLimit, placementPolicy, rebalancePolicy,
                rebalanceInterval, orderingPolicy, checkTopology(capacities), tenantWeights, orderingParameters, topology);
    }

    /** Whether {@code other} has agents in the same slots (capacities may differ). */
    public boolean sameAgentsAs(SchedulerSettings other) {
        if (other.capacities.length != capacities.length) {
            return false;
        }
        for (int i = 0; i < capacities.length; i++) {
            if ((capacities[i] > 0) != (other.capacities[i] > 0)) {
                return false;
            }
        }
        return true;
    }

    /**
     * @throws NullPointerException     if {@code interval} is null
     * @throws IllegalArgumentException if {@code interval} is not between 1 ms and 1 hour
     */
    public SchedulerSettings withRebalanceInterval(Duration interval) {
        return new SchedulerSettings(version, stealPolicy, stealBatchLimit, placementPolicy, rebalancePolicy,
                interval, orderingPolicy, capacities, tenantWeights, orderingParameters, topology);
    }

    /** These settings as version {@code v} (for the runtime). */
    public SchedulerSettings withVersion(long v) {
        return new SchedulerSettings(v, stealPolicy, stealBatchLimit, placementPolicy, rebalancePolicy, rebalanceInterval,
                orderingPolicy, capacities, tenantWeights, orderingParameters, topology);
    }

    /** The names of the fields whose values differ from {@code other}'s (the version aside), in declaration order. */
    public List<String> changesFrom(SchedulerSettings other) {
        Objects.requireNonNull(other, "other");
        List<String> changed = new ArrayList<>();
        if (stealPolicy != other.stealPolicy) {
            changed.add("stealPolicy");
        }
        if (stealBatchLimit != other.stealBatchLimit) {
            changed.add("stealBatchLimit");
        }
        if (placementPolicy != other.placementPolicy) {
            changed.add("placementPolicy");
        }
        if (rebalancePolicy != other.rebalancePolicy) {
            changed.add("rebalancePolicy");
        }
        if (!rebalanceInterval.equals(other.rebalanceInterval)) {
            changed.add("rebalanceInterval");
        }
        if (orderingPolicy != other.orderingPolicy) {
            changed.add("orderingPolicy");
        }
        if (orderingPolicy == other.orderingPolicy) {
            java.util.Set<String> names = new java.util.TreeSet<>(orderingParameters.keySet());
            names.addAll(other.orderingParameters.keySet());
            for (String n : names) {
                if (!Objects.equals(orderingParameters.get(n), other.orderingParameters.get(n))) {
                    changed.add(n);
                }
            }
        }
        if (!tenantWeights.equals(other.tenantWeights)) {
            changed.add("tenantWeights");
        }
        if (!java.util.Arrays.equals(capacities, other.capacities)) {
            changed.add("capacities");
        }
        if (!topology.equals(other.topology)) {
            changed.add("topology");
        }
        return changed;
    }

    @Override
    public String toString() {
        return "SchedulerSettings{version=" + version + ", stealPolicy=" + stealPolicy.name() + ", stealBatchLimit="
                + stealBatchLimit + ", placementPolicy=" + placementPolicy.name() + ", rebalancePolicy=" + rebalancePolicy
                + ", rebalanceInterval=" + rebalanceInterval.toMillis() + " ms, orderingPolicy=" + orderingPolicy.name()
                + ", capacities="
                + java.util.Arrays.toString(capacities) + ", tenantWeights=" + tenantWeights + ", topology=" + topology + "}";
    }

    /**
     * What a reconfiguration did.
     *
     * @param previous the settings before
     * @param current  the settings in force after (the same as {@code previous} if nothing changed)
     * @param changed  the names of the fields that changed
     */
    public record Change(SchedulerSettings previous, SchedulerSettings current, List<String> changed) {
        public Change {
            changed = List.copyOf(changed);
        }
    }
}
