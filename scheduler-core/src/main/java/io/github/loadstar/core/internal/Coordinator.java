package io.github.loadstar.core.internal;

import io.github.loadstar.core.CoordinatorConfig;
import io.github.loadstar.core.SchedulerSettings;
import io.github.loadstar.core.metrics.SchedulerHistory;
import io.github.loadstar.core.metrics.SchedulerMetrics;
import io.github.loadstar.core.spi.AgentLoads;
import io.github.loadstar.core.spi.RebalancePolicy;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * The scheduler's one background thread, off the task path. Two duties, each on its own period:
 *   - history: a metrics snapshot into a bounded ring every history interval;
 *   - rebalancing: every rebalance interval, the queued load of each agent, counted exactly, goes
 *     to the RebalancePolicy, and each move it plans becomes an order to the receiving agent
 *     ("take up to k tasks from agent v"), which that agent carries out through its own steal path
 *     between tasks (or at once if it was idle: the coordinator wakes it). The coordinator never
 *     touches a queue itself, so the runtime's invariants — one owner per deque, the claims, the
 *     shutdownNow transfer protocol, the accounting — hold for rebalancing as they do for steals.
 * Why a thread of its own rather than an agent between tasks: its periods must hold whether the
 * agents run long tasks or all park, and neither a snapshot nor a plan must delay a task. It costs
 * one parked thread. It exits when the scheduler terminates; the last agent to exit takes the final
 * snapshot itself, before termination is announced, so a terminated scheduler's history always ends
 * with its final counts.
 */

