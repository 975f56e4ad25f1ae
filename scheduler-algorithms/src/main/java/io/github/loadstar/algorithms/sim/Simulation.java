package io.github.loadstar.algorithms.sim;

import io.github.loadstar.core.OrderingScope;
import io.github.loadstar.core.spi.Backlog;
import io.github.loadstar.core.spi.OrderingPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;

/*
 * Design overview
 * ===============
 * A discrete-event simulation on a virtual nanosecond clock. Events are arrivals and run ends,
 * processed in (time, kind, sequence) order — at equal times a run end before an arrival, so a
 * job that finishes exactly at its deadline meets it. Every event of one instant is applied before
 * any agent chooses its next task, so jobs released together, or released as a run ends, compete
 * under the policy instead of going in the order the events happen to be stored. Nothing reads
 * a real clock or an unseeded random source, so a simulation is deterministic.
 *
 * Agents are virtual: each runs one task at a time. Under PER_AGENT scope every agent has its own
 * backlog from the policy and arrivals are placed round robin (or on their pinned agent); under
 * GLOBAL scope all agents serve one backlog. The backlogs are the policy's real ones — the same
 * objects, the same calls (offer, poll, onStart, onFinish) as the runtime makes — so what the
 * simulator shows is what the policy does.
 *
 * A dispatch polls the agent's backlog and runs the task for all its remaining work (NONE,
 * ON_ARRIVAL) or for one slice (TIME_SLICED). When a run ends the backlog is charged (onFinish) with
 * the time run; an unfinished task is offered again. ON_ARRIVAL preempts the target agent's running
 * task when tasks arrive for it: it is charged for what it ran, offered back, and the agent
 * dispatches again, so the policy decides who runs (under GLOBAL scope arrivals preempt nobody;
 * idle agents take them, lowest index first).
 */

/** A deterministic discrete-event simulation of an ordering policy on virtual agents. */
public final class Simulation {
    private static final int RUN_END = 0;
    private static final int ARRIVAL = 1;

    private final OrderingPolicy policy;
    private final int agentCount;
    private final OrderingScope scope;
    private final Preemption preemption;
    private final long quantumNanos;
    private final long horizonNanos;
    private final SimulationListener listener;

    private Simulation(Builder b) {
        this.policy = b.policy;
        this.agentCount = b.agents;
        this.scope = b.scope;
        this.preemption = b.preemption;
        this.quantumNanos = b.quantumNanos;
        this.horizonNanos = b.horizonNanos;
        this.listener = b.listener;
    }

    /** A simulation of {@code policy}: one agent, per-agent scope, no preemption, until all tasks end. */
    public static Builder builder(OrderingPolicy policy) {
        return new Builder(policy);
    }

    private static final class Event {
        final long time;
        final int kind;
        final long sequence;
        final SimTask task;
        final int agent;
        final long runVersion;

        Event(long time, int kind, long sequence, SimTask task, int agent, long runVersion) {
            this.time = time;
            this.kind = kind;
            this.sequence = sequence;
            this.task = task;
            this.agent = agent;
            this.runVersion = runVersion;
        }
    }

    private static final class VirtualAgent {
        final int index;
        final Backlog backlog;
        SimTask running;
        long runStart;
        long runVersion;
        long busyNanos;

        VirtualAgent(int index, Backlog backlog) {
            this.index = index;
            this.backlog = backlog;
        }
    }

    /** Runs {@code workload} (a fresh copy of its tasks each time) and reports. */
    public SimulationReport run(Workload workload) {
        Objects.requireNonNull(workload, "workload");
        List<SimTask> tasks = workload.freshTasks();
        PriorityQueue<Event> events = new PriorityQueue<>((a, b) -> {
            int c = Long.compare(a.time, b.time);
            if (c != 0) {
                return c;
            }
            c = Integer.compare(a.kind, b.kind);
            return c != 0 ? c : Long.compare(a.sequence, b.sequence);
        });
        long[] sequence = {0};
        for (SimTask t : tasks) {
            events.add(new Event(t.arrivalNanos(), ARRIVAL, sequence[0]++, t, -1, 0));
        }
        VirtualAgent[] agents = new VirtualAgent[agentCount];
        Backlog shared = scope == OrderingScope.GLOBAL ? policy.newBacklog() : null;
        for (int i = 0; i < agentCount; i++) {
            agents[i] = new VirtualAgent(i, shared != null ? shared : policy.newBacklog());
        }
        int nextPlacement = 0;
        long now = 0;
        boolean[] arrivedAt = new boolean[agentCount];
        while (!events.isEmpty()) {
            if (events.peek().time > horizonNanos) {
                now = horizonNanos;
                break;
            }
            now = events.peek().time;
            // first apply every event of this instant: run ends free their agents, arrivals are
            // offered; only then do agents choose, so simultaneous work competes under the policy
            while (!events.isEmpty() && events.peek().time == now) {
                Event e = events.poll();
                if (e.kind == RUN_END) {
                    VirtualAgent a = agents[e.agent];
                    if (a.running == e.task && a.runVersion == e.runVersion) {
                        stop(a, now);
                    }   // else the run was preempted; this end is stale
                    continue;
                }
                SimTask t = e.task;
                VirtualAgent target;
                if (shared != null) {
                    target = null;
                } else if (!t.options().isMovable() && t.options().affinity() < agentCount) {
                    target = agents[t.options().affinity()];
                } else {
                    target = agents[nextPlacement];
                    nextPlacement = (nextPlacement + 1) % agentCount;
                }
                (target != null ? target.backlog : shared).offer(t, now);
                if (listener != null) {
                    listener.onArrival(t, now);
                }
                if (target != null) {
                    arrivedAt[target.index] = true;
                }
            }
            for (VirtualAgent a : agents) {
                if (arrivedAt[a.index]) {
                    arrivedAt[a.index] = false;
                    if (a.running != null && preemption == Preemption.ON_ARRIVAL) {
                        stop(a, now);   // charged, offered back: the policy decides who runs
                    }
                }
            }
            for (VirtualAgent a : agents) {
                if (a.running == null) {
                    dispatch(a, now, events, sequence);
                }
            }
        }
        // tasks still running at the horizon are charged up to it
        for (VirtualAgent a : agents) {
            if (a.running != null) {
                long ran = now - a.runStart;
                a.busyNanos += ran;
                a.running.remainingNanos -= ran;
                if (listener != null) {
                    listener.onRun(a.index, a.running, ran, now);
                }
            }
        }
        long[] busy = new long[agentCount];
        for (int i = 0; i < agentCount; i++) {
            busy[i] = agents[i].busyNanos;
        }
        return new SimulationReport(policy.name(), now, tasks, busy);
    }

