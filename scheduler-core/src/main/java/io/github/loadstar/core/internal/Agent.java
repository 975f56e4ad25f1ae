package io.github.loadstar.core.internal;

import io.github.loadstar.core.SchedulerListener;
import io.github.loadstar.core.TaskOptions;
import io.github.loadstar.core.metrics.AgentMetrics;
import io.github.loadstar.core.metrics.AgentState;
import io.github.loadstar.core.spi.AgentBreaker;
import io.github.loadstar.core.spi.Backlog;
import io.github.loadstar.core.spi.QueuedTask;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.SingleWriterRecorder;
import org.agrona.concurrent.IdleStrategy;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.QueueProgressIndicators;

/*
 * An agent: one worker thread and the queues it owns.
 *
 * Design overview
 * ===============
 * Queues
 *   deque   Chase-Lev work-stealing deque. The owner pushes tasks spawned by its own tasks and
 *           pops them LIFO (newest first: the cache is warm, and a divide-and-conquer tree stays
 *           shallow); thieves take the oldest.
 *   inbox   JCTools MPSC queue for movable tasks placed on this agent from outside. Consumed in
 *           FIFO order under the agent's `claim`, by the owner and also by thieves, so that work
 *           queued behind a long-running task is never hidden from idle agents. Every consumer
 *           method (poll, relaxedPoll, relaxedPeek) is called only with the claim held: JCTools'
 *           consumer methods are single-threaded, and relaxedPeek itself moves the consumer to the
 *           next buffer at a buffer boundary. Without the claim, only isEmpty() and size(), which
 *           read the two indices, are used.
 *   pinned  MPSC queue for tasks pinned to this agent; consumed only by the owner (and by
 *           shutdownNow's drain), under the same claim.
 *
 * The owner's loop (nextTask)
 *   1. every 64th task, look at the shared queues first (pinned, inbox, global), so a stream of
 *      local spawns cannot starve external work;
 *   2. pop the deque;
 *   3. take from pinned, then move a batch (up to 32) from the inbox to the deque and run the
 *      oldest; the batch is pushed newest-first so the owner keeps FIFO order among external tasks
 *      while thieves take the newest;
 *   4. poll the global injection queue;
 *   5. search: steal in batches from victims chosen by the StealPolicy, spinning a little between
 *      rounds, then park (see IdleControl).
 *
 * Shutdown protocol
 *   A task is "started" once an agent has taken it out of a queue; a started task always runs.
 *   shutdownNow must therefore see every task that is not started, so no task may be in flight
 *   between two queues while it drains. Inbox transfers happen under the victim's claim, which
 *   shutdownNow acquires (and keeps); deque-to-deque steals set `transferring` (volatile) and then
 *   re-check the run state, while shutdownNow sets STOP and then waits for `transferring` to clear
 *   (a Dekker handshake: one of the two sees the other). A task pushed onto the owner's own deque
 *   by a task that raced shutdownNow is run by the owner after the drain ("leftovers"), never lost.
 *   A transfer that needs the agent's own claim (an ordered steal landing its batch, an evacuation)
 *   must never spin on it once STOP is set: shutdownNow holds it for good and waits for that very
 *   transfer. It hands what it carries to its own inbox (multi-producer, drained by shutdownNow after
 *   the wait) and gives up.
 *
 * Counters are single-writer (the owner, opaque stores) except the few that thieves and producers
 * add to, which live on their own cache line. Busy time is measured per streak — one clock read
 * when the owner runs out of local work and one when it finds more — not per task.
 */

/*
 * The fields of an Agent, in class-hierarchy padding (see the package documentation): each group
 * that is written by a different set of threads gets its own 128-byte neighbourhood, so that a
 * thief's CAS on the claim, a notifier's CAS on the park state and the owner's counter updates
 * never invalidate each other's cache lines.
 */

abstract class AgentPad0 {
    long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p0a, p0b, p0c, p0d, p0e, p0f;
}

/** The consumer claim on the agent's inbox and pinned queue: CASed by the owner, thieves and shutdownNow. */
abstract class AgentClaimFields extends AgentPad0 {
    volatile long claim;
}

abstract class AgentPad1 extends AgentClaimFields {
    long p10, p11, p12, p13, p14, p15, p16, p17, p18, p19, p1a, p1b, p1c, p1d, p1e, p1f;
}

/**
 * Idle-protocol and shutdown-protocol state: parkState is CASed by notifiers; transferring is
 * written by the owner around each deque-to-deque steal and read by shutdownNow.
 */
abstract class AgentParkFields extends AgentPad1 {
    volatile long parkState;
    volatile long transferring;
}

abstract class AgentPad2 extends AgentParkFields {
    long p20, p21, p22, p23, p24, p25, p26, p27, p28, p29, p2a, p2b, p2c, p2d, p2e, p2f;
}

/**
 * What placement reads on every external submission, kept on a line that changes once per batch
 * (at most every {@code Agent.HINT_INTERVAL} tasks) rather than once per task: the inbox consumer
 * index as last published by whoever holds the claim, and the local backlog as last published by
 * the owner.
 */
abstract class AgentPlacementFields extends AgentPad2 {
    volatile long consumedHint;
    volatile long localHint;
    /** Under an ordering policy: the backlog's size, published by whoever holds the claim. */
    volatile long orderedSize;
    /** Cost beyond one unit per task of the costed tasks queued here; added to by producers and thieves. */
    volatile long extraCost;
}

abstract class AgentPad3 extends AgentPlacementFields {
    long p30, p31, p32, p33, p34, p35, p36, p37, p38, p39, p3a, p3b, p3c, p3d, p3e, p3f;
}

/** Counters that thieves add to. */
abstract class AgentSharedCounters extends AgentPad3 {
    volatile long stealsOut;
    volatile long migratedOut;
    volatile long breakerTransitions;
}

abstract class AgentPad4 extends AgentSharedCounters {
    long p40, p41, p42, p43, p44, p45, p46, p47, p48, p49, p4a, p4b, p4c, p4d, p4e, p4f;
}

/**
 * Counters written only by the agent's thread, with opaque stores, and read by the metrics
 * snapshot with opaque loads; and the owner's private state, which shares the owner's lines.
 */
abstract class AgentOwnerFields extends AgentPad4 {
    long completed;
    long failed;
    long cancelled;
    long stealsIn;
    long migratedIn;
    long parks;
    long busyNanos;
    long busyStart;
    long lateStarts;
    long deadlineMisses;
    long rerouted;
    long running;
    long activity;
    // owner-private
    long ticks;
    long spawns;
    long seed;
}

abstract class AgentPad5 extends AgentOwnerFields {
    long p50, p51, p52, p53, p54, p55, p56, p57, p58, p59, p5a, p5b, p5c, p5d, p5e, p5f;
}

/*
 * Why only longs above: since JDK 15 HotSpot places a subclass's int, boolean and reference fields
 * into any gap of its superclasses' layout (including the 4 bytes after a compressed class
 * pointer), which would move them next to another group's hot field. Groups made of longs leave no
 * gaps; the agent's small and reference fields below are read-mostly, so they may land anywhere
 * (typically beside the object header).
 */

/** One worker of a {@link LoadstarScheduler}: its thread body, its queues and its counters. */
final class Agent extends AgentPad5 implements Runnable {
    static final int FAIRNESS_MASK = 63;
    static final int INBOX_BATCH = 32;
    /** Placement hints are republished after at most this many inbox tasks (a power of two). */
    static final int HINT_INTERVAL = 16;

