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
    private final String location;
    private final int inFlight;
    private final double roundTripMillis;
    private final double speed;
    private final int memberRunning;
    private final double memberCpuLoad;
    private final double probeMillis;
    private final long probesUnanswered;

    /** For the MXBean machinery (a JMX client's proxy rebuilds rows with it); use {@link #of}. */
    @javax.management.ConstructorParameters({"index", "state", "capacity", "queued", "completed", "utilization", "breaker",
            "location", "inFlight", "roundTripMillis", "speed", "memberRunning", "memberCpuLoad", "probeMillis",
            "probesUnanswered"})
    public AgentRow(int index, String state, double capacity, long queued, long completed, double utilization,
                    String breaker, String location, int inFlight, double roundTripMillis, double speed,
                    int memberRunning, double memberCpuLoad, double probeMillis, long probesUnanswered) {
        this.index = index;
        this.state = state;
        this.capacity = capacity;
        this.queued = queued;
        this.completed = completed;
        this.utilization = utilization;
        this.breaker = breaker;
        this.location = location;
        this.inFlight = inFlight;
        this.roundTripMillis = roundTripMillis;
        this.speed = speed;
        this.memberRunning = memberRunning;
        this.memberCpuLoad = memberCpuLoad;
        this.probeMillis = probeMillis;
        this.probesUnanswered = probesUnanswered;
    }

    static AgentRow of(AgentMetrics a) {
        return new AgentRow(a.index(), a.state().name(), a.capacity(), a.queued(), a.completed(), a.utilization(),
                a.breakerState(), a.location(), a.inFlight(), a.roundTripMillis(), a.speed(), a.memberRunning(),
                a.memberCpuLoad(), a.probeMillis(), a.probesUnanswered());
    }

    /** Tasks a remote agent's member ran for any scheduler when last probed; -1 if local or unknown. */
    public int getMemberRunning() {
        return memberRunning;
    }

    /** A remote agent's member's machine CPU load in [0, 1] when last probed; -1 if local or unknown. */
    public double getMemberCpuLoad() {
        return memberCpuLoad;
    }

    /** A remote agent's last answered probe's round trip in milliseconds; -1 if local or none. */
    public double getProbeMillis() {
        return probeMillis;
    }

    /** Probes of a remote agent's member that brought no figures (see AgentMetrics); 0 if local. */
    public long getProbesUnanswered() {
        return probesUnanswered;
    }

    /** "local", or where a remote agent's member is. */
    public String getLocation() {
        return location;
    }

    /** Tasks started and not finished (up to the window for a remote agent). */
    public int getInFlight() {
        return inFlight;
    }

    /** A remote agent's mean round trip per task in milliseconds (0 for a local agent, or before its first). */
    public double getRoundTripMillis() {
        return roundTripMillis;
    }

    /** A remote agent's measured speed among the remote agents: placement multiplies its capacity by it (1 if local). */
    public double getSpeed() {
        return speed;
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