    /** Ends the agent's current run at {@code now}: charge it; offer it back if unfinished. */
    private void stop(VirtualAgent a, long now) {
        SimTask t = a.running;
        long ran = now - a.runStart;
        a.running = null;
        a.busyNanos += ran;
        t.remainingNanos -= ran;
        a.backlog.onFinish(t, ran, now);
        if (listener != null) {
            listener.onRun(a.index, t, ran, now);
        }
        if (t.remainingNanos <= 0) {
            t.completionNanos = now;
            if (listener != null) {
                listener.onComplete(t, now);
            }
        } else {
            a.backlog.offer(t, now);
        }
    }

    private void dispatch(VirtualAgent a, long now, PriorityQueue<Event> events, long[] sequence) {
        Backlog backlog = a.backlog;
        SimTask t = (SimTask) backlog.poll(now);
        if (t == null) {
            return;
        }
        backlog.onStart(t, now);
        if (t.firstStartNanos < 0) {
            t.firstStartNanos = now;
        }
        t.lastAgent = a.index;
        a.running = t;
        a.runStart = now;
        a.runVersion++;
        long length = t.remainingNanos;
        if (preemption == Preemption.TIME_SLICED) {
            long slice = backlog instanceof TimeSlicedBacklog
                    ? ((TimeSlicedBacklog) backlog).sliceNanos(t, now)
                    : quantumNanos;
            length = Math.min(length, Math.max(1, slice));
        }
        if (listener != null) {
            listener.onDispatch(a.index, t, now);
        }
        events.add(new Event(now + length, RUN_END, sequence[0]++, t, a.index, a.runVersion));
    }

    /** Builds a {@link Simulation}. */
    public static final class Builder {
        private final OrderingPolicy policy;
        private int agents = 1;
        private OrderingScope scope = OrderingScope.PER_AGENT;
        private Preemption preemption = Preemption.NONE;
        private long quantumNanos = 10_000_000L;
        private long horizonNanos = Long.MAX_VALUE;
        private SimulationListener listener;

        private Builder(OrderingPolicy policy) {
            this.policy = Objects.requireNonNull(policy, "policy");
        }

        /**
         * @throws IllegalArgumentException if {@code agents} is not in [1, 1024]
         */
        public Builder agents(int agents) {
            if (agents < 1 || agents > 1024) {
                throw new IllegalArgumentException("agents must be between 1 and 1024: " + agents);
            }
            this.agents = agents;
            return this;
        }

        /** Per-agent backlogs (arrivals placed round robin) or one shared backlog. */
        public Builder scope(OrderingScope scope) {
            this.scope = Objects.requireNonNull(scope, "scope");
            return this;
        }

        /** When a running task is taken off its agent. */
        public Builder preemption(Preemption preemption) {
            this.preemption = Objects.requireNonNull(preemption, "preemption");
            return this;
        }

        /**
         * The slice for {@link Preemption#TIME_SLICED} when the backlog assigns none.
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder quantum(Duration quantum) {
            Objects.requireNonNull(quantum, "quantum");
            if (quantum.isNegative() || quantum.isZero()) {
                throw new IllegalArgumentException("quantum must be positive: " + quantum);
            }
            this.quantumNanos = quantum.toNanos();
            return this;
        }

        /**
         * Stops the simulation at this virtual time (default: when every task has ended).
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder horizon(Duration horizon) {
            Objects.requireNonNull(horizon, "horizon");
            if (horizon.isNegative() || horizon.isZero()) {
                throw new IllegalArgumentException("horizon must be positive: " + horizon);
            }
            this.horizonNanos = horizon.toNanos();
            return this;
        }

        /** Observes every event. */
        public Builder listener(SimulationListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** The simulation. */
        public Simulation build() {
            return new Simulation(this);
        }
    }
}