    private static final VarHandle CLAIM;
    private static final VarHandle PARK_STATE;
    private static final VarHandle TRANSFERRING;
    private static final VarHandle CONSUMED_HINT;
    private static final VarHandle LOCAL_HINT;
    private static final VarHandle STEALS_OUT;
    private static final VarHandle MIGRATED_OUT;
    private static final VarHandle EXTRA_COST;
    private static final VarHandle COMPLETED;
    private static final VarHandle FAILED;
    private static final VarHandle CANCELLED;
    private static final VarHandle STEALS_IN;
    private static final VarHandle MIGRATED_IN;
    private static final VarHandle PARKS;
    private static final VarHandle BUSY_NANOS;
    private static final VarHandle BUSY_START;
    private static final VarHandle RUNNING;
    private static final VarHandle BREAKER_TRANSITIONS;
    private static final VarHandle REROUTED;
    private static final VarHandle ORDERED_SIZE;
    private static final VarHandle LATE_STARTS;
    private static final VarHandle DEADLINE_MISSES;
    private static final VarHandle ACTIVITY;

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

    /**
     * The spare of agent {@code parent}: its own queues and counters under the parent's index, no
     * breaker, never in the scheduler's agent array (see SpareAgent).
     */
    static Agent spareFor(Agent parent, Backlog backlog) {
        return new Agent(parent.scheduler, parent.index, parent.capacity, parent.idleStrategy, parent.spinRounds,
                parent.stealBatch, System.nanoTime(), backlog, null, true);
    }

    /** Whether this is a spare, running for agent {@link #index} while that agent's thread blocks. */
    final boolean spare;
    /** Read on every placement; written only when the agent stops or resumes accepting work. */
    volatile boolean accepting;
    /** The agent's current thread; replaced if it dies. */
    volatile Thread thread;

    final int index;
    final double capacity;
    private final double inverseCapacity;
    final LoadstarScheduler scheduler;
    final WorkStealingDeque deque = new WorkStealingDeque();
    final MessagePassingQueue<Runnable> inbox = Queues.mpsc(1024);
    /** The inbox's producer and consumer indices (the same object as {@link #inbox}). */
    private final QueueProgressIndicators inboxIndices = (QueueProgressIndicators) inbox;
    final MessagePassingQueue<Runnable> pinned = Queues.mpsc(256);
    final SingleWriterRecorder latency = LatencyHistograms.newRecorder();
    final long startNanos;
    /** Under a per-agent ordering policy: this agent's backlog, used only under its claim. */
    final Backlog backlog;
    private final boolean ordered;
    private final boolean globalScope;
    /** Under an ordering policy: the last task run, whose accounting waits for the next dispatch. */
    private QueuedTask pendingFinish;
    private Backlog pendingBacklog;
    private long pendingRunNanos;
    /** This agent's circuit breaker, or null. */
    final AgentBreaker breaker;
    /** Owner only: a breaker permit is held for the task about to run. */
    private boolean permitHeld;
    private long permit;
    /** Owner only: how many helping waits are under way on this thread (see HelpingWait). */
    private int helpDepth;

    // owner-private, set in the constructor
    private final Runnable[] buffer;
    private final int[] victims;
    private final IdleStrategy idleStrategy;
    private final int spinRounds;
    private final int stealBatch;
    private final SchedulerListener listener;

    Agent(LoadstarScheduler scheduler, int index, double capacity, IdleStrategy idleStrategy, int spinRounds,
          int stealBatch, long startNanos, Backlog backlog, AgentBreaker breaker) {
        this(scheduler, index, capacity, idleStrategy, spinRounds, stealBatch, startNanos, backlog, breaker, false);
    }

    private Agent(LoadstarScheduler scheduler, int index, double capacity, IdleStrategy idleStrategy, int spinRounds,
                  int stealBatch, long startNanos, Backlog backlog, AgentBreaker breaker, boolean spare) {
        this.spare = spare;
        this.backlog = backlog;
        this.breaker = breaker;
        this.ordered = scheduler.ordered;
        this.globalScope = scheduler.globalScope;
        this.scheduler = scheduler;
        this.index = index;
        this.capacity = capacity;
        this.inverseCapacity = 1.0 / capacity;
        this.idleStrategy = idleStrategy;
        this.spinRounds = spinRounds;
        this.stealBatch = stealBatch;
        this.listener = scheduler.listener;
        this.buffer = new Runnable[Math.max(INBOX_BATCH, stealBatch)];
        this.victims = new int[scheduler.agentCount()];
        this.startNanos = startNanos;
        this.seed = 0x9E3779B97F4A7C15L * (index + 1);
        this.busyStart = startNanos;
        this.accepting = breaker == null || breaker.admitsWork();
        ACTIVITY.setOpaque(this, (long) AgentState.STARTING.ordinal());
    }

    // ================================================================ thread body

    /**
     * The agent thread's body. Runs the loop until the scheduler terminates. An {@link Error} that
     * escapes a task ends this thread after a replacement thread has taken over the agent (same
     * queues, same counters); if no replacement can be created, this thread carries on.
     */
    @Override
    public void run() {
        Thread me = Thread.currentThread();
        scheduler.onAgentThreadStart(this, me);
        for (;;) {
            try {
                work();
                break;
            } catch (Throwable error) {
                RUNNING.setOpaque(this, 0L);
                if (scheduler.replaceThread(this, me, error)) {
                    throw Sneaky.<RuntimeException>rethrow(error);
                }
            }
        }
        ACTIVITY.setOpaque(this, (long) AgentState.TERMINATED.ordinal());
        scheduler.onAgentExit(this);
    }

    private void work() {
        for (;;) {
            Runnable task = nextTask();
            if (task == null) {
                return;
            }
            runTask(task);
        }
    }

    // ================================================================ finding work

    private Runnable nextTask() {
        if (scheduler.runState() >= LoadstarScheduler.STOP) {
            return leftoversAfterStop();
        }
        if (breaker != null && !accepting) {
            // an open breaker: take nothing from any queue; search() suspends the agent first
            Runnable task = search();
            if (task == null && scheduler.runState() >= LoadstarScheduler.STOP) {
                return leftoversAfterStop();
            }
            return task;
        }
        if (ordered) {
            Runnable task = dispatchOrdered();
            if (task == null) {
                task = search();
            }
            if (task == null && scheduler.runState() >= LoadstarScheduler.STOP) {
                return leftoversAfterStop();
            }
            return task;
        }
        Runnable task;
        if ((++ticks & FAIRNESS_MASK) == 0 && (task = pollShared()) != null) {
            return task;
        }
        if ((task = deque.pop()) != null || (task = pollShared()) != null) {
            return task;
        }
        task = search();
        if (task == null && scheduler.runState() >= LoadstarScheduler.STOP) {
            return leftoversAfterStop();
        }
        return task;
    }

    /** Pinned queue, then a batch from the inbox, then the global queue. */
    private Runnable pollShared() {
        Runnable task;
        if (!pinned.isEmpty() && (task = pollPinned()) != null) {
            return task;
        }
        if (!inbox.isEmpty() && (task = pullInbox()) != null) {
            return task;
        }
        return pollGlobal();
    }

