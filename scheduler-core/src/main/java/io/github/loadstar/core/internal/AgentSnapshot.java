package io.github.loadstar.core.internal;

import static io.github.loadstar.core.internal.AgentBase.ACTIVITY;
import static io.github.loadstar.core.internal.AgentBase.BREAKER_TRANSITIONS;
import static io.github.loadstar.core.internal.AgentBase.BUSY_NANOS;
import static io.github.loadstar.core.internal.AgentBase.BUSY_START;
import static io.github.loadstar.core.internal.AgentBase.CANCELLED;
import static io.github.loadstar.core.internal.AgentBase.COMPLETED;
import static io.github.loadstar.core.internal.AgentBase.DEADLINE_MISSES;
import static io.github.loadstar.core.internal.AgentBase.FAILED;
import static io.github.loadstar.core.internal.AgentBase.LATE_STARTS;
import static io.github.loadstar.core.internal.AgentBase.MIGRATED_IN;
import static io.github.loadstar.core.internal.AgentBase.MIGRATED_OUT;
import static io.github.loadstar.core.internal.AgentBase.PARKS;
import static io.github.loadstar.core.internal.AgentBase.REROUTED;
import static io.github.loadstar.core.internal.AgentBase.RUNNING;
import static io.github.loadstar.core.internal.AgentBase.STEALS_IN;
import static io.github.loadstar.core.internal.AgentBase.STEALS_OUT;

import io.github.loadstar.core.metrics.AgentMetrics;
import io.github.loadstar.core.metrics.AgentState;
import io.github.loadstar.core.spi.MemberStatus;
import java.lang.invoke.VarHandle;

/**
 * One agent's figures as a metrics value, read by any thread from the agent's single-writer counters
 * (opaque reads: each figure is one the agent wrote, the set is not one instant).
 */
final class AgentSnapshot {
    private AgentSnapshot() {
    }

    /**
     * The figures of agent {@code a}; with {@code spare} (its spare, or null) the tasks the spare ran,
     * stole and moved are counted as {@code a}'s: it ran them on the agent's behalf.
     */
    static AgentMetrics of(Agent a, long now, Agent spare, long cpuNanos) {
        AgentState state = AgentState.values()[(int) (long) ACTIVITY.getOpaque(a)];
        int member = a.membership;
        if ((member == AgentRemoval.DRAINING || member == AgentRemoval.DRAINED) && state != AgentState.TERMINATED) {
            state = AgentState.DRAINING;
        } else if (member == AgentRemoval.OFFLINE) {
            state = AgentState.REMOVED;
        }
        long busy = (long) BUSY_NANOS.getOpaque(a);
        if (state == AgentState.RUNNING) {
            busy += Math.max(0, now - (long) BUSY_START.getOpaque(a));
        }
        long lifetime = Math.max(1, now - a.startNanos);
        busy = Math.min(busy, lifetime);
        Thread t = a.thread;
        boolean inTask = (long) RUNNING.getOpaque(a) != 0L;
        RemoteAgent r = a.remote;
        String breakerState = r != null ? r.breakerState() : a.breaker == null ? "NONE" : a.breaker.state();
        MemberStatus memberStatus = r == null ? null : r.probe.status;
        return new AgentMetrics(
                a.index,
                t == null ? "" : t.getName(),
                state,
                a.capacity,
                a.backlog() + (spare == null ? 0 : spare.backlog()),
                inTask,
                sum(a, COMPLETED, spare),
                sum(a, FAILED, spare),
                sum(a, CANCELLED, spare),
                sum(a, STEALS_IN, spare),
                sum(a, STEALS_OUT, spare),
                sum(a, MIGRATED_IN, spare),
                sum(a, MIGRATED_OUT, spare),
                (long) PARKS.getOpaque(a),
                sum(a, LATE_STARTS, spare),
                sum(a, DEADLINE_MISSES, spare),
                busy,
                (double) busy / lifetime,
                a.exactLoad(),
                breakerState,
                (long) BREAKER_TRANSITIONS.getOpaque(a),
                (long) REROUTED.getOpaque(a),
                cpuNanos,
                r == null && inTask && t != null && isWaiting(t.getState()),
                r == null ? AgentMetrics.LOCAL : r.location,
                r == null ? (inTask ? 1 : 0) : r.inFlightCount,
                r == null ? 0.0 : r.speed.meanRoundTripNanos / 1e6,
                a.speed,
                memberStatus == null ? -1 : memberStatus.running(),
                memberStatus == null ? -1.0 : memberStatus.cpuLoad(),
                r == null ? -1.0 : r.probe.millis,
                r == null ? 0L : r.probe.unanswered);
    }

    private static boolean isWaiting(Thread.State state) {
        return state == Thread.State.BLOCKED || state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING;
    }

    private static long sum(Agent a, VarHandle counter, Agent spare) {
        long own = (long) counter.getOpaque(a);
        return spare == null ? own : own + (long) counter.getOpaque(spare);
    }
}
