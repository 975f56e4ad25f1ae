package io.github.loadstar.core.internal;

import io.github.loadstar.core.SchedulerListener;
import io.github.loadstar.core.metrics.AgentState;
import io.github.loadstar.core.spi.AgentBreaker;
import io.github.loadstar.core.spi.Backlog;
import io.github.loadstar.core.spi.QueuedTask;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.SingleWriterRecorder;
import org.agrona.concurrent.IdleStrategy;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.QueueProgressIndicators;

/*
 * An agent's state: its queues, its counters, the fields every part of its work reads, and the
 * few operations they all share (the claim, the figures). The parts of the work are layered on top
 * in one class each, every one extending the last, so that all of them run on the agent object
 * itself, with no indirection on the hot path:
 *
 *   AgentLayout    the padded field groups, by the set of threads that writes each
 *   AgentBase      this file: final fields, VarHandles, claims, figures (read as a metrics value
 *                  by AgentSnapshot)
 *   AgentRunning   running a task and its accounting
 *   AgentGuard     the circuit breaker around the agent: permits, reroutes, suspension
 *   AgentOrdered   dispatch and stealing under an ordering policy
 *   AgentStealing  the FIFO queues: the inbox, local spawns, steals
 *   AgentSearch    out of work: search, the sweep, the hand-off to IdleControl's park
 *   Agent          the thread body: one loop per mode, helping waits, the spare's loop
 *
 * Counters are single-writer (the owner, opaque stores) except the few that thieves and producers
 * add to, which live on their own cache line. Busy time is measured per streak — one clock read
 * when the owner runs out of local work and one when it finds more — not per task.
 */

/** The state of one worker of a {@link LoadstarScheduler}; see the layers above. */
abstract class AgentBase extends AgentPad5 {
    static final int FAIRNESS_MASK = 63;
    static final int INBOX_BATCH = 32;
    /** Placement hints are republished after at most this many inbox tasks (a power of two). */
    static final int HINT_INTERVAL = 16;