    /** One task from the shared injection queue; its cost is charged here until it starts. */
    private Runnable pollGlobal() {
        if (scheduler.global.isEmpty()) {
            return null;
        }
        Runnable task = scheduler.global.poll();
        if (task != null) {
            long extra = LoadstarScheduler.extraCostOf(task);
            if (extra != 0) {
                addExtraCost(extra);
            }
        }
        return task;
    }

    private Runnable pollPinned() {
        if (!tryClaim()) {
            return null;
        }
        try {
            return pinned.poll();
        } finally {
            releaseClaim();
        }
    }

    /**
     * Moves up to {@link #INBOX_BATCH} tasks from the inbox to the deque and returns the oldest.
     * The claim is held until the batch is in the deque (see the shutdown protocol).
     */
    private Runnable pullInbox() {
        if (!tryClaim()) {
            return null;
        }
        try {
            Runnable first = inbox.relaxedPoll();
            if (first == null) {
                return null;
            }
            int n = 0;
            Runnable next;
            while (n < INBOX_BATCH && (next = inbox.relaxedPoll()) != null) {
                buffer[n++] = next;
            }
            if (n > 0) {
                pushBatchOldestOnTop(n);
            }
            long consumed = inboxIndices.currentConsumerIndex();
            if (consumed - consumedHint >= HINT_INTERVAL) {
                publishHints(consumed);
            }
            return first;
        } finally {
            releaseClaim();
        }
    }

    /** Pushes buffer[0..n) so that buffer[0] is popped first; clears the buffer. */
    private void pushBatchOldestOnTop(int n) {
        boolean wasEmpty = false;
        for (int i = n - 1; i >= 0; i--) {
            wasEmpty |= deque.push(buffer[i]);
            buffer[i] = null;
        }
        if (wasEmpty && !spare) {     // nobody steals from a spare: no one to wake
            VarHandle.fullFence();
            scheduler.idle.signal(null);
        }
    }

    /**
     * Out of local work: steal, spin a little, park. Returns a task, or null when the agent must
     * exit (the scheduler stopped, or it is quiescent after shutdown).
     */
    private Runnable search() {
        ACTIVITY.setOpaque(this, (long) AgentState.SEARCHING.ordinal());
        deque.clearStolen();
        IdleControl idle = scheduler.idle;
        boolean searching = false;
        long idleSince = 0;
        resetIdleStrategy();
        try {
            for (int round = 0; ; round++) {
                int state = scheduler.runState();
                if (state >= LoadstarScheduler.TIDYING) {
                    return null;
                }
                if (breaker != null && !accepting) {
                    if (searching) {
                        idle.stopSearching(this);
                        searching = false;
                    }
                    suspend();
                    round = 0;
                    continue;
                }
                Runnable task = pollOwn();
                // Round 0 only looks at this agent's own queues: most idle moments end there (a
                // producer refills the inbox), and they should not touch the shared control word or
                // other agents' cache lines. From round 1 the agent registers as a searcher and steals.
                if (task == null && round > 0 && accepting) {
                    if (!searching) {
                        searching = idle.tryStartSearching();
                    }
                    if (searching) {
                        task = stealOnce();
                    }
                }
                boolean parkNext = round > 0 && !(searching && round < spinRounds);
                if (task == null && parkNext && accepting) {
                    // last look before parking: work behind a busy owner, whatever the steal policy
                    task = sweepBusyAgents();
                }
                if (task != null) {
                    if (searching) {
                        searching = false;
                        idle.stopSearching(this);
                    }
                    if (idleSince != 0) {
                        BUSY_START.setOpaque(this, System.nanoTime());
                    }
                    ACTIVITY.setOpaque(this, (long) AgentState.RUNNING.ordinal());
                    return task;
                }
                if (round > 0 && idleSince == 0) {
                    idleSince = System.nanoTime();
                    BUSY_NANOS.setOpaque(this, busyNanos + Math.max(0, idleSince - busyStart));
                }
                if (!parkNext) {
                    idleOnce();
                    continue;
                }
                boolean wasSearching = searching;
                searching = false;          // parkUntilNotified settles the count
                parkUntilNotified(wasSearching);
                searching = true;           // a woken agent is counted as a searcher
                round = 0;                  // and goes straight to stealing
                resetIdleStrategy();
                ACTIVITY.setOpaque(this, (long) AgentState.SEARCHING.ordinal());
            }
        } finally {
            // on every way out, normal or not, this agent stops counting as a searcher
            if (searching) {
                idle.stopSearching(this);
            }
        }
    }

    /** The idle strategy's pause between empty rounds; one that throws becomes a spin-wait hint. */
    private void idleOnce() {
        try {
            idleStrategy.idle();
        } catch (Throwable t) {
            scheduler.strategyFailures.failed(StrategyFailures.IDLE, "idle", "a spin-wait hint instead", t);
            Thread.onSpinWait();
        }
    }

    private void resetIdleStrategy() {
        try {
            idleStrategy.reset();
        } catch (Throwable t) {
            scheduler.strategyFailures.failed(StrategyFailures.IDLE, "reset", "ignored", t);
        }
    }

    private Runnable pollOwn() {
        if (ordered) {
            return dispatchOrdered();
        }
        Runnable task = deque.pop();
        return task != null ? task : pollShared();
    }

    private Runnable stealOnce() {
        int count = selectVictims();
        Agent[] agents = scheduler.agents;
        for (int k = 0; k < count; k++) {
            int v = victims[k];
            if (v != index && v >= 0 && v < agents.length) {
                Runnable task = ordered ? stealOrdered(agents[v]) : stealFrom(agents[v]);
                if (task != null) {
                    return task;
                }
            }
        }
        return ordered ? null : pollGlobal();
    }

    /**
     * The steal policy's victims, in {@link #victims}; a policy that throws (or answers a count
     * out of range) is answered with every other agent, from a random start.
     */
    private int selectVictims() {
        int r = nextRandom();
        int n = scheduler.agents.length;
        int count;
        try {
            count = scheduler.stealPolicy.selectVictims(index, scheduler, r, victims);
        } catch (Throwable t) {
            scheduler.strategyFailures.failed(StrategyFailures.STEAL, "selectVictims", "every agent is a victim", t);
            count = -1;
        }
        if (count >= 0 && count <= n) {
            return count;
        }
        count = 0;
        int start = (r & Integer.MAX_VALUE) % n;
        for (int k = 0; k < n; k++) {
            int v = start + k < n ? start + k : start + k - n;
            if (v != index) {
                victims[count++] = v;
            }
        }
        return count;
    }

    /**
     * Before parking: steals from any agent that is busy (running a task) and has movable work
     * queued, whatever the steal policy chose while searching. Its owner will not take that work
     * before its running task ends, which may be never if that task waits for it; a policy's
     * choices (a threshold, two random candidates) are about throughput and must not strand it.
     * As ForkJoinPool's awaitWork scans every queue before a worker deactivates.
     */
    private Runnable sweepBusyAgents() {
        Agent[] agents = scheduler.agents;
        int n = agents.length;
        int start = (nextRandom() & Integer.MAX_VALUE) % n;
        for (int k = 0; k < n; k++) {
            int v = start + k < n ? start + k : start + k - n;
            Agent victim = agents[v];
            if (victim != this && !victim.isIdle()) {
                Runnable task = ordered ? stealOrdered(victim) : stealFrom(victim);
                if (task != null) {
                    return task;
                }
            }
        }
        return null;
    }

