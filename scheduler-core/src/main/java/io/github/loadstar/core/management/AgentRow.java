package io.github.loadstar.core.management;

import io.github.loadstar.core.metrics.AgentMetrics;

/** One agent, as JMX shows it (a composite row of open types). */
public final class AgentRow {
    private final int index;
    private final String state;
    private final double capacity;
    private final long queued;
    private final long completed;
    private final double utilization;
    private final String breaker;

    /** For the MXBean machinery (a JMX client's proxy rebuilds rows with it); use {@link #of}. */
    @javax.management.ConstructorParameters({"index", "state", "capacity", "queued", "completed", "utilization", "breaker"})
    public AgentRow(int index, String state, double capacity, long queued, long completed, double utilization,
                    String breaker) {
        this.index = index;
        this.state = state;
        this.capacity = capacity;
        this.queued = queued;
        this.completed = completed;
        this.utilization = utilization;
        this.breaker = breaker;
    }

    static AgentRow of(AgentMetrics a) {
        return new AgentRow(a.index(), a.state().name(), a.capacity(), a.queued(), a.completed(), a.utilization(),
                a.breakerState());
    }

    /** The agent's index. */
    public int getIndex() {
        return index;
    }

    /** What it was doing. */
    public String getState() {
        return state;
    }

    /** Its capacity. */
    public double getCapacity() {
        return capacity;
    }

    /** Tasks waiting on it. */
    public long getQueued() {
        return queued;
    }

    /** Tasks it ran. */
    public long getCompleted() {
        return completed;
    }

    /** Its busy time over its lifetime. */
    public double getUtilization() {
        return utilization;
    }

    /** Its breaker's state, or NONE. */
    public String getBreaker() {
        return breaker;
    }
}
