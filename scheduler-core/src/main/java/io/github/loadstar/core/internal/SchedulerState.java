package io.github.loadstar.core.internal;

import io.github.loadstar.core.AllAgentsOpen;
import io.github.loadstar.core.OrderingScope;
import io.github.loadstar.core.PinnedOnOpenAgent;
import io.github.loadstar.core.RejectionBehaviour;
import io.github.loadstar.core.Scheduler;
import io.github.loadstar.core.SchedulerListener;
import io.github.loadstar.core.SchedulerSettings;
import io.github.loadstar.core.metrics.PerformanceReport;
import io.github.loadstar.core.metrics.SchedulerHistory;
import io.github.loadstar.core.metrics.SchedulerMetrics;
import io.github.loadstar.core.spi.AgentBreaker;
import io.github.loadstar.core.spi.AgentLoads;
import io.github.loadstar.core.spi.Backlog;
import io.github.loadstar.core.spi.NamedParameters;
import io.github.loadstar.core.spi.OrderingPolicy;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;
import org.agrona.concurrent.IdleStrategy;
import org.slf4j.LoggerFactory;
import org.jctools.queues.MessagePassingQueue;

/*
 * A scheduler's state: its agents, queues, configuration and counters, the run state, and the
 * small operations every part reads (bounds, rejections, the current agent, the loads placement
 * reads). The parts are layered on top, one class each:
 *
 *   SchedulerState      this file
 *   SchedulerLifecycle  threads, quiescence, shutdown, shutdownNow, termination, spares
 *   LoadstarScheduler   submission: the ExecutorService and Scheduler entry points
 *
 * beside ListenerEvents (events), SchedulerFigures (metrics), ShutdownDrain (shutdownNow's drain).
 */

/** The state of a {@link LoadstarScheduler}; see the layers above. */
abstract class SchedulerState extends AbstractExecutorService implements AgentLoads {
    static final int RUNNING = 0;
    static final int SHUTDOWN = 1;
    static final int TIDYING = 2;
    static final int STOP = 3;
    static final int TERMINATED = 4;

    /** The agent of the current thread, for threads made by a user's ThreadFactory. */
    static final ThreadLocal<Agent> CURRENT = new ThreadLocal<>();

    static final VarHandle RUN_STATE;