    /** Takes a batch from the victim's deque, else from its inbox; runs the oldest, queues the rest. */
    private Runnable stealFrom(Agent victim) {
        int n = 0;
        if (!victim.deque.isEmpty()) {
            TRANSFERRING.setVolatile(this, 1L);
            try {
                if (scheduler.runState() < LoadstarScheduler.STOP) {
                    n = victim.deque.stealBatch(buffer, stealBatch);
                    if (n > 0) {
                        accountSteal(victim, n);
                        return takeFirstQueueRest(n);
                    }
                }
            } finally {
                TRANSFERRING.setRelease(this, 0L);
            }
        }
        if (!victim.inbox.isEmpty() && victim.tryClaim()) {
            try {
                int limit = Math.min(stealBatch, (victim.inbox.size() + 1) >>> 1);
                Runnable next;
                while (n < limit && (next = victim.inbox.relaxedPoll()) != null) {
                    buffer[n++] = next;
                }
                if (n > 0) {
                    CONSUMED_HINT.setOpaque(victim, victim.inboxIndices.currentConsumerIndex());
                    accountSteal(victim, n);
                    return takeFirstQueueRest(n);
                }
            } finally {
                victim.releaseClaim();
            }
        }
        return null;
    }

    private Runnable takeFirstQueueRest(int n) {
        Runnable first = buffer[0];
        buffer[0] = null;
        if (n > 1) {
            System.arraycopy(buffer, 1, buffer, 0, n - 1);
            buffer[n - 1] = null;
            pushBatchOldestOnTop(n - 1);
        }
        if (n > 1) {
            publishLocalHint(deque.size() + 1L);
        }
        return first;
    }

    /**
     * Publishes, for placement, how far the inbox has been consumed and how much local work is
     * queued (plus the task about to run). Called with the claim held, once per batch.
     */
    private void publishHints(long consumed) {
        CONSUMED_HINT.setOpaque(this, consumed);
        publishLocalHint(deque.size() + 1L);
    }

    /** Writes the local-backlog hint only when it changed: producers read its line on every placement. */
    private void publishLocalHint(long value) {
        if (localHint != value) {
            LOCAL_HINT.setOpaque(this, value);
        }
    }

    private void accountSteal(Agent victim, int n) {
        STEALS_IN.setOpaque(this, stealsIn + 1);
        MIGRATED_IN.setOpaque(this, migratedIn + n);
        STEALS_OUT.getAndAdd(victim, 1L);
        MIGRATED_OUT.getAndAdd(victim, (long) n);
        long cost = 0;
        for (int i = 0; i < n; i++) {
            cost += LoadstarScheduler.extraCostOf(buffer[i]);
        }
        if (cost != 0) {
            EXTRA_COST.getAndAdd(victim, -cost);
            EXTRA_COST.getAndAdd(this, cost);
        }
        if (listener != null) {
            scheduler.fireStolen(index, victim.index, n, buffer);
        }
    }

    // ================================================================ under an ordering policy

    /**
     * The next task in policy order, already started (claimed): from this agent's backlog after
     * moving its inbox in, or from the shared backlog in GLOBAL scope. Null if there is none, or if
     * a thief holds this agent's claim at this moment (the search loop comes back at once).
     */
    private Runnable dispatchOrdered() {
        if (globalScope) {
            return dispatchGlobal();
        }
        if (!tryClaim()) {
            return null;
        }
        QueuedTask task;
        try {
            long now = System.nanoTime();
            drainInboxIntoBacklog(now);
            if (backlog.size() == 0 && accepting) {
                // tasks placed on no agent in particular, or moved off an agent whose breaker opened
                Runnable shared;
                for (int i = 0; i < stealBatch && (shared = pollGlobal()) != null; i++) {
                    backlog.offer((QueuedTask) shared, now);
                }
            }
            finishPending(now);
            task = pollStarted(backlog, now);
            publishOrderedSize(backlog.size());
        } finally {
            releaseClaim();
        }
        return (Runnable) task;
    }

    /** GLOBAL scope: pinned tasks first (FIFO), then the shared backlog under the shared lock. */
    private Runnable dispatchGlobal() {
        if (!pinned.isEmpty()) {
            Runnable pinnedTask = pollPinned();
            if (pinnedTask != null && claimForRun(pinnedTask)) {
                return pinnedTask;
            }
        }
        java.util.concurrent.locks.ReentrantLock lock = scheduler.globalLock;
        lock.lock();
        try {
            Backlog shared = scheduler.globalBacklog;
            long now = System.nanoTime();
            Runnable r;
            while ((r = scheduler.globalInbox.relaxedPoll()) != null) {
                shared.offer((QueuedTask) r, now);
            }
            finishPending(now);
            QueuedTask task = pollStarted(shared, now);
            scheduler.globalBacklogSize = shared.size();
            return (Runnable) task;
        } finally {
            lock.unlock();
        }
    }

    /** Moves the inbox into the backlog. With the claim held, by the owner or a thief. */
    void drainInboxIntoBacklog(long now) {
        Runnable r;
        int moved = 0;
        while ((r = inbox.relaxedPoll()) != null) {
            backlog.offer((QueuedTask) r, now);
            moved++;
        }
        if (moved > 0) {
            CONSUMED_HINT.setOpaque(this, inboxIndices.currentConsumerIndex());
        }
    }

    /** Polls until a task can be claimed for running (others were returned or taken back); starts it. */
    private QueuedTask pollStarted(Backlog from, long now) {
        if (breaker != null && !permitHeld) {
            long p = breaker.tryAcquire();
            if (p == AgentBreaker.NOT_PERMITTED) {
                return null;    // the search loop suspends the agent if its breaker is open
            }
            permit = p;
            permitHeld = true;
        }
        for (;;) {
            QueuedTask task = from.poll(now);
            if (task == null) {
                releasePermit();
                return null;
            }
            if (claimForRun((Runnable) task)) {
                from.onStart(task, now);
                return task;
            }
        }
    }

    private boolean claimForRun(Runnable task) {
        if (task instanceof RunnableTask) {
            return ((RunnableTask) task).tryStart();
        }
        TaskFutureImpl<?> future = (TaskFutureImpl<?>) task;
        if (future.tryStart()) {
            return true;
        }
        dropped(future);
        return false;
    }

    /** Charges the last task run to the backlog it came from (the owner's claim or lock held). */
    private void finishPending(long now) {
        QueuedTask done = pendingFinish;
        if (done != null) {
            pendingFinish = null;
            pendingBacklog.onFinish(done, pendingRunNanos, now);
        }
    }

    void publishOrderedSize(long size) {
        if (orderedSize != size) {
            ORDERED_SIZE.setOpaque(this, size);
        }
    }

