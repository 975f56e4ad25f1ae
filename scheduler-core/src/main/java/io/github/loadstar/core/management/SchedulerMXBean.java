package io.github.loadstar.core.management;

/**
 * A running scheduler, managed over JMX: registered under
 * {@code io.github.loadstar:type=Scheduler,name=<scheduler name>} when the builder's
 * {@code jmx(true)} is set, unregistered when the scheduler terminates. Open types only (strings,
 * numbers, arrays and composite rows), so {@code jconsole} or a remote JMX client needs no Loadstar
 * classes. Writes go through the scheduler's validated reconfiguration: an invalid value is refused
 * with an {@link IllegalArgumentException} naming the field, and the settings in force stay.
 */
public interface SchedulerMXBean {

    /** The scheduler's name. */
    String getName();

    /** RUNNING, SHUTDOWN or TERMINATED. */
    String getState();

    /** The number of agents in the scheduler now (added ones counted, removed and leaving ones not). */
    int getAgentCount();

    /** The most agents it may have at once (its slots). */
    int getMaxAgents();

    /** Tasks that ran. */
    long getCompleted();

    /** Tasks waiting now. */
    long getQueued();

    /** Steal operations. */
    long getSteals();

    /** Tasks moved between agents to relieve one. */
    long getMigrations();

    /** Mean agent utilization since start, in [0, 1]. */
    double getUtilization();

    /** Variance of per-agent queued cost per capacity, now. */
    double getLoadVariance();

    /** Jain's index over tenant service per served weight. */
    double getTenantFairness();

    /** One row per agent. */
    AgentRow[] getAgents();

    /** One row per tenant. */
    TenantRow[] getTenants();

    /**
     * The snapshot of the scheduler's figures now, as JSON ({@code SchedulerMetrics.toJson}): the
     * totals, every agent's figures (steals, migrations, parks, busy and CPU time, breaker) and every
     * tenant's.
     */
    String getMetricsJson();

    /**
     * What each tenant consumed over the newest {@code windowSeconds}: tasks run, run time and its
     * share, as JSON ({@link io.github.loadstar.core.metrics.TenantUsage#toJson}).
     *
     * @throws IllegalArgumentException naming {@code windowSeconds} if it is negative
     */
    String usage(long windowSeconds);

    /** The performance report over the last minute, as text. */
    String getReport();

    /** The performance report over the last minute, as JSON. */
    String getReportJson();

    /** The performance report over the newest {@code windowSeconds} of the history, detailed text. */
    String report(long windowSeconds);

    /** The bottleneck findings over the newest {@code windowSeconds}, one line each (evidence and action). */
    String[] bottlenecks(long windowSeconds);

    /**
     * The bottleneck findings over the newest {@code windowSeconds} as a JSON array, each with its
     * kind, severity, component, evidence by name and action ({@link io.github.loadstar.core.metrics.Finding#toJson}).
     */
    String bottlenecksJson(long windowSeconds);

    /** The recurring patterns in the newest {@code windowSeconds} of the history, one line each (kind, subject, figures). */
    String[] patterns(long windowSeconds);

    /** Runs one rebalancing round now (see {@link io.github.loadstar.core.Scheduler#rebalanceNow()}). */
    void rebalance();

    /**
     * Adds an agent of this capacity (see {@link io.github.loadstar.core.Scheduler#addAgent}).
     *
     * @return its index
     * @throws IllegalArgumentException naming {@code capacity}
     * @throws IllegalStateException    if no slot is free (its maxAgents) or the scheduler is shut down
     */
    int addAgent(double capacity);

    /**
     * Drains and removes an agent: its queued movable work goes to the others, its pinned work runs,
     * then it leaves (see {@link io.github.loadstar.core.Scheduler#removeAgent}).
     *
     * @throws IllegalArgumentException naming {@code agent}
     * @throws IllegalStateException    if it is the last agent
     */
    void drainAgent(int agent);

    /** Sets one agent's capacity. @throws IllegalArgumentException naming {@code capacities[agent]} */
    void setCapacity(int agent, double capacity);

    /** The topology optimiser's decisions, oldest first, one line each (prediction, measurement, reason). */
    String[] getTopologyDecisions();

    /** The topology optimiser's decisions, oldest first, as a JSON array ({@code TopologyDecision.toJson}). */
    String getTopologyDecisionsJson();

    /**
     * Runs the topology optimiser's rule now (see {@link io.github.loadstar.core.Scheduler#optimizeTopology}).
     *
     * @param objective {@code throughput}, {@code queue_latency_p99} (any case), or empty for the configured one
     * @param apply     whether to make the change (false: a dry run)
     * @return the decision as JSON
     * @throws IllegalArgumentException naming {@code objective} if it is none of those
     * @throws IllegalStateException    if the decision cannot be made (no objective, not enough history, …)
     */
    String optimizeTopology(String objective, boolean apply);

    /** The settings' version. */
    long getSettingsVersion();

    /** The steal batch limit (writable: 1 … 1,024). */
    int getStealBatchLimit();

    /** Sets the steal batch limit. @throws IllegalArgumentException naming {@code stealBatchLimit} */
    void setStealBatchLimit(int limit);

    /** The rebalancing policy as {@link #setRebalancePolicy} reads it: {@code off}, {@code threshold:<t>}, {@code adaptive:<t>} (writable). */
    String getRebalancePolicy();

    /**
     * Sets the rebalancing policy: {@code off}, {@code threshold}, {@code threshold:<tolerance>},
     * {@code adaptive} or {@code adaptive:<tolerance>}.
     *
     * @throws IllegalArgumentException naming {@code rebalancePolicy} or {@code tolerance}
     */
    void setRebalancePolicy(String policy);

    /** The rebalancing interval in milliseconds (writable: 1 … 3,600,000). */
    long getRebalanceIntervalMillis();

    /** Sets the rebalancing interval. @throws IllegalArgumentException naming {@code rebalanceInterval} */
    void setRebalanceIntervalMillis(long millis);

    /**
     * Every setting by name, with its value as text (see {@code NamedSettings}: the steal, placement,
     * rebalancing and ordering policies, capacities, tenant weights, and the ordering policy's own
     * parameters such as {@code agingBoost}).
     */
    java.util.Map<String, String> getSettings();

    /**
     * Sets one setting by name (see {@link #getSettings()} for the names).
     *
     * @throws IllegalArgumentException naming the setting, if the name is unknown or the value invalid
     */
    void setSetting(String name, String value);

    /**
     * Sets several settings at once, all or nothing, as {@code name=value} assignments (the command
     * line's {@code config-manage --config '{"stealThreshold": 5, "agingBoost": 2}'}).
     *
     * @return the names of the settings that changed
     * @throws IllegalArgumentException naming the first bad assignment; nothing is changed
     */
    String[] updateSettings(String[] assignments);

    /**
     * As {@link #updateSettings}, naming who asked in the scheduler's log line for the change (the
     * operations tools pass their user, host and process, and an MCP client's name and session).
     *
     * @throws IllegalArgumentException naming the first bad assignment, or {@code actor} if it is blank
     *                                  or longer than 200 characters; nothing is changed
     */
    String[] updateSettingsAs(String[] assignments, String actor);
}