    static final VarHandle CLAIM;
    static final VarHandle PARK_STATE;
    static final VarHandle TRANSFERRING;
    static final VarHandle CONSUMED_HINT;
    static final VarHandle LOCAL_HINT;
    static final VarHandle STEALS_OUT;
    static final VarHandle MIGRATED_OUT;
    static final VarHandle EXTRA_COST;
    static final VarHandle COMPLETED;
    static final VarHandle FAILED;
    static final VarHandle CANCELLED;
    static final VarHandle STEALS_IN;
    static final VarHandle MIGRATED_IN;
    static final VarHandle PARKS;
    static final VarHandle BUSY_NANOS;
    static final VarHandle BUSY_START;
    static final VarHandle REBALANCE_ORDER;
    static final VarHandle RUNNING;
    static final VarHandle BREAKER_TRANSITIONS;
    static final VarHandle REROUTED;
    static final VarHandle ORDERED_SIZE;
    static final VarHandle LATE_STARTS;
    static final VarHandle DEADLINE_MISSES;
    static final VarHandle ACTIVITY;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            CLAIM = l.findVarHandle(AgentClaimFields.class, "claim", long.class);
            PARK_STATE = l.findVarHandle(AgentParkFields.class, "parkState", long.class);
            TRANSFERRING = l.findVarHandle(AgentParkFields.class, "transferring", long.class);
            CONSUMED_HINT = l.findVarHandle(AgentPlacementFields.class, "consumedHint", long.class);
            LOCAL_HINT = l.findVarHandle(AgentPlacementFields.class, "localHint", long.class);
            STEALS_OUT = l.findVarHandle(AgentSharedCounters.class, "stealsOut", long.class);
            MIGRATED_OUT = l.findVarHandle(AgentSharedCounters.class, "migratedOut", long.class);
            EXTRA_COST = l.findVarHandle(AgentPlacementFields.class, "extraCost", long.class);
            COMPLETED = l.findVarHandle(AgentOwnerFields.class, "completed", long.class);
            FAILED = l.findVarHandle(AgentOwnerFields.class, "failed", long.class);
            CANCELLED = l.findVarHandle(AgentOwnerFields.class, "cancelled", long.class);
            STEALS_IN = l.findVarHandle(AgentOwnerFields.class, "stealsIn", long.class);
            MIGRATED_IN = l.findVarHandle(AgentOwnerFields.class, "migratedIn", long.class);
            PARKS = l.findVarHandle(AgentOwnerFields.class, "parks", long.class);
            BUSY_NANOS = l.findVarHandle(AgentOwnerFields.class, "busyNanos", long.class);
            BUSY_START = l.findVarHandle(AgentOwnerFields.class, "busyStart", long.class);
            REBALANCE_ORDER = l.findVarHandle(AgentOwnerFields.class, "rebalanceOrder", long.class);
            RUNNING = l.findVarHandle(AgentOwnerFields.class, "running", long.class);
            BREAKER_TRANSITIONS = l.findVarHandle(AgentSharedCounters.class, "breakerTransitions", long.class);
            REROUTED = l.findVarHandle(AgentOwnerFields.class, "rerouted", long.class);
            ORDERED_SIZE = l.findVarHandle(AgentPlacementFields.class, "orderedSize", long.class);
            LATE_STARTS = l.findVarHandle(AgentOwnerFields.class, "lateStarts", long.class);
            DEADLINE_MISSES = l.findVarHandle(AgentOwnerFields.class, "deadlineMisses", long.class);
            ACTIVITY = l.findVarHandle(AgentOwnerFields.class, "activity", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Whether this is a spare, running for agent {@link #index} while that agent's thread blocks. */
    final boolean spare;
    /** Read on every placement; written only when the agent stops or resumes accepting work. */
    volatile boolean accepting;
    /** The agent's current thread; replaced if it dies. */
    volatile Thread thread;
    final int index;
    /** Its relative speed; changed by reconfiguration (under the scheduler's reconfiguration lock). */
    volatile double capacity;
    /**
     * A remote agent's measured speed among the remote agents (RemoteSpeed, from its
     * tasks' round trips), multiplying its capacity for placement; 1 for a local agent.
     */
    volatile double speed = 1.0;
    /** 1 / (capacity × speed): what load() multiplies by. */
    private volatile double inverseCapacity;
    /**
     * Whether the agent is in the scheduler (see AgentRemoval): {@link AgentRemoval#ACTIVE},
     * {@code DRAINING}, {@code DRAINED} (its thread is leaving) or {@code OFFLINE} (no thread; the
     * slot can take a new agent). Written under the reconfiguration lock or by the agent's own thread.
     */
    volatile int membership;
    /** Whether a thread has ever run this agent (the metrics list only such slots). */
    volatile boolean everStarted;
    /** Submissions of tasks pinned to this agent between their membership check and their enqueue. */
    volatile int pinnedInFlight;
    final LoadstarScheduler scheduler;
    final WorkStealingDeque deque = new WorkStealingDeque();
    final MessagePassingQueue<Runnable> inbox = Queues.mpsc(1024);
    /** The inbox's producer and consumer indices (the same object as {@link #inbox}). */
    final QueueProgressIndicators inboxIndices = (QueueProgressIndicators) inbox;
    final MessagePassingQueue<Runnable> pinned = Queues.mpsc(256);
    final SingleWriterRecorder latency = LatencyHistograms.newRecorder();
    final long startNanos;
    /** Under a per-agent ordering policy: this agent's backlog, used only under its claim. */
    final GuardedBacklog backlog;
    final boolean ordered;
    final boolean globalScope;
    /** Under an ordering policy: the last task run, whose accounting waits for the next dispatch. */
    QueuedTask pendingFinish;
    GuardedBacklog pendingBacklog;
    long pendingRunNanos;
    /** The start token of {@link #pendingFinish} (GuardedBacklog.onStart). */
    long pendingToken;
    /**
     * The start token of the task dispatched last, kept by the run until the task ends (a helping
     * wait inside the task dispatches others). Owner thread only.
     */
    long startedToken;
    /** This agent's circuit breaker, or null. */
    final AgentBreaker breaker;
    /**
     * Set while the slot is a remote agent (see RemoteAgent): its link, window and own breaker.
     * Written under the reconfiguration lock before the thread starts, cleared when it has left.
     */
    volatile RemoteAgent remote;
    /** Owner only: a breaker permit is held for the task about to run. */
    boolean permitHeld;
    long permit;
    /** Owner only: how many helping waits are under way on this thread (see HelpingWait). */
    int helpDepth;
    /**
     * Inside a helping wait: an interrupt found when a helped task was about to run, kept for the
     * waiting task (restored after the helped task). Owner thread only.
     */
    boolean interruptForWaiter;
    // owner-private, set in the constructor
    final Runnable[] buffer;
    final int[] victims;
    final IdleStrategy idleStrategy;
    final int spinRounds;
    final SchedulerListener listener;

    AgentBase(LoadstarScheduler scheduler, int index, double capacity, IdleStrategy idleStrategy, int spinRounds,
              int stealBatch, long startNanos, GuardedBacklog backlog, AgentBreaker breaker, boolean spare) {
        this.spare = spare;
        this.backlog = backlog;
        this.breaker = breaker;
        this.ordered = scheduler.ordered;
        this.globalScope = scheduler.globalScope;
        this.scheduler = scheduler;
        this.index = index;
        this.capacity = capacity;
        this.inverseCapacity = 1.0 / capacity;
        this.membership = AgentRemoval.ACTIVE;
        this.idleStrategy = idleStrategy;
        this.spinRounds = spinRounds;
        this.spinBudget = spinRounds;
        this.listener = scheduler.listener;
        // the steal batch limit can be reconfigured up to its maximum while the agent runs
        this.buffer = new Runnable[Math.max(INBOX_BATCH, io.github.loadstar.core.SchedulerBuilder.MAX_STEAL_BATCH)];
        this.victims = new int[scheduler.agentCount()];
        this.startNanos = startNanos;
        this.seed = 0x9E3779B97F4A7C15L * (index + 1);
        this.busyStart = startNanos;
        this.accepting = breaker == null || breaker.admitsWork();
        ACTIVITY.setOpaque(this, (long) AgentState.STARTING.ordinal());
    }

    // ================================================================ claims, flags and helpers

    boolean tryClaim() {
        return claim == 0L && CLAIM.compareAndSet(this, 0L, 1L);
    }

    void releaseClaim() {
        CLAIM.setRelease(this, 0L);
    }

    /** Spins until the claim is held; for shutdownNow, which keeps it. */
    void acquireClaimForever() {
        while (!tryClaim()) {
            Thread.onSpinWait();
        }
    }

    /**
     * The agent's thread starts, or a replacement takes over: it looks for work, and is idle until
     * it takes a task (a busy stretch a dead thread left open ends here).
     */
    void markRunning() {
        if (countingBusy != 0) {
            BUSY_NANOS.setOpaque(this, busyNanos + Math.max(0, System.nanoTime() - busyStart));
            countingBusy = 0;
        }
        ACTIVITY.setOpaque(this, (long) AgentState.SEARCHING.ordinal());
    }

    boolean isTransferring() {
        return (long) TRANSFERRING.getVolatile(this) != 0L;
    }

    void addExtraCost(long delta) {
        if (delta != 0) {
            EXTRA_COST.getAndAdd(this, delta);
        }
    }

    final int nextRandom() {
        long x = seed;
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        seed = x;
        return (int) (x >>> 32);
    }

    /** Delivers a reserved wake-up to this agent if it is idle. */
    boolean tryNotify() {
        if ((long) PARK_STATE.getVolatile(this) == IdleControl.IDLE
                && PARK_STATE.compareAndSet(this, IdleControl.IDLE, IdleControl.NOTIFIED)) {
            IdleControl.unpark(thread);
            return true;
        }
        return false;
    }

    /** The park state goes to IDLE, before the agent counts itself idle in the control word. */
    final void markIdle() {
        PARK_STATE.setVolatile(this, IdleControl.IDLE);
    }

    /** Parks until a notifier moved the park state to NOTIFIED; then RUNNING again. Own thread only. */
    final void awaitNotification() {
        PARKS.setOpaque(this, parks + 1);
        ACTIVITY.setOpaque(this, (long) AgentState.PARKED.ordinal());
        while ((long) PARK_STATE.getVolatile(this) != IdleControl.NOTIFIED) {
            LockSupport.park(this);
            // a stray interrupt must not turn park into a spin; shutdownNow wakes agents by notification
            Thread.interrupted();
        }
        PARK_STATE.setVolatile(this, IdleControl.RUNNING);
    }

    boolean isIdle() {
        return (long) PARK_STATE.getVolatile(this) == IdleControl.IDLE;
    }

    // ================================================================ queues every path reads

    final Runnable pollPinned() {
        if (!tryClaim()) {
            return null;
        }
        try {
            return pinned.poll();
        } finally {
            releaseClaim();
        }
    }

    /** One task from the shared injection queue; its cost is charged here until it starts. */
    final Runnable pollGlobal() {
        if (scheduler.global.isEmpty()) {
            return null;
        }
        Runnable task = scheduler.global.poll();
        if (task != null) {
            long extra = WrappedTask.extraCostOf(task);
            if (extra != 0) {
                addExtraCost(extra);
            }
        }
        return task;
    }

    /**
     * Publishes, for placement, how far the inbox has been consumed and how much local work is
     * queued (plus the task about to run). Called with the claim held, once per batch.
     */
    final void publishHints(long consumed) {
        CONSUMED_HINT.setOpaque(this, consumed);
        publishLocalHint(deque.size() + 1L);
    }

    /** Writes the local-backlog hint only when it changed: producers read its line on every placement. */
    final void publishLocalHint(long value) {
        if (localHint != value) {
            LOCAL_HINT.setOpaque(this, value);
        }
    }

    void publishOrderedSize(long size) {
        if (orderedSize != size) {
            ORDERED_SIZE.setOpaque(this, size);
        }
    }

    /**
     * Accounts {@code n} tasks this agent took from {@code victim}'s queues (in {@link #buffer}).
     * Every such take is a steal; it is also a <em>migration</em> only if it relieved a busy
     * agent: the victim was inside a task and had more work queued than the one task taken (the
     * steal took several, or left some). A lone task taken from an agent that was finishing a task,
     * between tasks, searching or parked was not displaced: placement named an agent that was not
     * behind, and another one reached the task first (a sequential submit-and-wait loop, whose
     * every task is placed while the previous one's agent is still leaving it, would otherwise
     * report most of its tasks as migrated).
     */
    final void accountSteal(Agent victim, int n) {
        lastStolen = n;
        STEALS_IN.setOpaque(this, stealsIn + 1);
        STEALS_OUT.getAndAdd(victim, 1L);
        boolean displaced = (long) RUNNING.getOpaque(victim) != 0L
                && (n > 1 || !victim.deque.isEmpty() || !victim.inbox.isEmpty());
        if (displaced) {
            MIGRATED_IN.setOpaque(this, migratedIn + n);
            MIGRATED_OUT.getAndAdd(victim, (long) n);
        }
        long cost = 0;
        for (int i = 0; i < n; i++) {
            cost += WrappedTask.extraCostOf(buffer[i]);
        }
        if (cost != 0) {
            EXTRA_COST.getAndAdd(victim, -cost);
            EXTRA_COST.getAndAdd(this, cost);
        }
        if (listener != null) {
            scheduler.events.fireStolen(index, victim.index, n, buffer, displaced);
        }
    }

    final void releasePermit() {
        if (permitHeld) {
            permitHeld = false;
            breaker.release(permit);
        }
    }

    // ================================================================ figures

    int backlog() {
        long size = (long) deque.size() + inbox.size() + pinned.size() + (long) ORDERED_SIZE.getOpaque(this);
        return (int) Math.min(size, Integer.MAX_VALUE);
    }

    /**
     * The load placement balances, queued cost per unit of capacity, estimated cheaply: the inbox
     * depth from the producer side (its producer index, which submitters write anyway, minus the
     * consumer index last published), the local backlog last published by the owner, and the extra
     * cost of costed tasks. The published parts change once per batch, so reading them rarely misses
     * the cache; {@link #backlog()} is the exact (and costlier) figure.
     */
    double load() {
        long inboxDepth = Math.max(0L, inboxIndices.currentProducerIndex() - (long) CONSUMED_HINT.getOpaque(this));
        long queued = inboxDepth + (long) LOCAL_HINT.getOpaque(this) + (long) ORDERED_SIZE.getOpaque(this)
                + Math.max(0L, (long) EXTRA_COST.getOpaque(this));
        return queued * inverseCapacity;
    }

    /** Queued cost (tasks waiting here and the extra cost of costed ones) per unit of capacity: what rebalancing moves. */
    double queuedLoad() {
        return (backlog() + Math.max(0L, (long) EXTRA_COST.getOpaque(this))) / effectiveCapacity();
    }

    /**
     * The part of the victim's {@code queued} tasks a steal by this agent takes (before the batch
     * limit): by capacity, so that thief and victim would finish together — half between equals, a
     * fifth for an agent of capacity 1 robbing one of capacity 4, four fifths the other way round.
     * At least one.
     */
    final int shareOf(AgentBase victim, int queued) {
        double c = effectiveCapacity();
        long share = (long) Math.ceil(queued * (c / (c + victim.effectiveCapacity())));
        return (int) Math.max(1, Math.min(queued, share));
    }

    /** A new capacity (positive and finite: the settings checked it). */
    final void setCapacity(double c) {
        capacity = c;
        inverseCapacity = 1.0 / (c * speed);
    }

    /**
     * A remote agent's new measured speed (positive and finite), written by its own thread every
     * tenth of a second (RemoteSpeed). A reconfiguration of the capacity at the same moment may leave
     * an inverse computed from the old capacity until the next write: an estimate either way.
     */
    final void setSpeed(double f) {
        speed = f;
        inverseCapacity = 1.0 / (capacity * f);
    }

    /** What placement and rebalancing divide by: the capacity, times a remote agent's measured speed. */
    final double effectiveCapacity() {
        return capacity * speed;
    }

    /** The rebalancing order waiting for this agent, or 0. */
    long pendingRebalanceOrder() {
        return (long) REBALANCE_ORDER.getOpaque(this);
    }

    /** The coordinator takes back {@code order} if this agent has not begun it (nor been given another). */
    void withdrawRebalanceOrder(long order) {
        REBALANCE_ORDER.compareAndSet(this, order, 0L);
    }

    /** The coordinator orders this agent to take up to {@code tasks} movable tasks from {@code victim}. */
    void orderRebalance(int victim, int tasks) {
        long order = ((long) tasks << 32) | (victim + 1);
        for (;;) {
            long current = (long) REBALANCE_ORDER.getVolatile(this);
            if (current == AgentRemoval.DRAIN || REBALANCE_ORDER.compareAndSet(this, current, order)) {
                return;     // an agent being removed takes no orders
            }
        }
    }

    /** The exact load (for the metrics): queued tasks, the running one and extra cost, per capacity. */
    double exactLoad() {
        long queued = (long) backlog()
                + (long) RUNNING.getOpaque(this) + Math.max(0L, (long) EXTRA_COST.getOpaque(this));
        return queued / effectiveCapacity();
    }
}