    /**
     * Takes the victim's most urgent movable tasks (its backlog's head, after moving its inbox in),
     * up to half of its backlog, into this agent's backlog, and dispatches from there.
     */
    private Runnable stealOrdered(Agent victim) {
        if (globalScope || (victim.orderedSize == 0 && victim.inbox.isEmpty())) {
            return null;
        }
        TRANSFERRING.setVolatile(this, 1L);
        try {
            if (scheduler.runState() >= LoadstarScheduler.STOP || !victim.tryClaim()) {
                return null;
            }
            long now = System.nanoTime();
            int n = 0;
            try {
                victim.drainInboxIntoBacklog(now);
                int limit = Math.min(stealBatch, (victim.backlog.size() + 1) >>> 1);
                QueuedTask head;
                while (n < limit && (head = victim.backlog.peek(now)) != null && head.options().isMovable()) {
                    victim.backlog.poll(now);
                    buffer[n++] = (Runnable) head;
                }
                victim.publishOrderedSize(victim.backlog.size());
            } finally {
                victim.releaseClaim();
            }
            if (n == 0) {
                return null;
            }
            accountSteal(victim, n);
            while (!tryClaim()) {
                if (scheduler.runState() >= LoadstarScheduler.STOP) {
                    // shutdownNow holds every claim for good and waits for this transfer to end:
                    // hand the stolen tasks to it through this agent's inbox, which it drains next
                    for (int i = 0; i < n; i++) {
                        inbox.offer(buffer[i]);
                        buffer[i] = null;
                    }
                    return null;
                }
                Thread.onSpinWait();    // a thief is taking from this agent; it is brief
            }
            try {
                for (int i = 0; i < n; i++) {
                    backlog.offer((QueuedTask) buffer[i], now);
                    buffer[i] = null;
                }
                finishPending(now);
                QueuedTask task = pollStarted(backlog, now);
                publishOrderedSize(backlog.size());
                return (Runnable) task;
            } finally {
                releaseClaim();
            }
        } finally {
            TRANSFERRING.setRelease(this, 0L);
        }
    }

    /**
     * Parks until an IdleControl notification. Before parking, re-checks for work (the Dekker half of
     * the idle protocol) and, after shutdown, detects quiescence.
     */
    private void parkUntilNotified(boolean wasSearching) {
        IdleControl idle = scheduler.idle;
        PARK_STATE.setVolatile(this, IdleControl.IDLE);
        long c = idle.enterIdle(wasSearching);
        // No searcher left after this agent went idle: it must re-check, whether or not it was a
        // searcher itself. (An agent that could not search, because the searcher slots were full,
        // used to park without a re-check; if the last searcher stopped at that moment, its wake-up
        // read ctl before this agent counted itself idle, found nobody to wake, and work queued
        // behind a busy agent was stranded. Seen under load, about once in 3,000 runs.)
        boolean noSearcherLeft = IdleControl.searching(c) == 0;
        boolean allIdle = IdleControl.idle(c) + scheduler.suspendedAgents() >= scheduler.agentCount();
        if (scheduler.runState() >= LoadstarScheduler.TIDYING) {
            // Stopping or tidying: wakeAll() may have run before this agent counted itself idle.
            // (The run-state writer then reads ctl, and this agent read the state after its CAS
            // on ctl, so one of the two always sees the other.)
            idle.signalAgent(this);
        } else if (!pinned.isEmpty() || !inbox.isEmpty()) {
            // work placed on this agent while it was deciding to park
            idle.signalAgent(this);
        } else if (noSearcherLeft || allIdle) {
            boolean queued = scheduler.wakeOwnersOfQueuedWork();
            if (queued && stealableFromBusyAgent()) {
                // work waits on an agent that is running a task (perhaps a long one) and nobody else
                // searches: the owner will not take it soon, so stay awake and steal it
                idle.signalAgent(this);
            } else if (!queued && allIdle) {
                scheduler.onQuiescent();
            }
        }
        PARKS.setOpaque(this, parks + 1);
        ACTIVITY.setOpaque(this, (long) AgentState.PARKED.ordinal());
        while ((long) PARK_STATE.getVolatile(this) != IdleControl.NOTIFIED) {
            LockSupport.park(this);
            // a stray interrupt must not turn park into a spin; shutdownNow wakes agents by notification
            Thread.interrupted();
        }
        PARK_STATE.setVolatile(this, IdleControl.RUNNING);
    }

