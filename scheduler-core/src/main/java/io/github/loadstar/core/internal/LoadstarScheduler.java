package io.github.loadstar.core.internal;

import io.github.loadstar.core.AllAgentsOpen;
import io.github.loadstar.core.OrderingScope;
import io.github.loadstar.core.PinnedOnOpenAgent;
import io.github.loadstar.core.RejectionBehaviour;
import io.github.loadstar.core.Scheduler;
import io.github.loadstar.core.SchedulerListener;
import io.github.loadstar.core.TaskFuture;
import io.github.loadstar.core.TaskOptions;
import io.github.loadstar.core.metrics.AgentMetrics;
import io.github.loadstar.core.metrics.LatencySummary;
import io.github.loadstar.core.metrics.SchedulerMetrics;
import io.github.loadstar.core.metrics.TenantMetrics;
import io.github.loadstar.core.spi.AgentBreaker;
import io.github.loadstar.core.spi.AgentLoads;
import io.github.loadstar.core.spi.Backlog;
import io.github.loadstar.core.spi.OrderingPolicy;
import io.github.loadstar.core.spi.PlacementPolicy;
import io.github.loadstar.core.spi.StealPolicy;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.HdrHistogram.Histogram;
import org.jctools.queues.MessagePassingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * The scheduler: submission paths, lifecycle and metrics. Agent holds the worker loop.
 *
 * Design overview
 * ===============
 * Submission paths
 *   local    a plain Runnable submitted by one of this scheduler's running tasks is pushed onto
 *            the current agent's deque as it is: no wrapper, no clock read, no shared write
 *            (except one fence and a read of the idle counts when the deque was empty).
 *   external anything else is wrapped (RunnableTask or TaskFutureImpl, which carry the claim
 *            that settles a race with shutdown), placed by the PlacementPolicy into an agent's
 *            inbox (or its pinned queue, or the shared injection queue), and then an idle agent
 *            is signalled if nobody is searching.
 *
 * Run states, in order: RUNNING -> SHUTDOWN -> TIDYING -> TERMINATED, or any -> STOP -> TERMINATED.
 *   SHUTDOWN  external submissions are rejected; queued work and work spawned by running tasks
 *             continues.
 *   TIDYING   entered by the agent that, after shutdown, finds every agent idle and every queue
 *             empty; all agents then exit.
 *   STOP      shutdownNow: running tasks are interrupted, queued tasks are drained and returned.
 *   TERMINATED every agent thread has exited.
 *
 * A submission that races shutdown is settled by the task's claim: after enqueueing, the
 * submitter re-reads the run state (its enqueue and that read are sequentially consistent, and so
 * are the agents' exit checks); if the scheduler is shutting down it tries to claim its own task
 * back (QUEUED -> REJECTED) and throws RejectedExecutionException. If an agent started it first,
 * or shutdownNow returned it first, the claim fails and the submission stands. Every task is thus
 * run, returned or rejected exactly once.
 */

/** The runtime behind {@link Scheduler}. */
public final class LoadstarScheduler extends AbstractExecutorService implements Scheduler, AgentLoads {
    static final int RUNNING = 0;
    static final int SHUTDOWN = 1;
    static final int TIDYING = 2;
    static final int STOP = 3;
    static final int TERMINATED = 4;

    private static final Logger LOG = LoggerFactory.getLogger(LoadstarScheduler.class);
    /** The agent of the current thread, for threads made by a user's ThreadFactory. */
    private static final ThreadLocal<Agent> CURRENT = new ThreadLocal<>();
    private static final VarHandle RUN_STATE;

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
    final StealPolicy stealPolicy;
    final PlacementPolicy placementPolicy;
    final SchedulerListener listener;
    final boolean bounded;
    /** An ordering policy other than FIFO is in use: every task goes through a Backlog. */
    final boolean ordered;
    /** GLOBAL ordering scope: one backlog for all agents. */
    final boolean globalScope;
    final OrderingPolicy orderingPolicy;
    /** GLOBAL scope only: the shared backlog, its lock, and the queue submissions wait in. */
    final Backlog globalBacklog;
    final ReentrantLock globalLock;
    final MessagePassingQueue<Runnable> globalInbox;
    /** GLOBAL scope only: the shared backlog's size, published by the lock holder. */
    volatile long globalBacklogSize;
    /** Agents guarded by circuit breakers; the rules for open breakers. */
    final boolean breakers;
    private final boolean rejectWhenAllOpen;
    private final boolean failPinnedOnOpen;
    /** Agents suspended by an open breaker: not idle, yet taking no work (for quiescence). */
    private final AtomicInteger suspended = new AtomicInteger();
    /** Each agent's spare, made the first time its thread enters a blocking section. */
    private final AtomicReferenceArray<SpareAgent> spares;
    /** Spares that are needed or still running their own queue: the scheduler is not quiescent. */
    private final AtomicInteger activeSpares = new AtomicInteger();

    private final SchedulerConfig config;
    private final String name;
    private final boolean customThreads;
    private final long maxQueued;
    private final AtomicLong queued = new AtomicLong();
    private final RejectionBehaviour rejectionBehaviour;
    private final int sampleMask;
    private final int sampleShift;
    private final long startNanos;

    private volatile int runState;
    private volatile boolean drained;
    private final AtomicInteger liveAgents;
    private final CountDownLatch terminated = new CountDownLatch(1);

    private final ConcurrentHashMap<String, TenantStats> tenants = new ConcurrentHashMap<>();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder discarded = new LongAdder();
    private final LongAdder listenerErrors = new LongAdder();
    final StrategyFailures strategyFailures;
    private final AtomicBoolean listenerErrorLogged = new AtomicBoolean();

    private final ReentrantLock metricsLock = new ReentrantLock();
    private final Histogram cumulativeLatency = LatencyHistograms.newHistogram();
    private final Histogram[] recycledLatency;

    private LoadstarScheduler(SchedulerConfig config) {
        this.config = config;
        this.name = config.name();
        this.customThreads = config.threadFactory() != null;
        this.stealPolicy = config.stealPolicy();
        this.placementPolicy = config.placementPolicy();
        this.listener = CompositeListener.of(config.listeners());
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
        this.agents = new Agent[capacities.length];
        this.liveAgents = new AtomicInteger(capacities.length);
        this.spares = new AtomicReferenceArray<>(capacities.length);
        this.recycledLatency = new Histogram[capacities.length];
        this.startNanos = System.nanoTime();
        for (int i = 0; i < capacities.length; i++) {
            Backlog backlog = ordered && !globalScope
                    ? new GuardedBacklog(orderingPolicy.newBacklog(), strategyFailures) : null;
            AgentBreaker breaker = breakers ? config.agentBreakers().create(i, name + "-agent-" + i) : null;
            if (breakers && breaker == null) {
                throw new IllegalStateException("agentBreakers returned null for agent " + i);
            }
            agents[i] = new Agent(this, i, capacities[i], config.idleStrategy().get(), config.spinRounds(),
                    config.stealBatchLimit(), startNanos, backlog,
                    breaker == null ? null : new GuardedBreaker(breaker, strategyFailures));
            if (breaker != null) {
                Agent agent = agents[i];
                breaker.onTransition(agent::onBreakerTransition);
            }
        }
        this.idle = new IdleControl(agents);
    }

    /**
     * Creates and starts a scheduler.
     *
     * @throws IllegalStateException if a thread cannot be created; threads already started are stopped
     */
    public static LoadstarScheduler start(SchedulerConfig config) {
        LoadstarScheduler scheduler = new LoadstarScheduler(config);
        Thread[] threads = new Thread[scheduler.agents.length];
        try {
            for (int i = 0; i < threads.length; i++) {
                Thread t = scheduler.newThread(scheduler.agents[i]);
                if (t == null) {
                    throw new IllegalStateException("threadFactory returned null for agent " + i);
                }
                scheduler.agents[i].thread = t;
                threads[i] = t;
            }
        } catch (RuntimeException | Error e) {
            throw new IllegalStateException("cannot create the threads of scheduler " + config.name(), e);
        }
        for (int i = 0; i < threads.length; i++) {
            try {
                threads[i].start();
            } catch (RuntimeException | Error e) {
                // "unable to create native thread" surfaces here, not in the factory: stop the
                // agents already started, so no thread outlives the failed build
                scheduler.abortStart(i);
                throw new IllegalStateException("cannot start the threads of scheduler " + config.name(), e);
            }
        }
        LOG.info("scheduler {} started: {} agents, ordering {} ({}), placement {}, steal {}, {}",
                config.name(), threads.length, config.orderingPolicy().name(), config.orderingScope(),
                config.placementPolicy().name(), config.stealPolicy().name(),
                scheduler.bounded ? "at most " + config.maxQueuedTasks() + " queued, " + config.rejectionBehaviour()
                        : "unbounded");
        return scheduler;
    }

    /** Stops a scheduler whose first {@code started} threads started and the next one did not. */
    private void abortStart(int started) {
        shutdownNow();
        for (int i = 0; i < started; i++) {
            try {
                agents[i].thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private Thread newThread(Agent agent) {
        if (customThreads) {
            return config.threadFactory().newThread(agent);
        }
        return new AgentThread(agent, config.threadNamePrefix() + agent.index, config.daemon());
    }

    // ================================================================ submission

    @Override
    public void execute(Runnable command) {
        Objects.requireNonNull(command, "task");
        Agent local = localAgent();
        if (command instanceof TaskFutureImpl) {
            TaskFutureImpl<?> future = (TaskFutureImpl<?>) command;
            submitTask(future, future.options, future, local);
        } else if (local != null && !ordered) {
            spawnLocal(command, local);
        } else {
            submitTask(wrap(command, TaskOptions.DEFAULT), TaskOptions.DEFAULT, command, local);
        }
    }

    @Override
    public void execute(Runnable task, TaskOptions options) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(options, "options");
        Agent local = localAgent();
        if (options == TaskOptions.DEFAULT && local != null && !ordered && !(task instanceof TaskFutureImpl)) {
            spawnLocal(task, local);
        } else {
            submitTask(wrap(task, options), options, task, local);
        }
    }

    @Override
    public <T> TaskFuture<T> submit(Callable<T> task, TaskOptions options) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(options, "options");
        TaskFutureImpl<T> future = new TaskFutureImpl<>(task, options, this);
        submitTask(future, options, future, localAgent());
        return future;
    }

    @Override
    public TaskFuture<?> submit(Runnable task, TaskOptions options) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(options, "options");
        TaskFutureImpl<Object> future = new TaskFutureImpl<>(task, null, options, this);
        submitTask(future, options, future, localAgent());
        return future;
    }

    @Override
    public <T> TaskFuture<T> submit(Callable<T> task) {
        return submit(task, TaskOptions.DEFAULT);
    }

    @Override
    public TaskFuture<?> submit(Runnable task) {
        return submit(task, TaskOptions.DEFAULT);
    }

    @Override
    public <T> TaskFuture<T> submit(Runnable task, T result) {
        Objects.requireNonNull(task, "task");
        TaskFutureImpl<T> future = new TaskFutureImpl<>(task, result, TaskOptions.DEFAULT, this);
        submitTask(future, TaskOptions.DEFAULT, future, localAgent());
        return future;
    }

    @Override
    protected <T> TaskFutureImpl<T> newTaskFor(Runnable runnable, T value) {
        return new TaskFutureImpl<>(runnable, value, TaskOptions.DEFAULT, this);
    }

    @Override
    protected <T> TaskFutureImpl<T> newTaskFor(Callable<T> callable) {
        return new TaskFutureImpl<>(callable, TaskOptions.DEFAULT, this);
    }

    /** From one of this scheduler's tasks, helps while it waits (see HelpingWait); else as usual. */
    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException {
        Agent self = localAgent();
        if (self == null) {
            return super.invokeAny(tasks);
        }
        try {
            return HelpingWait.invokeAny(this, self, tasks, false, 0L);
        } catch (TimeoutException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /** From one of this scheduler's tasks, helps while it waits (see HelpingWait); else as usual. */
    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        Agent self = localAgent();
        if (self == null) {
            return super.invokeAny(tasks, timeout, unit);
        }
        return HelpingWait.invokeAny(this, self, tasks, true, System.nanoTime() + unit.toNanos(timeout));
    }

    /** A plain Runnable's wrapper: with an ordering policy's slots only when a policy needs them. */
    private RunnableTask wrap(Runnable task, TaskOptions options) {
        return ordered ? new OrderedRunnableTask(task, options) : new RunnableTask(task, options);
    }

    /** The fast path: a plain Runnable spawned by a running task of this scheduler, kept local. */
    private void spawnLocal(Runnable command, Agent local) {
        if (runState >= STOP) {
            throw reject(command, "scheduler " + name + " is stopping");
        }
        if (bounded && !tryAcquireQueuedSlot()) {
            boundReached(command, command);
            return;
        }
        Runnable item = command;
        if (local.sampleSpawn(sampleMask)) {
            RunnableTask timed = new RunnableTask(command, TaskOptions.DEFAULT);
            timed.stamp(System.nanoTime());
            item = timed;
        }
        local.pushLocal(item);
        if (listener != null) {
            fireSubmitted(command, TaskOptions.DEFAULT, local.index);
        }
    }

    /**
     * Queues a wrapped task (RunnableTask or TaskFutureImpl).
     *
     * @param local the current thread's agent of this scheduler, or null
     */
    private void submitTask(Runnable task, TaskOptions options, Object userTask, Agent local) {
        int affinity = options.affinity();
        if (affinity >= agents.length) {
            throw new IllegalArgumentException("options.affinity " + affinity + " is not an agent of "
                    + name + " (agents 0.." + (agents.length - 1) + ")");
        }
        int state = runState;
        if (state != RUNNING && (local == null || state >= STOP)) {
            throw reject(userTask, "scheduler " + name + " is shut down");
        }
        if (bounded && !tryAcquireQueuedSlot()) {
            boundReached(task, userTask);
            return;
        }
        ThreadLocalRandom draws = ThreadLocalRandom.current();
        int random = draws.nextInt();
        // the sample has its own draw: placement may use any bits of `random`, and a sample must
        // not depend on where the task goes
        if (ordered || options.hasDeadline() || sampled(draws)) {
            // an ordering policy needs every task's submission time (deadlines, aging, latency)
            stamp(task, System.nanoTime());
        }
        if (options.tenant() != null) {
            tenantStats(options);     // registers the tenant at its first submission
        }
        long extraCost = options.cost() - 1;
        Agent target;
        boolean sharedQueue = true;
        if (globalScope && affinity < 0) {
            target = null;
            globalInbox.offer(task);
        } else if (affinity >= 0) {
            target = agents[affinity];
            if (breakers && failPinnedOnOpen && !target.accepting) {
                if (bounded) {
                    releaseQueuedSlot();
                }
                throw reject(userTask, "agent " + affinity + " of scheduler " + name + " has an open circuit breaker"
                        + " and the task is pinned to it");
            }
            target.addExtraCost(extraCost);
            // under a per-agent policy a pinned task is ordered with the rest (thieves skip it)
            (ordered && !globalScope ? target.inbox : target.pinned).offer(task);
        } else if (local != null && ordered) {
            target = local;
            local.addExtraCost(extraCost);
            local.inbox.offer(task);
        } else if (local != null) {
            target = local;
            local.addExtraCost(extraCost);
            local.pushLocal(task);
            sharedQueue = false;
        } else {
            int i = place(options, random);
            if (i >= 0 && i < agents.length) {
                target = agents[i];
                target.addExtraCost(extraCost);
                target.inbox.offer(task);
            } else {
                if (breakers && rejectWhenAllOpen && !anyAgentAccepting()) {
                    if (bounded) {
                        releaseQueuedSlot();
                    }
                    throw reject(userTask, allOpenMessage());
                }
                target = null;
                global.offer(task);
            }
        }
        if (sharedQueue) {
            // Re-read the run state after the (sequentially consistent) enqueue; see the overview.
            int after = runState;
            if ((after >= STOP || (local == null && after != RUNNING)) && tryClaim(task, TaskClaim.REJECTED)) {
                if (target != null) {
                    target.addExtraCost(-extraCost);
                }
                if (bounded) {
                    releaseQueuedSlot();
                }
                throw reject(userTask, "scheduler " + name + " is shut down");
            }
            if (affinity >= 0) {
                idle.signalAgent(target);
            } else {
                idle.signal(target);
            }
        }
        if (listener != null) {
            fireSubmitted(userTask, options, target == null ? PlacementPolicy.ANY_AGENT : target.index);
        }
    }

    /** The placement policy's choice; a policy that throws places the task on no agent in particular. */
    private int place(TaskOptions options, int random) {
        try {
            return placementPolicy.place(options, this, random);
        } catch (Throwable t) {
            strategyFailures.failed(StrategyFailures.PLACEMENT, "place", "the task goes to the shared queue", t);
            return PlacementPolicy.ANY_AGENT;
        }
    }

    private boolean anyAgentAccepting() {
        for (Agent a : agents) {
            if (a.accepting) {
                return true;
            }
        }
        return false;
    }

    private String allOpenMessage() {
        long earliest = Long.MAX_VALUE;
        for (Agent a : agents) {
            earliest = Math.min(earliest, a.breaker.nanosUntilTrials());
        }
        return "every agent's circuit breaker of scheduler " + name + " is open"
                + (earliest == Long.MAX_VALUE ? "" : "; the earliest lets trials through in "
                + TimeUnit.NANOSECONDS.toMillis(earliest) + " ms");
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

    int suspendedAgents() {
        return suspended.get();
    }

    /** An agent enters or leaves suspension; entering may complete quiescence after shutdown. */
    void agentSuspended(Agent agent, boolean entering) {
        if (!entering) {
            suspended.decrementAndGet();
            return;
        }
        suspended.incrementAndGet();
        checkQuiescentWhileSuspended();
    }

    /**
     * A suspended agent after shutdown: if every agent is idle or suspended and no work is queued,
     * the scheduler can terminate without waiting for any breaker to half-open.
     */
    void checkQuiescentWhileSuspended() {
        if (runState == SHUTDOWN && suspended.get() + idle.idleCount() >= agents.length && !hasQueuedWork()) {
            onQuiescent();
        }
    }

    private boolean sampled(ThreadLocalRandom draws) {
        return sampleMask == 0 || (draws.nextInt() >>> sampleShift) == 0;
    }

    static void stamp(Runnable task, long nanos) {
        if (task instanceof RunnableTask) {
            ((RunnableTask) task).stamp(nanos);
        } else {
            ((TaskFutureImpl<?>) task).stamp(nanos);
        }
    }

    private static boolean tryClaim(Runnable task, int state) {
        if (task instanceof RunnableTask) {
            return ((RunnableTask) task).tryClaim(state);
        }
        if (task instanceof TaskFutureImpl) {
            return ((TaskFutureImpl<?>) task).tryClaim(state);
        }
        return true;    // a plain Runnable has no other claimant once it is out of its queue
    }

    /** Cost beyond the first unit that {@code task} adds to its agent's load. */
    static long extraCostOf(Runnable task) {
        if (task instanceof RunnableTask) {
            return ((RunnableTask) task).options.cost() - 1;
        }
        if (task instanceof TaskFutureImpl) {
            return ((TaskFutureImpl<?>) task).options.cost() - 1;
        }
        return 0;
    }

    /** The counters of the options' tenant (which must not be null), created at first use. */
    TenantStats tenantStats(TaskOptions options) {
        String key = options.tenant();
        TenantStats stats = tenants.get(key);
        if (stats == null) {
            double weight = options.tenantWeight();
            stats = tenants.computeIfAbsent(key, k -> new TenantStats(k, weight));
        }
        return stats;
    }

    private RejectedExecutionException reject(Object task, String why) {
        rejected.increment();
        return new RejectedExecutionException(why + "; rejected " + task);
    }

    private boolean tryAcquireQueuedSlot() {
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

    /** The queue bound is reached: apply the rejection behaviour. */
    private void boundReached(Runnable task, Object userTask) {
        switch (rejectionBehaviour) {
            case CALLER_RUNS:
                if (task instanceof RunnableTask) {
                    ((RunnableTask) task).delegate.run();
                } else {
                    task.run();
                }
                return;
            case DISCARD:
                discarded.increment();
                if (task instanceof TaskFutureImpl) {
                    ((TaskFutureImpl<?>) task).cancel(false);
                }
                return;
            case ABORT:
            default:
                throw reject(userTask, "scheduler " + name + " has " + maxQueued + " queued tasks (its bound)");
        }
    }

    /** See {@link Scheduler#managedBlock}: the entry from the API package. */
    public static void managedBlock(ForkJoinPool.ManagedBlocker blocker) throws InterruptedException {
        SpareAgent.managedBlock(blocker);
    }

    /** The agent (or spare) of the current thread, of whichever scheduler, or null. */
    static Agent currentAgent() {
        Thread t = Thread.currentThread();
        return t instanceof AgentThread ? ((AgentThread) t).agent : CURRENT.get();
    }

    // ================================================================ spares (see SpareAgent)

    /** {@code agent}'s spare, made on first use. Called by the agent's own thread only. */
    SpareAgent spareFor(Agent agent) {
        SpareAgent spare = spares.get(agent.index);
        if (spare == null) {
            Backlog backlog = agent.backlog == null ? null
                    : new GuardedBacklog(orderingPolicy.newBacklog(), strategyFailures);
            spare = new SpareAgent(this, Agent.spareFor(agent, backlog));
            spares.set(agent.index, spare);
        }
        return spare;
    }

    /** Starts a spare's thread, counted as a live agent; null (and logged) if none can be had. */
    Thread startSpareThread(SpareAgent spare) {
        if (runState >= STOP) {
            return null;
        }
        liveAgents.incrementAndGet();   // from a live agent's thread: the count is not zero
        Thread t = null;
        try {
            t = customThreads ? config.threadFactory().newThread(spare)
                    : new AgentThread(spare.agent, spare, config.threadNamePrefix() + spare.agent.index + "-spare",
                            config.daemon());
            if (t != null) {
                t.start();
                return t;
            }
        } catch (Throwable e) {
            LOG.warn("scheduler {}: no spare thread for agent {}: {}; its blocking section runs without one",
                    name, spare.agent.index, e.toString());
        }
        onAgentExit(spare.agent);
        return null;
    }

    /** A spare became active (needed, or running its own queue) or inactive. */
    void spareActive(boolean active) {
        if (active) {
            activeSpares.incrementAndGet();
            return;
        }
        activeSpares.decrementAndGet();
        // the last agent to go idle may have found this spare active and left the shutdown to it
        if (runState == SHUTDOWN && idle.idleCount() + suspended.get() >= agents.length && !hasQueuedWork()) {
            onQuiescent();
        }
    }

    private void unparkSpares() {
        for (int i = 0; i < agents.length; i++) {
            SpareAgent spare = spares.get(i);
            if (spare != null) {
                IdleControl.unpark(spare.thread());
            }
        }
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

    // ================================================================ agent lifecycle

    int runState() {
        return runState;
    }

    void onAgentThreadStart(Agent agent, Thread thread) {
        if (customThreads) {
            CURRENT.set(agent);
        }
        agent.markRunning();
    }

    /**
     * An Error escaped a task on {@code agent}. Starts a new thread for the agent and returns true,
     * or returns false (and reports the error) if the old thread must carry on.
     */
    boolean replaceThread(Agent agent, Thread dead, Throwable error) {
        Thread replacement = null;
        if (runState < STOP) {
            try {
                replacement = newThread(agent);
            } catch (Throwable t) {
                error.addSuppressed(t);
            }
        }
        if (replacement == null) {
            LOG.error("scheduler {}: agent {} thread {} failed with {}; no replacement thread, it carries on",
                    name, agent.index, dead.getName(), error.toString());
            fireAgentReplaced(agent.index, dead, null, error);
            try {
                dead.getUncaughtExceptionHandler().uncaughtException(dead, error);
            } catch (Throwable ignored) {
                // the handler's failure must not stop the agent
            }
            return false;
        }
        agent.thread = replacement;
        try {
            replacement.start();
        } catch (Throwable t) {
            agent.thread = dead;
            error.addSuppressed(t);
            LOG.error("scheduler {}: agent {} thread {} failed with {}; replacement could not start, it carries on",
                    name, agent.index, dead.getName(), error.toString());
            return false;
        }
        LOG.warn("scheduler {}: agent {} thread {} died of {}; replaced by {}",
                name, agent.index, dead.getName(), error.toString(), replacement.getName());
        fireAgentReplaced(agent.index, dead, replacement, error);
        return true;
    }

    void onAgentExit(Agent agent) {
        if (customThreads) {
            CURRENT.remove();
        }
        if (liveAgents.decrementAndGet() == 0) {
            runState = TERMINATED;
            terminated.countDown();
            LOG.info("scheduler {} terminated", name);
        }
    }

    /** An agent about to park found every agent idle and no work queued. */
    void onQuiescent() {
        if (runState == SHUTDOWN && activeSpares.get() == 0 && !hasQueuedWork() && casRunState(SHUTDOWN, TIDYING)) {
            idle.wakeAll();
            unparkSpares();
            if (breakers) {
                for (Agent a : agents) {
                    IdleControl.unpark(a.thread);   // suspended agents sleep outside the idle protocol
                }
            }
        }
    }

    private boolean casRunState(int expect, int update) {
        return RUN_STATE.compareAndSet(this, expect, update);
    }

    /**
     * Called by an agent going idle that leaves no searcher (and by the last agent to go idle):
     * makes sure queued work has an agent that will run it. Work in an agent's own queues can always
     * be run by that agent, so an idle owner is woken — not the caller, which may be unable to steal
     * it (a steal threshold, a policy that skips the owner); work behind a <em>busy</em> owner is the
     * caller's to steal if its policy allows (see {@code Agent.stealableFromBusyAgent}). Work in the
     * global queue may be run by anyone.
     *
     * @return whether any work is queued anywhere
     */
    boolean wakeOwnersOfQueuedWork() {
        boolean found = false;
        for (Agent a : agents) {
            if (a.backlog() > 0) {
                found = true;
                if (a.isIdle()) {
                    idle.signalAgent(a);
                }
            }
        }
        if (!global.isEmpty() || hasGlobalOrderedWork()) {
            found = true;
            idle.wakeOne();
        }
        return found;
    }

    /** GLOBAL scope: work waiting in the shared backlog or on its way there. */
    boolean hasGlobalOrderedWork() {
        return globalScope && (!globalInbox.isEmpty() || globalBacklogSize > 0);
    }

    /** Any task queued anywhere (deques, inboxes, pinned queues, the global queue). */
    boolean hasQueuedWork() {
        if (!global.isEmpty() || hasGlobalOrderedWork()) {
            return true;
        }
        for (Agent a : agents) {
            if (a.backlog() > 0) {
                return true;
            }
        }
        return false;
    }

    /** Blocks an agent until shutdownNow has drained the queues. */
    void awaitDrained() {
        while (!drained && runState == STOP) {
            LockSupport.parkNanos(this, 100_000L);
        }
    }

    @Override
    public void shutdown() {
        for (;;) {
            int s = runState;
            if (s != RUNNING) {
                return;
            }
            if (casRunState(RUNNING, SHUTDOWN)) {
                break;
            }
        }
        LOG.info("scheduler {} shutting down", name);
        // parked agents re-check for quiescence
        idle.wakeAll();
        if (breakers) {
            for (Agent a : agents) {
                IdleControl.unpark(a.thread);   // and so do agents suspended by an open breaker
            }
        }
    }

    @Override
    public List<Runnable> shutdownNow() {
        boolean first = false;
        for (;;) {
            int s = runState;
            if (s >= STOP) {
                break;
            }
            if (casRunState(s, STOP)) {
                first = true;
                break;
            }
        }
        List<Runnable> returned = new ArrayList<>();
        if (!first) {
            return returned;
        }
        LOG.info("scheduler {} stopping now", name);
        List<Agent> all = agentsAndSpares();
        for (Agent a : all) {
            Thread t = a.spare ? spares.get(a.index).thread() : a.thread;
            if (t != null && t != Thread.currentThread()) {
                t.interrupt();
            }
        }
        idle.wakeAll();
        // 1. no inbox or pinned transfer can start (or be under way) once every claim is ours
        for (Agent a : all) {
            a.acquireClaimForever();
        }
        // 2. deque-to-deque steals set `transferring` before they look at the run state
        for (Agent a : all) {
            while (a.isTransferring()) {
                Thread.onSpinWait();
            }
        }
        // 3. nothing is in flight: drain every queue
        long now = System.nanoTime();
        for (Agent a : all) {
            drainQueue(a, a.pinned::poll, returned);
            drainQueue(a, a.inbox::poll, returned);
            drainDeque(a, returned);
            if (a.backlog != null) {
                drainQueue(a, () -> (Runnable) a.backlog.poll(now), returned);
                a.publishOrderedSize(0);
            }
        }
        drainQueue(null, global::poll, returned);
        if (globalScope) {
            globalLock.lock();
            try {
                drainQueue(null, globalInbox::poll, returned);
                drainQueue(null, () -> (Runnable) globalBacklog.poll(now), returned);
                globalBacklogSize = 0;
            } finally {
                globalLock.unlock();
            }
        }
        drained = true;
        for (Agent a : agents) {
            IdleControl.unpark(a.thread);
        }
        unparkSpares();
        LOG.info("scheduler {} returned {} queued tasks", name, returned.size());
        return returned;
    }

    /** The agents, then the spares made so far (a spare made later takes nothing: STOP is set). */
    private List<Agent> agentsAndSpares() {
        List<Agent> all = new ArrayList<>(List.of(agents));
        for (int i = 0; i < agents.length; i++) {
            SpareAgent spare = spares.get(i);
            if (spare != null) {
                all.add(spare.agent);
            }
        }
        return all;
    }

    private interface Poller {
        Runnable poll();
    }

    private void drainQueue(Agent from, Poller queue, List<Runnable> into) {
        Runnable task;
        while ((task = queue.poll()) != null) {
            giveBack(from, task, into);
        }
    }

    private void drainDeque(Agent from, List<Runnable> into) {
        for (;;) {
            Runnable task = from.deque.steal();
            if (task != null) {
                giveBack(from, task, into);
            } else if (from.deque.isEmpty()) {
                return;
            }
        }
    }

    private void giveBack(Agent from, Runnable task, List<Runnable> into) {
        if (!tryClaim(task, TaskClaim.RETURNED)) {
            // its submitter took it back, or a waiter ran it (then the entry still carried its cost)
            if (from != null && task instanceof TaskFutureImpl && ((TaskFutureImpl<?>) task).runByWaiter()) {
                from.addExtraCost(-extraCostOf(task));
            }
            return;
        }
        if (from != null) {
            from.addExtraCost(-extraCostOf(task));
        }
        if (bounded) {
            releaseQueuedSlot();
        }
        into.add(task instanceof RunnableTask ? ((RunnableTask) task).delegate : task);
    }

    @Override
    public boolean isShutdown() {
        return runState >= SHUTDOWN;
    }

    @Override
    public boolean isTerminated() {
        return runState == TERMINATED;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        Objects.requireNonNull(unit, "unit");
        return terminated.await(timeout, unit);
    }

    @Override
    public void close() {
        if (isTerminated()) {
            return;
        }
        shutdown();
        if (localAgent() != null) {
            return;     // waiting here would wait for this very task
        }
        boolean interrupted = false;
        while (!isTerminated()) {
            try {
                awaitTermination(1, TimeUnit.DAYS);
            } catch (InterruptedException e) {
                if (!interrupted) {
                    shutdownNow();
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
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
        return agents[agent].capacity;
    }

    @Override
    public double load(int agent) {
        return agents[agent].load();
    }

    @Override
    public boolean accepting(int agent) {
        return agents[agent].accepting;
    }

    @Override
    public String name() {
        return name;
    }

    // ================================================================ metrics

    @Override
    public SchedulerMetrics metrics() {
        metricsLock.lock();
        try {
            long now = System.nanoTime();
            List<AgentMetrics> perAgent = new ArrayList<>(agents.length);
            for (int i = 0; i < agents.length; i++) {
                Agent a = agents[i];
                SpareAgent spare = spares.get(i);
                perAgent.add(a.snapshot(now, spare == null ? null : spare.agent));
                Histogram interval = a.latency.getIntervalHistogram(recycledLatency[i]);
                cumulativeLatency.add(interval);
                recycledLatency[i] = interval;
                if (spare != null) {
                    cumulativeLatency.add(spare.agent.latency.getIntervalHistogram());
                }
            }
            List<TenantMetrics> perTenant = new ArrayList<>(tenants.size());
            for (TenantStats t : tenants.values()) {
                perTenant.add(t.snapshot());
            }
            perTenant.sort(Comparator.comparing(TenantMetrics::tenant));
            Histogram h = cumulativeLatency;
            LatencySummary latency = h.getTotalCount() == 0
                    ? LatencySummary.empty(sampleMask + 1)
                    : new LatencySummary(h.getTotalCount(), sampleMask + 1,
                            h.getValueAtPercentile(50), h.getValueAtPercentile(90), h.getValueAtPercentile(99),
                            h.getValueAtPercentile(99.9), h.getMaxValue(), h.getMean());
            long shared = global.size();
            if (globalScope) {
                shared += globalInbox.size() + globalBacklogSize;
            }
            return new SchedulerMetrics(now - startNanos, perAgent, perTenant, latency,
                    rejected.sum(), discarded.sum(), listenerErrors.sum(),
                    strategyFailures.count(), shared);
        } finally {
            metricsLock.unlock();
        }
    }

    // ================================================================ listener events

    void fireSubmitted(Object task, TaskOptions options, int agent) {
        try {
            listener.onSubmitted(task, options, agent);
        } catch (Throwable t) {
            listenerFailed(t);
        }
    }

    void fireStarted(Object task, int agent) {
        try {
            listener.onStarted(task, agent);
        } catch (Throwable t) {
            listenerFailed(t);
        }
    }

    void fireCompleted(Object task, int agent, long runNanos) {
        try {
            listener.onCompleted(task, agent, runNanos);
        } catch (Throwable t) {
            listenerFailed(t);
        }
    }

    void fireFailed(Object task, int agent, Throwable error) {
        try {
            listener.onFailed(task, agent, error);
        } catch (Throwable t) {
            listenerFailed(t);
        }
    }

    void fireStolen(int thief, int victim, int count, Runnable[] tasks) {
        try {
            listener.onStolen(thief, victim, count);
            for (int i = 0; i < count; i++) {
                Runnable task = tasks[i];
                listener.onMigrated(task instanceof RunnableTask ? ((RunnableTask) task).delegate : task, victim, thief);
            }
        } catch (Throwable t) {
            listenerFailed(t);
        }
    }

    void fireBreakerTransition(int agent, String from, String to, String reason) {
        if (listener == null) {
            return;
        }
        try {
            listener.onBreakerTransition(agent, from, to, reason);
        } catch (Throwable t) {
            listenerFailed(t);
        }
    }

    void fireMigrated(Runnable task, int from, int to) {
        try {
            listener.onMigrated(task instanceof RunnableTask ? ((RunnableTask) task).delegate : task, from, to);
        } catch (Throwable t) {
            listenerFailed(t);
        }
    }

    private void fireAgentReplaced(int agent, Thread dead, Thread replacement, Throwable cause) {
        if (listener == null) {
            return;
        }
        try {
            listener.onAgentReplaced(agent, dead, replacement, cause);
        } catch (Throwable t) {
            listenerFailed(t);
        }
    }

    private void listenerFailed(Throwable t) {
        listenerErrors.increment();
        if (listenerErrorLogged.compareAndSet(false, true)) {
            LOG.warn("scheduler {}: a listener threw (logged once; counted in metrics().listenerErrors())", name, t);
        }
    }

    @Override
    public String toString() {
        String[] states = {"RUNNING", "SHUTDOWN", "TIDYING", "STOP", "TERMINATED"};
        return "Scheduler[" + name + ", " + agents.length + " agents, " + states[runState] + "]";
    }
}