/** The history's snapshots and the rebalancing rounds, on a thread of their own; see the overview in the source. */
final class Coordinator implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(Coordinator.class);

    private final LoadstarScheduler scheduler;
    private final long historyNanos;
    private final int capacity;
    private final ArrayDeque<SchedulerMetrics> ring;
    private final ExactLoads loads;
    /** Rounds after which an order its receiver has not carried out is withdrawn. */
    static final int STALE_ROUNDS = 4;
    private final long[] pendingOrder;
    private final int[] pendingRounds;
    private volatile Thread thread;
    /** A rebalancing round asked for from outside (rebalanceNow), for the coordinator thread to run. */
    private volatile boolean requested;
    /** The rule a requested round uses while the configured policy is off. */
    private final RebalancePolicy oneOff = io.github.loadstar.core.spi.RebalancePolicies.threshold();

    /** Topology decisions asked for from outside (optimizeTopology), for the coordinator thread to make. */
    private final java.util.concurrent.ConcurrentLinkedQueue<TopologyRequest> topologyRequests =
            new java.util.concurrent.ConcurrentLinkedQueue<>();

    private record TopologyRequest(io.github.loadstar.core.TopologyConfig settings, boolean apply,
                                   java.util.concurrent.CompletableFuture<io.github.loadstar.core.metrics.TopologyDecision> result) {
    }

    /** The topology optimiser; it reads its settings (on or off) from the scheduler's settings. */
    private final TopologyOptimiser topology;

    Coordinator(LoadstarScheduler scheduler, CoordinatorConfig config) {
        this.topology = new TopologyOptimiser(scheduler);
        this.scheduler = scheduler;
        this.historyNanos = config.historyInterval().toNanos();
        this.capacity = config.historySize();
        this.ring = new ArrayDeque<>(Math.min(capacity, 1024));
        this.loads = new ExactLoads(scheduler.agents);
        this.pendingOrder = new long[scheduler.agents.length];
        this.pendingRounds = new int[scheduler.agents.length];
    }

    /** Whether the coordinator has anything to do: a history to keep, or rebalancing to do. */
    boolean needed() {
        return historyNanos > 0 || !scheduler.settings.rebalancePolicy().isOff() || scheduler.settings.topology().isOn();
    }

    /**
     * Starts the coordinator thread if it is needed and not started (at build, and when a
     * reconfiguration turns rebalancing on); the caller serialises calls.
     */
    void startIfNeeded() {
        if (thread == null && needed() && !scheduler.isTerminated()) {
            Thread t = new Thread(this, scheduler.name() + "-coordinator");
            t.setDaemon(true);
            t.start();
            thread = t;
        }
    }

    /**
     * One rebalancing round now: by the coordinator thread if it runs (the policy is only ever called
     * on one thread), else on the caller's, under the reconfiguration lock the caller holds. With the
     * configured policy off, the round uses the default threshold rule.
     */
    void rebalanceNow() {
        Thread t = thread;
        if (t != null && t.isAlive()) {
            requested = true;
            LockSupport.unpark(t);
        } else {
            RebalancePolicy policy = scheduler.settings.rebalancePolicy();
            rebalance(policy.isOff() ? oneOff : policy);
        }
    }

    /**
     * One topology decision now, made by the coordinator thread (the optimiser is only ever run on
     * it) while the caller waits, at most 30 s.
     *
     * @throws IllegalStateException if the coordinator is not running (no history), or from
     *                               {@link TopologyOptimiser#now}
     */
    io.github.loadstar.core.metrics.TopologyDecision topologyNow(io.github.loadstar.core.TopologyConfig settings,
                                                                 boolean apply) {
        if (scheduler.isTerminated()) {
            throw new IllegalStateException("the scheduler has terminated");
        }
        Thread t = thread;
        if (t == null || !t.isAlive() || historyNanos == 0) {
            throw new IllegalStateException("the topology optimiser needs the history: build the scheduler with "
                    + "CoordinatorConfig.historyInterval above zero");
        }
        TopologyRequest request = new TopologyRequest(settings, apply, new java.util.concurrent.CompletableFuture<>());
        topologyRequests.add(request);
        LockSupport.unpark(t);
        if (!t.isAlive() && topologyRequests.remove(request)) {
            throw new IllegalStateException("the scheduler has terminated");    // the thread left before it could answer
        }
        try {
            return request.result().get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException) {
                throw (RuntimeException) e.getCause();
            }
            throw new IllegalStateException("the topology decision failed", e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            request.result().cancel(false);     // not made later behind the caller's back
            throw new IllegalStateException("the coordinator did not make the topology decision within 30 s", e);
        } catch (InterruptedException e) {
            request.result().cancel(false);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the topology decision", e);
        }
    }

    /** Answers the waiting topology requests; whether one of them changed the topology. */
    private boolean answerTopologyRequests() {
        boolean changed = false;
        for (TopologyRequest r; (r = topologyRequests.poll()) != null; ) {
            if (r.result().isDone()) {
                continue;       // its caller gave up waiting
            }
            try {
                io.github.loadstar.core.metrics.TopologyDecision d = topology.now(r.settings(), r.apply());
                changed |= d.applied();
                r.result().complete(d);
            } catch (RuntimeException | Error e) {
                r.result().completeExceptionally(e);
                if (e instanceof Error) {
                    throw (Error) e;
                }
            }
        }
        return changed;
    }

    /** The settings changed: the thread re-reads its period and policy at once. */
    void onReconfigured() {
        LockSupport.unpark(thread);
    }

    @Override
    public void run() {
        long now = System.nanoTime();
        long nextSample = now + historyNanos;
        long nextRebalance = now;
        SchedulerSettings seen = scheduler.settings;
        long nextTopology = now + seen.topology().window().toNanos();
        try {
            while (!scheduler.isTerminated()) {
                SchedulerSettings settings = scheduler.settings;
                RebalancePolicy policy = settings.rebalancePolicy();
                long rebalanceNanos = policy.isOff() ? 0 : settings.rebalanceInterval().toNanos();
                now = System.nanoTime();
                if (settings != seen) {
                    if (!settings.topology().equals(seen.topology())) {
                        nextTopology = now + settings.topology().window().toNanos();   // a new window starts now
                    }
                    seen = settings;
                    nextRebalance = now;    // a new policy or period starts now
                }
                boolean topologyOn = settings.topology().isOn();
                if (requested) {
                    requested = false;
                    rebalance(policy.isOff() ? oneOff : policy);
                }
                if (answerTopologyRequests()) {
                    nextTopology = now + settings.topology().window().toNanos();     // the change's window starts now
                }
                if (historyNanos > 0 && nextSample - now <= 0) {
                    sample();
                    nextSample = next(nextSample, historyNanos, now);
                }
                if (rebalanceNanos > 0 && nextRebalance - now <= 0) {
                    rebalance(policy);
                    nextRebalance = next(nextRebalance, period(policy, rebalanceNanos), now);
                }
                if (topologyOn && nextTopology - now <= 0) {
                    try {
                        topology.round(settings.topology());
                    } catch (RuntimeException e) {
                        LOG.warn("scheduler {}: a topology round failed; the next one runs as planned", scheduler.name(), e);
                    }
                    nextTopology = next(nextTopology, settings.topology().window().toNanos(), now);
                }
                long wake = historyNanos == 0 ? (rebalanceNanos == 0 ? now + 1_000_000_000L : nextRebalance)
                        : rebalanceNanos == 0 ? nextSample
                        : (nextSample - nextRebalance < 0 ? nextSample : nextRebalance);
                if (topologyOn && nextTopology - wake < 0) {
                    wake = nextTopology;
                }
                long wait = wake - System.nanoTime();
                if (wait > 0) {
                    // woken early at termination or by a reconfiguration: the loop re-checks
                    LockSupport.parkNanos(this, wait);
                }
            }
        } catch (Throwable t) {
            LOG.error("scheduler {}: the coordinator thread failed; history and rebalancing stop here", scheduler.name(), t);
        } finally {
            for (TopologyRequest r; (r = topologyRequests.poll()) != null; ) {
                r.result().completeExceptionally(new IllegalStateException("the scheduler has terminated"));
            }
        }
    }

    /** The policy's next period, kept between 1 ms and 1 h; a policy that throws gets the configured one. */
    private long period(RebalancePolicy policy, long configured) {
        try {
            return Math.max(1_000_000L, Math.min(3_600_000_000_000L, policy.nextIntervalNanos(configured)));
        } catch (Throwable t) {
            scheduler.strategyFailures.failed(StrategyFailures.REBALANCE, "nextIntervalNanos", "the configured interval", t);
            return configured;
        }
    }

    /** The next deadline after {@code due}; after a long pause the missed ones are skipped, not run in a burst. */
    private static long next(long due, long period, long now) {
        long next = due + period;
        return next - now < 0 ? now + period : next;
    }

    /** The final snapshot, by the last agent thread to exit, if the history is on. */
    void finalSample() {
        if (historyNanos > 0) {
            sample();
        }
    }

    /** Takes one snapshot into the ring (under the ring's lock, so the ring stays in time order). */
    void sample() {
        synchronized (ring) {
            SchedulerMetrics m = scheduler.figures.collect();
            if (ring.size() == capacity) {
                ring.pollFirst();
            }
            ring.addLast(m);
        }
    }

    /** One rebalancing round: the policy plans on exact queued loads; each move becomes an order. */
    void rebalance(RebalancePolicy policy) {
        if (scheduler.runState() >= LoadstarScheduler.STOP || ordersInFlight()) {
            return;     // a plan on loads that orders not yet carried out will change would move work twice
        }
        loads.refresh();
        try {
            policy.plan(loads, this::order);
        } catch (Throwable t) {
            scheduler.strategyFailures.failed(StrategyFailures.REBALANCE, "plan", "no moves this round", t);
        }
    }

    /**
     * Whether an order is still waiting for its receiver (it acts between its tasks). An order
     * pending for {@value #STALE_ROUNDS} rounds (its receiver is inside a long task) is withdrawn,
     * so that one busy receiver cannot stop rebalancing for everyone.
     */
    private boolean ordersInFlight() {
        Agent[] agents = scheduler.agents;
        boolean inFlight = false;
        for (int i = 0; i < agents.length; i++) {
            long order = agents[i].pendingRebalanceOrder();
            if (order == 0 || order == AgentRemoval.DRAIN) {    // a drain is no rebalancing order
                pendingRounds[i] = 0;
                continue;
            }
            if (order == pendingOrder[i] && ++pendingRounds[i] >= STALE_ROUNDS) {
                agents[i].withdrawRebalanceOrder(order);
                pendingRounds[i] = 0;
                continue;
            }
            if (order != pendingOrder[i]) {
                pendingOrder[i] = order;
                pendingRounds[i] = 1;
            }
            inFlight = true;
        }
        return inFlight;
    }

    private void order(int from, int to, int tasks) {
        Agent[] agents = scheduler.agents;
        if (from < 0 || from >= agents.length || to < 0 || to >= agents.length || from == to || tasks <= 0) {
            throw new IllegalArgumentException("bad move: from " + from + " to " + to + ", " + tasks + " tasks ("
                    + agents.length + " agents)");
        }
        Agent receiver = agents[to];
        receiver.orderRebalance(from, tasks);
        scheduler.idle.signalAgent(receiver);   // an idle receiver carries the order out at once
    }

    /** The scheduler has terminated: the coordinator thread exits. */
    void wake() {
        LockSupport.unpark(thread);
    }

    /** The topology optimiser's decisions, oldest first (empty when it is off). */
    java.util.List<io.github.loadstar.core.metrics.TopologyDecision> topologyDecisions() {
        return topology.decisions();
    }

    SchedulerHistory history() {
        synchronized (ring) {
            return new SchedulerHistory(historyNanos, new ArrayList<>(ring));
        }
    }

    /** The agents' loads for one round, read once: queued cost per capacity, counted exactly. */
    private static final class ExactLoads implements AgentLoads {
        private final Agent[] agents;
        private final double[] load;
        private final int[] backlog;
        private final boolean[] accepting;

        ExactLoads(Agent[] agents) {
            this.agents = agents;
            this.load = new double[agents.length];
            this.backlog = new int[agents.length];
            this.accepting = new boolean[agents.length];
        }

        void refresh() {
            for (int i = 0; i < agents.length; i++) {
                Agent a = agents[i];
                load[i] = a.queuedLoad();
                backlog[i] = a.backlog();
                accepting[i] = a.accepting;
            }
        }

        @Override
        public int agentCount() {
            return agents.length;
        }

        @Override
        public int backlog(int agent) {
            return backlog[agent];
        }

        @Override
        public double capacity(int agent) {
            return agents[agent].effectiveCapacity();
        }

        @Override
        public double load(int agent) {
            return load[agent];
        }

        @Override
        public boolean accepting(int agent) {
            return accepting[agent];
        }
    }
}