    static {
        try {
            RUN_STATE = MethodHandles.lookup().findVarHandle(LoadstarScheduler.class, "runState", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Agent[] agents;
    final IdleControl idle;
    final Queue<Runnable> global = Queues.mpmc(1024);
    /** Batches placed by an allocator (Scheduler.submitAll), and their figures. */
    final BatchSubmission batches = new BatchSubmission();
    /** What reconfigure() can change; read where it is used, swapped whole (see SchedulerLifecycle.reconfigure). */
    volatile SchedulerSettings settings;
    final SchedulerListener listener;
    /** Delivers events to the listener, if there is one. */
    final ListenerEvents events;
    final boolean bounded;
    /** An ordering policy other than FIFO is in use: every task goes through a Backlog. */
    final boolean ordered;
    /** GLOBAL ordering scope: one backlog for all agents. */
    final boolean globalScope;
    /** The ordering policy in force (the settings' one, once its backlogs are in place); see switchOrdering. */
    volatile OrderingPolicy orderingPolicy;
    /** GLOBAL scope only: the shared backlog, its lock, and the queue submissions wait in. */
    final GuardedBacklog globalBacklog;
    final ReentrantLock globalLock;
    final MessagePassingQueue<Runnable> globalInbox;
    /** GLOBAL scope only: the shared backlog's size, published by the lock holder. */
    volatile long globalBacklogSize;
    /** Agents guarded by circuit breakers; the rules for open breakers. */
    final boolean breakers;
    final boolean rejectWhenAllOpen;
    final boolean failPinnedOnOpen;
    /** Agents suspended by an open breaker: not idle, yet taking no work (for quiescence). */
    final AtomicInteger suspended = new AtomicInteger();
    /** Each agent's spare, made the first time its thread enters a blocking section. */
    final AtomicReferenceArray<SpareAgent> spares;
    /** Spares that are needed or still running their own queue: the scheduler is not quiescent. */
    final AtomicInteger activeSpares = new AtomicInteger();
    final SchedulerConfig config;
    final String name;
    final boolean customThreads;
    final long maxQueued;
    final AtomicLong queued = new AtomicLong();
    final RejectionBehaviour rejectionBehaviour;
    final int sampleMask;
    final int sampleShift;
    final long startNanos;
    volatile int runState;
    /** When the last agent exited (System.nanoTime), 0 before: the figures of a terminated scheduler stop there. */
    volatile long terminatedNanos;
    volatile boolean drained;
    final AtomicInteger liveAgents;
    /**
     * Agents with a thread that count for quiescence: ACTIVE and DRAINING ones (AgentRemoval). The
     * agent count before elastic agents: a scheduler is quiescent when this many are idle or suspended.
     */
    final AtomicInteger members;
    final CountDownLatch terminated = new CountDownLatch(1);
    final LongAdder rejected = new LongAdder();
    final LongAdder discarded = new LongAdder();
    final StrategyFailures strategyFailures;
    /** The figures: tenants, latency samples, snapshots. */
    final SchedulerFigures figures;
    /** Takes the history's snapshots and rebalances (its thread runs only when it has work). */
    final Coordinator coordinator;
    /** The registered management bean, or null. */
    volatile io.github.loadstar.core.management.SchedulerManagement management;
    /** Remote agents in the scheduler (see RemoteAgent); 0 keeps the submission path as it was. */
    volatile int remoteAgents;
    /** Remote tasks to be sent again (taken back from a member, or not delivered), by any remote agent. */
    final java.util.concurrent.ConcurrentLinkedQueue<RemoteAgent.Resend> resends = new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** The ids of remote tasks without an idempotence key. */
    final RemoteRouting.Ids remoteIds = new RemoteRouting.Ids();
    /** Serialises reconfigurations (and the coordinator thread's start). */
    final Object reconfiguring = new Object();

    SchedulerState(SchedulerConfig config) {
        this.config = config;
        this.name = config.name();
        this.customThreads = config.threadFactory() != null;
        double[] slotCapacities = java.util.Arrays.copyOf(config.capacities(), config.maxAgents());
        this.settings = SchedulerSettings.initial(config.stealPolicy(), config.stealBatchLimit(), config.placementPolicy(),
                config.coordinator().rebalancePolicy(), config.coordinator().rebalanceInterval(), config.orderingPolicy(),
                slotCapacities, config.coordinator().topology());
        this.listener = CompositeListener.of(config.listeners());
        this.events = new ListenerEvents(name, listener);
        this.maxQueued = config.maxQueuedTasks();
        this.bounded = maxQueued > 0;
        this.rejectionBehaviour = config.rejectionBehaviour();
        this.sampleMask = config.latencySamplingInterval() - 1;
        this.sampleShift = 32 - Integer.numberOfTrailingZeros(config.latencySamplingInterval());
        this.orderingPolicy = config.orderingPolicy();
        this.strategyFailures = new StrategyFailures(name);
        this.ordered = !orderingPolicy.isFifo();
        this.globalScope = ordered && config.orderingScope() == OrderingScope.GLOBAL;
        this.globalBacklog = globalScope ? new GuardedBacklog(orderingPolicy.newBacklog(), strategyFailures) : null;
        this.globalLock = globalScope ? new ReentrantLock() : null;
        this.globalInbox = globalScope ? Queues.mpsc(1024) : null;
        this.breakers = config.agentBreakers() != null;
        this.rejectWhenAllOpen = config.allAgentsOpen() == AllAgentsOpen.REJECT;
        this.failPinnedOnOpen = config.pinnedOnOpenAgent() == PinnedOnOpenAgent.FAIL;
        double[] capacities = config.capacities();
        int slots = config.maxAgents();
        this.agents = new Agent[slots];
        this.liveAgents = new AtomicInteger(capacities.length);
        this.members = new AtomicInteger(capacities.length);
        this.spares = new AtomicReferenceArray<>(slots);
        this.figures = new SchedulerFigures((LoadstarScheduler) this, slots);
        this.startNanos = System.nanoTime();
        for (int i = 0; i < slots; i++) {
            GuardedBacklog backlog = ordered && !globalScope
                    ? new GuardedBacklog(orderingPolicy.newBacklog(), strategyFailures) : null;
            AgentBreaker breaker = breakers ? config.agentBreakers().create(i, name + "-agent-" + i) : null;
            if (breakers && breaker == null) {
                throw new IllegalStateException("agentBreakers returned null for agent " + i);
            }
            boolean present = i < capacities.length;
            agents[i] = new Agent((LoadstarScheduler) this, i, present ? capacities[i] : 1.0, config.idleStrategy().get(),
                    config.spinRounds(), config.stealBatchLimit(), startNanos, backlog,
                    breaker == null ? null : new GuardedBreaker(breaker, strategyFailures));
            Agent agent = agents[i];
            if (present) {
                agent.everStarted = true;
            } else {
                // an empty slot, for an agent added later (AgentRemoval)
                agent.membership = AgentRemoval.OFFLINE;
                agent.accepting = false;
            }
            if (breaker != null) {
                breaker.onTransition(agent::onBreakerTransition);
            }
        }
        this.coordinator = new Coordinator((LoadstarScheduler) this, config.coordinator());
        this.idle = new IdleControl((LoadstarScheduler) this, agents);
    }

    final Thread newThread(Agent agent) {
        if (customThreads) {
            return config.threadFactory().newThread(agent);
        }
        return new AgentThread(agent, config.threadNamePrefix() + agent.index, config.daemon());
    }

    /** Local agents accepting work in the scheduler now (a scan; read only while remote agents exist). */
    final int localAgentsActive() {
        int n = 0;
        for (Agent a : agents) {
            n += a.membership == AgentRemoval.ACTIVE && a.remote == null ? 1 : 0;
        }
        return n;
    }

    /** Wakes every remote agent: there are tasks to send again, or shared work it may take. */
    final void wakeRemoteAgents() {
        if (remoteAgents == 0) {
            return;
        }
        for (Agent a : agents) {
            RemoteAgent r = a.remote;
            if (r != null) {
                r.wake();
            }
        }
    }

    /** The agent (or spare) of the current thread, of whichever scheduler, or null. */
    static Agent currentAgent() {
        Thread t = Thread.currentThread();
        return t instanceof AgentThread ? ((AgentThread) t).agent : CURRENT.get();
    }

    /** The current thread's agent, if it is one of this scheduler's agent threads. */
    Agent localAgent() {
        Thread t = Thread.currentThread();
        Agent a;
        if (t instanceof AgentThread) {
            a = ((AgentThread) t).agent;
        } else if (customThreads) {
            a = CURRENT.get();
        } else {
            return null;
        }
        return a != null && a.scheduler == this ? a : null;
    }

    int runState() {
        return runState;
    }

    final boolean casRunState(int expect, int update) {
        return RUN_STATE.compareAndSet(this, expect, update);
    }

    /** A fresh idle strategy (each agent and spare needs its own: they keep state). */
    IdleStrategy newIdleStrategy() {
        return config.idleStrategy().get();
    }

    // ================================================================ bounds and rejections

    final boolean tryAcquireQueuedSlot() {
        for (;;) {
            long q = queued.get();
            if (q >= maxQueued) {
                return false;
            }
            if (queued.compareAndSet(q, q + 1)) {
                return true;
            }
        }
    }

    void releaseQueuedSlot() {
        queued.decrementAndGet();
    }

    final RejectedExecutionException reject(Object task, String why) {
        rejected.increment();
        return new RejectedExecutionException(why + "; rejected " + task);
    }

    static boolean tryClaim(Runnable task, int state) {
        // a bare Runnable has no other claimant once it is out of its queue
        WrappedTask wrapped = WrappedTask.of(task);
        return wrapped == null || wrapped.tryClaim(state);
    }

    boolean failPinnedOnOpenAgent() {
        return failPinnedOnOpen;
    }

    /** A pinned task failed because its agent's breaker is open (PinnedOnOpenAgent.FAIL). */
    void countRejectedPinned(Runnable task) {
        rejected.increment();
        if (bounded) {
            releaseQueuedSlot();
        }
    }

    // ================================================================ AgentLoads

    @Override
    public int agentCount() {
        return agents.length;
    }

    @Override
    public int backlog(int agent) {
        return agents[agent].backlog();
    }

    @Override
    public double capacity(int agent) {
        return agents[agent].effectiveCapacity();
    }

    @Override
    public double load(int agent) {
        return agents[agent].load();
    }

    @Override
    public boolean accepting(int agent) {
        return agents[agent].accepting;
    }

    /** See {@link io.github.loadstar.core.Scheduler#name()}. */
    public String name() {
        return name;
    }

    // ================================================================ figures

    /** See {@link io.github.loadstar.core.Scheduler#report}. */
    public PerformanceReport report(java.time.Duration window) {
        return PerformanceReport.of(name, metrics(), history(), checkedWindow(window));
    }

    /** See {@link io.github.loadstar.core.Scheduler#rebalanceNow()}. */
    public void rebalanceNow() {
        synchronized (reconfiguring) {
            coordinator.rebalanceNow();
        }
    }

    /** See {@link io.github.loadstar.core.Scheduler#bottlenecks}. */
    public List<io.github.loadstar.core.metrics.Finding> bottlenecks(java.time.Duration window) {
        return io.github.loadstar.core.metrics.BottleneckAnalysis.analyze(metrics(), history().within(checkedWindow(window)));
    }

    private static java.time.Duration checkedWindow(java.time.Duration window) {
        Objects.requireNonNull(window, "window");
        if (window.isNegative()) {
            throw new IllegalArgumentException("window must not be negative: " + window);
        }
        return window;
    }

    /** See {@link io.github.loadstar.core.Scheduler#settings()}. */
    public SchedulerSettings settings() {
        return settings.withParametersInForce();
    }

    /**
     * See {@link io.github.loadstar.core.Scheduler#reconfigure}: the change is applied to the settings
     * in force and checked whole before anything is swapped; concurrent calls are serialised, so each
     * sees the one before it.
     */
    public SchedulerSettings.Change reconfigure(UnaryOperator<SchedulerSettings> change) {
        return reconfigure(change, null);
    }

    /**
     * As {@link #reconfigure(UnaryOperator)}, naming in the log line who asked ({@code actor}, e.g. the
     * operations tool and its user; null: not named) — the management bean's path for changes made
     * from outside.
     */
    public SchedulerSettings.Change reconfigure(UnaryOperator<SchedulerSettings> change, String actor) {
        Objects.requireNonNull(change, "change");
        synchronized (reconfiguring) {
            SchedulerSettings previous = settings.withParametersInForce();
            SchedulerSettings next = Objects.requireNonNull(change.apply(previous), "the changed settings");
            AgentCountChange count = null;
            if (!next.sameAgentsAs(previous)) {
                count = AgentCountChange.prepare((LoadstarScheduler) this, previous, next);     // checks, changes nothing
            }
            List<String> changed = next.changesFrom(previous);
            if (!next.topology().equals(previous.topology())) {
                config.coordinator().checkTopology(next.topology());
            }
            if (changed.isEmpty()) {
                return new SchedulerSettings.Change(previous, previous, changed);
            }
            Runnable switchOrdering = null;
            if (next.orderingPolicy() != previous.orderingPolicy()) {
                switchOrdering = OrderingSwitch.prepare((LoadstarScheduler) this, next.orderingPolicy());
            }
            java.util.Map<String, String> parameters = parametersToApply(next);     // checked: the policy's check
            next = next.withVersion(previous.version() + 1);
            if (count != null) {
                next = count.apply(next);       // the agents where they now are
            }
            settings = next;
            if (switchOrdering != null) {
                switchOrdering.run();
            }
            if (parameters != null) {
                ((NamedParameters) next.orderingPolicy()).apply(parameters);
            }
            if (!next.tenantWeights().equals(previous.tenantWeights())) {
                figures.onTenantWeights(next.tenantWeights());
            }
            double[] capacities = next.capacities();
            for (int i = 0; i < capacities.length; i++) {
                if (capacities[i] > 0 && capacities[i] != agents[i].capacity) {
                    agents[i].setCapacity(capacities[i]);
                }
            }
            coordinator.startIfNeeded();
            coordinator.onReconfigured();
            if (actor == null) {
                LoggerFactory.getLogger(SchedulerState.class).info("scheduler {} reconfigured to version {}: {} changed",
                        name, next.version(), changed);
            } else {
                LoggerFactory.getLogger(SchedulerState.class).info("scheduler {} reconfigured to version {} by {}: {} changed",
                        name, next.version(), actor, changed);
            }
            return new SchedulerSettings.Change(previous, next, changed);
        }
    }

    /** The ordering parameters {@code next} sets that its policy does not have now, or null if none. */
    private static java.util.Map<String, String> parametersToApply(SchedulerSettings next) {
        if (!(next.orderingPolicy() instanceof NamedParameters)) {
            return null;
        }
        NamedParameters p = (NamedParameters) next.orderingPolicy();
        return p.parameters().equals(next.orderingParameters()) ? null : next.orderingParameters();
    }

    /** See {@link io.github.loadstar.core.Scheduler#optimizeTopology}. */
    public io.github.loadstar.core.metrics.TopologyDecision optimizeTopology(
            io.github.loadstar.core.TopologyConfig.Objective objective, boolean apply) {
        io.github.loadstar.core.TopologyConfig configured = settings.topology();
        if (objective == null && !configured.isOn()) {
            throw new IllegalStateException("no topology objective: give one, or set topology.objective (throughput or queue-latency-p99)");
        }
        io.github.loadstar.core.TopologyConfig used = objective == null ? configured
                : configured.toBuilder().objective(objective).build();
        return coordinator.topologyNow(used, apply);
    }

    /** See {@link io.github.loadstar.core.Scheduler#topologyDecisions()}. */
    public List<io.github.loadstar.core.metrics.TopologyDecision> topologyDecisions() {
        return coordinator.topologyDecisions();
    }

    /** See {@link io.github.loadstar.core.Scheduler#history()}. */
    public SchedulerHistory history() {
        return coordinator.history();
    }

    /** See {@link io.github.loadstar.core.Scheduler#metrics()}. */
    public SchedulerMetrics metrics() {
        return figures.collect();
    }

    long rejectedCount() {
        return rejected.sum();
    }

    long discardedCount() {
        return discarded.sum();
    }

    /**
     * One task in this many carries a latency timestamp: 1 under an ordering policy (which stamps
     * every task), else the configured interval (tasks with a deadline are stamped besides).
     */
    int samplingInterval() {
        return ordered ? 1 : sampleMask + 1;
    }

    @Override
    public String toString() {
        String[] states = {"RUNNING", "SHUTDOWN", "TIDYING", "STOP", "TERMINATED"};
        return "Scheduler[" + name + ", " + agents.length + " agents, " + states[runState] + "]";
    }
}
