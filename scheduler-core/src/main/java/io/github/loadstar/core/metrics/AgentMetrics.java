package io.github.loadstar.core.metrics;

/**
 * One agent's figures in a {@link SchedulerMetrics} snapshot.
 *
 * <p>Counters are cumulative since the scheduler started. Busy time is wall time from the moment
 * the agent takes a task until it next finds its queues empty (running tasks and draining its own
 * queues); time spent starting, searching other agents and parked is idle time, so an agent that
 * never ran a task has a busy time and a utilization of exactly 0.
 *
 * <p>A task's future completes before its agent counts it (a local agent counts after the body
 * returns; a remote agent when its thread applies the member's report), so a snapshot taken right
 * after a future completes may not include that task yet. Wait for the counter, not the future,
 * when the two must agree.
 *
 * @param index       the agent's index
 * @param thread      the name of its current thread
 * @param state       what it was doing when read
 * @param capacity    its relative speed
 * @param queued      tasks waiting in its inbox, deque and backlog
 * @param running     whether it was inside a task
 * @param completed   tasks it ran (successfully or not)
 * @param failed      tasks it ran that threw
 * @param cancelled   tasks it dropped because they were cancelled before they started
 * @param stealsIn    steal operations by this agent that took at least one task
 * @param stealsOut   steal operations by other agents that took tasks from this one
 * @param migratedIn  tasks this agent took from a busy agent by stealing (see
 *                    {@link SchedulerMetrics#migrations()})
 * @param migratedOut tasks moved from this agent while it was busy, or handed away from its open
 *                    breaker
 * @param parks       how many times it parked
 * @param lateStarts  tasks with a deadline that started after it
 * @param deadlineMisses tasks with a deadline that finished after it
 * @param busyNanos   busy time in nanoseconds
 * @param utilization busy time over the agent's lifetime so far, in [0, 1]
 * @param load        queued cost per unit of capacity
 * @param breakerState the state of its circuit breaker, or "NONE"
 * @param breakerTransitions how many times its breaker changed state
 * @param rerouted    tasks it handed to other agents because its breaker refused them
 * @param cpuNanos    CPU time its threads (its own and its spare's) have used, in nanoseconds, or -1
 *                    where the JVM does not measure thread CPU time; a replaced thread's starts at 0
 * @param blocked     whether it was inside a task whose thread was blocked or waiting (not runnable)
 * @param location    {@link #LOCAL} for an agent of this JVM; for a remote agent, where its member is
 *                    (its link's {@link io.github.loadstar.core.spi.RemoteLink#location()})
 * @param inFlight    tasks it has started and not finished: 0 or 1 for a local agent, up to its
 *                    link's window for a remote one
 * @param roundTripMillis for a remote agent, the mean time from sending a task to its completion,
 *                    weighted to the newest (0 before the first, and for a local agent)
 * @param speed       for a remote agent, its speed measured against the other remote agents' (its
 *                    rate per task, 1 / round trip, over their mean rate, within [1/8, 8]; the remote
 *                    agents' speeds average 1): placement counts its capacity times this; 1 for a
 *                    local agent, and until two remote agents have round trips
 * @param memberRunning for a remote agent, the tasks its member said it was running for any
 *                    scheduler when last probed ({@link io.github.loadstar.core.spi.RemoteLink#probe()});
 *                    -1 for a local agent, before the first answer, and for a link that does not probe
 * @param memberCpuLoad for a remote agent, its member's machine CPU load in [0, 1] when last probed;
 *                    -1 where unknown (as for memberRunning, or the member does not measure it)
 * @param probeMillis for a remote agent, the last answered probe's round trip in milliseconds; -1
 *                    where none was answered
 * @param probesUnanswered for a remote agent, the probes that brought no figures: not answered in
 *                    time (a failure for its breaker, if it was closed), failed, or not sent because
 *                    the link threw; 0 for a local agent
 */
public record AgentMetrics(
        int index,
        String thread,
        AgentState state,
        double capacity,
        long queued,
        boolean running,
        long completed,
        long failed,
        long cancelled,
        long stealsIn,
        long stealsOut,
        long migratedIn,
        long migratedOut,
        long parks,
        long lateStarts,
        long deadlineMisses,
        long busyNanos,
        double utilization,
        double load,
        String breakerState,
        long breakerTransitions,
        long rerouted,
        long cpuNanos,
        boolean blocked,
        String location,
        int inFlight,
        double roundTripMillis,
        double speed,
        int memberRunning,
        double memberCpuLoad,
        double probeMillis,
        long probesUnanswered) {

    /** {@link #location()} of an agent of this JVM. */
    public static final String LOCAL = "local";

    /** Whether this agent is a remote agent (a member of a cluster). */
    public boolean remote() {
        return !LOCAL.equals(location);
    }

    /** Busy time per unit of capacity: the work figure whose spread the snapshot reports. */
    public double normalisedWork() {
        return busyNanos / capacity;
    }
}