    /**
     * Whether any other agent is busy (not idle) and has movable work queued: work its owner will
     * not take before its running task ends, and that {@link #sweepBusyAgents()} takes whatever the
     * steal policy. Every agent is looked at, as the sweep does, so that the two agree and staying
     * awake for such work ends in a steal. FIFO mode only: under an ordering policy a pinned task at
     * the head of a backlog stops thieves, so staying awake for it could spin; there the owner runs
     * it (a documented limit).
     */
    private boolean stealableFromBusyAgent() {
        if (ordered || !accepting) {
            return false;
        }
        for (Agent victim : scheduler.agents) {
            if (victim != this && !victim.isIdle() && (!victim.deque.isEmpty() || !victim.inbox.isEmpty())) {
                return true;
            }
        }
        return false;
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

    boolean isIdle() {
        return (long) PARK_STATE.getVolatile(this) == IdleControl.IDLE;
    }

    /**
     * After STOP: waits until shutdownNow has drained the queues, then hands back the tasks this
     * agent's own tasks pushed while the drain ran (they were accepted, so they run); null when none.
     */
    private Runnable leftoversAfterStop() {
        scheduler.awaitDrained();
        Runnable task = deque.pop();
        if (task != null) {
            Thread.currentThread().interrupt();
        }
        return task;
    }

    // ================================================================ the circuit breaker

    /** FIFO: a permit for the task about to run; without one the task is rerouted. */
    private boolean acquirePermit(Runnable task) {
        long p = breaker.tryAcquire();
        if (p == AgentBreaker.NOT_PERMITTED) {
            reroute(task);
            return false;
        }
        permit = p;
        permitHeld = true;
        return true;
    }

    private void releasePermit() {
        if (permitHeld) {
            permitHeld = false;
            breaker.release(permit);
        }
    }

    /** The breaker changed state (on whichever thread caused it). */
    void onBreakerTransition(String from, String to, String reason) {
        boolean admits = refreshAccepting();
        BREAKER_TRANSITIONS.getAndAdd(this, 1L);
        scheduler.fireBreakerTransition(index, from, to, reason);
        if (admits) {
            IdleControl.unpark(thread);     // end a suspension early (closed or half-opened by hand)
        }
    }

    /**
     * Makes {@link #accepting} follow the breaker's state. Transitions can happen on several
     * threads at once (an agent's outcome, a thief's probe, a transition by hand), and each calls
     * this after its own transition; a plain "read the state, write the flag" could then leave the
     * flag of an older state last (accepting while OPEN, or suspended while CLOSED). So every writer
     * re-reads the state after its write and writes again if it moved: the last write is then made
     * after the last transition and matches it (all accesses are volatile).
     *
     * @return the value written last
     */
    private boolean refreshAccepting() {
        boolean admits;
        do {
            admits = breaker.admitsWork();
            accepting = admits;
        } while (breaker.admitsWork() != admits);
        return admits;
    }

    /**
     * The breaker refused a task this agent had taken (FIFO: before claiming it). A movable task
     * goes to the shared queue for the other agents; a pinned one waits here or fails. The move is
     * a transfer in the sense of the shutdown protocol.
     */
    private void reroute(Runnable task) {
        TRANSFERRING.setVolatile(this, 1L);
        try {
            if (scheduler.runState() >= LoadstarScheduler.STOP) {
                // shutdownNow may have drained the shared queue already; a task taken runs
                runUnguarded(task);
                return;
            }
            moveOrKeep(task, true);
        } finally {
            TRANSFERRING.setRelease(this, 0L);
        }
        if (!accepting) {
            return;
        }
        // refused while admitting work (half-open trials all in flight): do not spin on it
        LockSupport.parkNanos(this, 100_000L);
    }

    private void runUnguarded(Runnable task) {
        if (task instanceof RunnableTask) {
            runWrapped((RunnableTask) task);
        } else if (task instanceof TaskFutureImpl) {
            runFuture((TaskFutureImpl<?>) task);
        } else {
            runPlain(task);
        }
    }

    /**
     * Sends a refused or evacuated task away: movable to the shared queue; pinned to this agent
     * back into its pinned queue (WAIT) or failed (FAIL). {@code fromThisAgent}: the task was
     * charged to this agent's load.
     */
    private void moveOrKeep(Runnable task, boolean fromThisAgent) {
        TaskOptions options = optionsOf(task);
        if (options != null && options.affinity() == index) {
            if (scheduler.failPinnedOnOpenAgent()) {
                failPinned(task);
            } else if (ordered && !globalScope) {
                inbox.offer(task);      // drained into the backlog again when trials run
            } else {
                pinned.offer(task);
            }
            return;
        }
        if (fromThisAgent && options != null && options.cost() != 1) {
            addExtraCost(1 - options.cost());
        }
        scheduler.global.offer(task);
        REROUTED.setOpaque(this, rerouted + 1);
        MIGRATED_OUT.getAndAdd(this, 1L);
        if (listener != null) {
            scheduler.fireMigrated(task, index, -1);
        }
        scheduler.idle.wakeOne();
    }

    private static TaskOptions optionsOf(Runnable task) {
        if (task instanceof RunnableTask) {
            return ((RunnableTask) task).options;
        }
        if (task instanceof TaskFutureImpl) {
            return ((TaskFutureImpl<?>) task).options;
        }
        return null;
    }

    /** PinnedOnOpenAgent.FAIL: the task is rejected (exactly once: it is claimed first). */
    private void failPinned(Runnable task) {
        RejectedExecutionException e = new RejectedExecutionException("agent " + index + " of scheduler "
                + scheduler.name() + ": its circuit breaker is " + breaker.state() + " and the task is pinned to it");
        if (task instanceof TaskFutureImpl) {
            TaskFutureImpl<?> future = (TaskFutureImpl<?>) task;
            if (future.tryClaim(TaskClaim.REJECTED)) {
                scheduler.countRejectedPinned(task);
                future.failWith(e);
            }
        } else if (task instanceof RunnableTask) {
            RunnableTask wrapped = (RunnableTask) task;
            if (wrapped.tryClaim(TaskClaim.REJECTED)) {
                scheduler.countRejectedPinned(task);
                Thread me = Thread.currentThread();
                try {
                    me.getUncaughtExceptionHandler().uncaughtException(me, e);
                } catch (Throwable ignored) {
                    // a broken handler must not take the agent down
                }
            }
        }
    }

    /**
     * The breaker does not admit work: move this agent's queued movable tasks to the others, deal
     * with its pinned tasks, then sleep until the breaker lets trials through (the agent's own
     * thread is the breaker's timer: no extra thread), and return.
     */
    private void suspend() {
        evacuate();
        ACTIVITY.setOpaque(this, (long) AgentState.SUSPENDED.ordinal());
        scheduler.agentSuspended(this, true);
        try {
            while (!accepting && scheduler.runState() < LoadstarScheduler.TIDYING) {
                scheduler.checkQuiescentWhileSuspended();   // after shutdown: nothing left to wait for?
                if (scheduler.runState() >= LoadstarScheduler.TIDYING) {
                    break;
                }
                long wait = breaker.nanosUntilTrials();
                if (wait > 0) {
                    // forced open: until a transition by hand unparks this thread (re-checked every second)
                    LockSupport.parkNanos(this, Math.min(wait, 1_000_000_000L));
                } else {
                    long p = breaker.tryAcquire();      // lazily half-opens an expired open breaker
                    if (p != AgentBreaker.NOT_PERMITTED) {
                        breaker.release(p);
                        refreshAccepting();
                    } else if (!accepting) {
                        LockSupport.parkNanos(this, 1_000_000L);    // trials all in flight elsewhere
                    }
                }
                Thread.interrupted();   // stray interrupts must not turn the sleep into a spin
            }
        } finally {
            scheduler.agentSuspended(this, false);
            ACTIVITY.setOpaque(this, (long) AgentState.SEARCHING.ordinal());
        }
    }

    /** Moves every queued movable task of this agent to the shared queue (a transfer). */
    private void evacuate() {
        TRANSFERRING.setVolatile(this, 1L);
        try {
            if (scheduler.runState() >= LoadstarScheduler.STOP) {
                return;
            }
            Runnable task;
            while ((task = deque.pop()) != null) {
                moveOrKeep(task, true);
            }
            while (!tryClaim()) {
                if (scheduler.runState() >= LoadstarScheduler.STOP) {
                    return;     // shutdownNow holds the claim for good and drains these queues itself
                }
                Thread.onSpinWait();
            }
            try {
                java.util.List<Runnable> kept = new java.util.ArrayList<>();
                while ((task = inbox.relaxedPoll()) != null) {
                    kept.add(task);
                }
                if (backlog != null) {
                    long now = System.nanoTime();
                    QueuedTask queued;
                    while ((queued = backlog.poll(now)) != null) {
                        kept.add((Runnable) queued);
                    }
                    publishOrderedSize(0);
                }
                if (scheduler.failPinnedOnOpenAgent()) {
                    while ((task = pinned.relaxedPoll()) != null) {
                        kept.add(task);
                    }
                }
                CONSUMED_HINT.setOpaque(this, inboxIndices.currentConsumerIndex());
                for (Runnable t : kept) {
                    moveOrKeep(t, true);
                }
            } finally {
                releaseClaim();
            }
        } finally {
            TRANSFERRING.setRelease(this, 0L);
        }
    }

    // ================================================================ running a task

    private void runTask(Runnable task) {
        // A stray interrupt (a cancel(true) that raced its task's end, or user code) must not reach
        // the next task; shutdownNow's must.
        if (Thread.interrupted() && scheduler.runState() >= LoadstarScheduler.STOP) {
            Thread.currentThread().interrupt();
        }
        if (ordered) {
            runOrdered(task);   // under a policy the permit was taken at dispatch
            return;
        }
        if (breaker != null && !acquirePermit(task)) {
            return;
        }
        if (task instanceof RunnableTask) {
            runWrapped((RunnableTask) task);
        } else if (task instanceof TaskFutureImpl) {
            runFuture((TaskFutureImpl<?>) task);
        } else {
            if (scheduler.bounded) {
                scheduler.releaseQueuedSlot();
            }
            if (listener == null && !permitHeld) {
                runPlain(task);
            } else {
                runMeasured(task, task, TaskOptions.DEFAULT, 0L, null, null);
            }
        }
    }

    /** A wrapped task left the queues: release its bound slot and its charge on this agent's load. */
    private void started(long cost) {
        if (scheduler.bounded) {
            scheduler.releaseQueuedSlot();
        }
        if (cost != 1) {
            addExtraCost(1 - cost);
        }
    }

    private void runPlain(Runnable task) {
        RUNNING.setOpaque(this, 1L);
        try {
            task.run();
        } catch (Throwable failure) {
            taskThrew(task, failure, true);
        } finally {
            RUNNING.setOpaque(this, 0L);
            COMPLETED.setOpaque(this, completed + 1);
        }
    }

    private void runWrapped(RunnableTask task) {
        if (!task.tryStart()) {
            releasePermit();
            return;     // returned by shutdownNow or taken back by its submitter
        }
        started(task.options.cost());
        TaskOptions options = task.options;
        if (task.stamped() || options.tenant() != null || listener != null || permitHeld) {
            runMeasured(task.delegate, task.delegate, options, task.submitNanos, null, null);
        } else {
            runPlain(task.delegate);
        }
    }

    private void runFuture(TaskFutureImpl<?> task) {
        if (!task.tryStart()) {
            dropped(task);
            releasePermit();
            return;
        }
        started(task.options.cost());
        runStartedFuture(task);
    }

    /**
     * A future's queue entry turned out to be claimed already. If a waiter ran the task, the
     * entry still carried the task's extra cost on this agent's load: give it back.
     */
    private void dropped(TaskFutureImpl<?> task) {
        if (task.runByWaiter() && task.options.cost() != 1) {
            addExtraCost(1 - task.options.cost());
        }
    }

    /** Runs a future this thread has claimed (its queue slot and charge already settled). */
    private void runStartedFuture(TaskFutureImpl<?> task) {
        if (task.isDone()) {
            CANCELLED.setOpaque(this, cancelled + 1);
            releasePermit();
            return;
        }
        if (task.stamped() || task.options.tenant() != null || listener != null || permitHeld) {
            runMeasured(task, task, task.options, task.submitNanos, task, null);
            return;
        }
        RUNNING.setOpaque(this, 1L);
        try {
            task.run();         // FutureTask.run never throws
        } finally {
            RUNNING.setOpaque(this, 0L);
            COMPLETED.setOpaque(this, completed + 1);
        }
        Throwable failure = task.failure;
        if (failure != null && !task.isCancelled()) {
            taskThrew(task, failure, false);
        }
    }

    /** Under an ordering policy: the task was claimed when it was dispatched. */
    private void runOrdered(Runnable task) {
        QueuedTask queued = (QueuedTask) task;
        started(queued.options().cost());
        if (task instanceof RunnableTask) {
            RunnableTask wrapped = (RunnableTask) task;
            runMeasured(wrapped.delegate, wrapped.delegate, wrapped.options, wrapped.submitNanos, null, queued);
        } else {
            TaskFutureImpl<?> future = (TaskFutureImpl<?>) task;
            if (future.isDone()) {
                CANCELLED.setOpaque(this, cancelled + 1);
                releasePermit();
                return;
            }
            runMeasured(future, future, future.options, future.submitNanos, future, queued);
        }
    }

    /**
     * Runs a task with two clock readings, for what needs them: queue latency (a timed task),
     * tenant service, deadline misses, the ordering policy's accounting, the listener.
     *
     * @param future the task's future, or null for a plain Runnable (whose exceptions are reported)
     * @param queued the task as its backlog holds it, or null outside an ordering policy
     */
    private void runMeasured(Runnable body, Object userTask, TaskOptions options, long submitNanos,
                             TaskFutureImpl<?> future, QueuedTask queued) {
        long start = System.nanoTime();
        if (submitNanos != 0) {
            recordLatency(start - submitNanos);
        }
        if (listener != null) {
            scheduler.fireStarted(userTask, index);
        }
        Throwable failure = null;
        RUNNING.setOpaque(this, 1L);
        try {
            body.run();
        } catch (Throwable t) {
            failure = t;
        } finally {
            RUNNING.setOpaque(this, 0L);
            COMPLETED.setOpaque(this, completed + 1);
        }
        long end = System.nanoTime();
        long runNanos = end - start;
        if (options.tenant() != null) {
            scheduler.tenantStats(options).record(runNanos);
        }
        if (options.hasDeadline() && submitNanos != 0) {
            long deadline = submitNanos + options.relativeDeadlineNanos();
            if (start - deadline > 0) {
                LATE_STARTS.setOpaque(this, lateStarts + 1);
            }
            if (end - deadline > 0) {
                DEADLINE_MISSES.setOpaque(this, deadlineMisses + 1);
            }
        }
        if (queued != null) {
            pendingFinish = queued;
            pendingBacklog = globalScope ? scheduler.globalBacklog : backlog;
            pendingRunNanos = runNanos;
            if (globalScope && !queued.options().isMovable()) {
                pendingFinish = null;   // a pinned task in GLOBAL scope never was in the shared backlog
            }
        }
        boolean cancelledWhileRunning = future != null && future.isCancelled();
        if (future != null) {
            failure = cancelledWhileRunning ? null : future.failure;
        }
        if (permitHeld) {
            // report to the breaker before an Error can end this thread
            permitHeld = false;
            if (cancelledWhileRunning) {
                breaker.release(permit);    // a cancellation is not the agent's failure
            } else if (failure != null) {
                breaker.onFailure(permit, runNanos, failure);
            } else {
                breaker.onSuccess(permit, runNanos);
            }
        }
        if (failure != null) {
            taskThrew(userTask, failure, future == null);
        } else if (listener != null) {
            scheduler.fireCompleted(userTask, index, runNanos);
        }
    }

    /**
     * Accounts a task that threw. An exception from a plain Runnable goes to the thread's uncaught
     * exception handler (a future reports it through get() instead); an Error is rethrown, which
     * ends this thread after a replacement took over.
     */
    private void taskThrew(Object userTask, Throwable failure, boolean report) {
        FAILED.setOpaque(this, this.failed + 1);
        if (listener != null) {
            scheduler.fireFailed(userTask, index, failure);
        }
        if (failure instanceof Error) {
            throw (Error) failure;
        }
        if (report) {
            Thread me = Thread.currentThread();
            try {
                me.getUncaughtExceptionHandler().uncaughtException(me, failure);
            } catch (Throwable ignored) {
                // a broken handler must not take the agent down
            }
        }
    }

    private void recordLatency(long nanos) {
        latency.recordValue(LatencyHistograms.clamp(nanos));
    }

    // ================================================================ helping while a task waits

    /**
     * The running task waits for {@code task}'s future: if the task is still queued and may run
     * here, claim it and run it on this thread now (see HelpingWait). Owner thread only.
     *
     * @return whether it ran
     */
    boolean tryRunAwaited(TaskFutureImpl<?> task) {
        int affinity = task.options.affinity();
        if (task.owner != scheduler || !task.isQueued() || (affinity >= 0 && affinity != index)
                || (breaker != null && !accepting) || scheduler.runState() >= LoadstarScheduler.STOP) {
            return false;
        }
        return runInsideWait(task);
    }

    /**
     * The running task waits for a future that is not queued here: run one task from this agent's
     * queues or stolen from another, as the loop would. Owner thread only.
     *
     * @return whether a task ran
     */
    boolean runOneWhileWaiting() {
        if (helpDepth >= HelpingWait.MAX_DEPTH || (breaker != null && !accepting)
                || scheduler.runState() >= LoadstarScheduler.STOP) {
            return false;
        }
        return runInsideWait(null);
    }

    /**
     * Runs {@code awaited}, or else one queued or stolen task, inside the running task's wait,
     * keeping the waiting task's state: its breaker permit (a dispatch or a run takes the next
     * task's permit into the same fields) and the running flag.
     */
    private boolean runInsideWait(TaskFutureImpl<?> awaited) {
        boolean outerPermitHeld = permitHeld;
        long outerPermit = permit;
        permitHeld = false;
        helpDepth++;
        try {
            return awaited != null ? runAwaited(awaited) : runOneQueued();
        } finally {
            helpDepth--;
            permitHeld = outerPermitHeld;
            permit = outerPermit;
            RUNNING.setOpaque(this, 1L);
        }
    }

    private boolean runAwaited(TaskFutureImpl<?> task) {
        if (breaker != null) {
            long p = breaker.tryAcquire();
            if (p == AgentBreaker.NOT_PERMITTED) {
                return false;
            }
            permit = p;
            permitHeld = true;
        }
        if (!task.tryStartByWaiter()) {
            releasePermit();
            return false;
        }
        // the queue slot is freed now; the extra cost stays with the stale entry (see dropped)
        if (scheduler.bounded) {
            scheduler.releaseQueuedSlot();
        }
        runStartedFuture(task);
        return true;
    }

    private boolean runOneQueued() {
        Runnable task = ordered ? dispatchOrdered() : deque.pop();
        if (task == null && !ordered) {
            task = pollShared();
        }
        if (task == null) {
            task = stealOnce();
        }
        if (task == null) {
            task = sweepBusyAgents();
        }
        if (task == null) {
            return false;
        }
        runTask(task);
        if (ordered) {
            settleNestedFinish();
        }
        return true;
    }

    /**
     * Under an ordering policy, charges the task just run inside a wait to its backlog now: the
     * waiting task's own charge will take the deferred slot when it ends.
     */
    private void settleNestedFinish() {
        if (pendingFinish == null) {
            return;
        }
        if (globalScope) {
            scheduler.globalLock.lock();
            try {
                finishPending(System.nanoTime());
            } finally {
                scheduler.globalLock.unlock();
            }
            return;
        }
        while (!tryClaim()) {
            if (scheduler.runState() >= LoadstarScheduler.STOP) {
                pendingFinish = null;   // shutdownNow holds the claim for good; the backlog is drained
                return;
            }
            Thread.onSpinWait();
        }
        try {
            finishPending(System.nanoTime());
        } finally {
            releaseClaim();
        }
    }

    // ================================================================ as a spare

    private static final long FIRST_SPARE_SLEEP_NANOS = 20_000L;
    private static final long LONGEST_SPARE_SLEEP_NANOS = 1_000_000L;

    /**
     * The loop of a spare (see SpareAgent): runs its own queued tasks and, while {@code control}
     * needs it, steals — from its agent first, whose thread is blocked — sleeping a back-off when
     * there is nothing to take (a spare is outside the idle protocol). Returns once it is not needed
     * and its own queues are empty. After STOP it runs its leftovers, as an agent does.
     */
    void runAsSpare(SpareAgent control) {
        Agent blocked = scheduler.agents[index];
        long sleep = FIRST_SPARE_SLEEP_NANOS;
        for (;;) {
            if (scheduler.runState() >= LoadstarScheduler.STOP) {
                Runnable leftover;
                while ((leftover = leftoversAfterStop()) != null) {
                    runTask(leftover);
                }
                pendingFinish = null;   // the backlogs were drained
                return;
            }
            Runnable task = ordered ? dispatchOrdered() : deque.pop();
            if (task == null && control.needed()) {
                task = ordered ? stealOrdered(blocked) : stealFrom(blocked);
                if (task == null) {
                    task = sweepBusyAgents();
                }
                if (task == null) {
                    task = stealOnce();
                }
            }
            if (task != null) {
                runTask(task);
                sleep = FIRST_SPARE_SLEEP_NANOS;
                continue;
            }
            if (!control.needed() && backlog() == 0) {
                if (ordered) {
                    settleNestedFinish();
                }
                return;
            }
            LockSupport.parkNanos(this, sleep);
            Thread.interrupted();   // an interrupt aimed at a task that has ended must not reach the next
            sleep = Math.min(sleep << 1, LONGEST_SPARE_SLEEP_NANOS);
        }
    }

    // ================================================================ submissions from this agent's tasks

    /** Pushes a task spawned by this agent's running task. Owner thread only. */
    void pushLocal(Runnable task) {
        if (deque.push(task) && !spare) {
            // empty -> non-empty: make the push visible before reading the idle counts (Dekker)
            VarHandle.fullFence();
            scheduler.idle.signal(null);
        }
    }

    /** Whether this spawn should carry a latency timestamp (one in samplingInterval). Owner only. */
    boolean sampleSpawn(int mask) {
        return (++spawns & mask) == 0;
    }

    // ================================================================ claims and helpers

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

    /** The agent's thread starts (or a replacement takes over). */
    void markRunning() {
        BUSY_START.setOpaque(this, System.nanoTime());
        ACTIVITY.setOpaque(this, (long) AgentState.RUNNING.ordinal());
    }

    boolean isTransferring() {
        return (long) TRANSFERRING.getVolatile(this) != 0L;
    }

    void addExtraCost(long delta) {
        if (delta != 0) {
            EXTRA_COST.getAndAdd(this, delta);
        }
    }

    private int nextRandom() {
        long x = seed;
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        seed = x;
        return (int) (x >>> 32);
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

    /** The exact load (for the metrics): queued tasks, the running one and extra cost, per capacity. */
    double exactLoad() {
        long queued = (long) backlog()
                + (long) RUNNING.getOpaque(this) + Math.max(0L, (long) EXTRA_COST.getOpaque(this));
        return queued / capacity;
    }

    /**
     * This agent's figures; with {@code spare} (its spare, or null) the tasks the spare ran, stole
     * and moved are counted as this agent's: it ran them on this agent's behalf.
     */
    AgentMetrics snapshot(long now, Agent spare) {
        AgentState state = AgentState.values()[(int) (long) ACTIVITY.getOpaque(this)];
        long busy = (long) BUSY_NANOS.getOpaque(this);
        if (state == AgentState.RUNNING) {
            busy += Math.max(0, now - (long) BUSY_START.getOpaque(this));
        }
        long lifetime = Math.max(1, now - startNanos);
        busy = Math.min(busy, lifetime);
        Thread t = thread;
        return new AgentMetrics(
                index,
                t == null ? "" : t.getName(),
                state,
                capacity,
                backlog() + (spare == null ? 0 : spare.backlog()),
                (long) RUNNING.getOpaque(this) != 0L,
                sum(COMPLETED, spare),
                sum(FAILED, spare),
                sum(CANCELLED, spare),
                sum(STEALS_IN, spare),
                sum(STEALS_OUT, spare),
                sum(MIGRATED_IN, spare),
                sum(MIGRATED_OUT, spare),
                (long) PARKS.getOpaque(this),
                sum(LATE_STARTS, spare),
                sum(DEADLINE_MISSES, spare),
                busy,
                (double) busy / lifetime,
                exactLoad(),
                breaker == null ? "NONE" : breaker.state(),
                (long) BREAKER_TRANSITIONS.getOpaque(this),
                (long) REROUTED.getOpaque(this));
    }

    private long sum(VarHandle counter, Agent spare) {
        long own = (long) counter.getOpaque(this);
        return spare == null ? own : own + (long) counter.getOpaque(spare);
    }

    @Override
    public String toString() {
        return "Agent[" + index + "]";
    }
}
