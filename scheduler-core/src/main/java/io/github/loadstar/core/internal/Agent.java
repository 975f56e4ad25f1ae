package io.github.loadstar.core.internal;

import io.github.loadstar.core.metrics.AgentState;
import io.github.loadstar.core.spi.AgentBreaker;
import io.github.loadstar.core.spi.Backlog;
import java.util.concurrent.locks.LockSupport;
import org.agrona.concurrent.IdleStrategy;

/*
 * An agent: one worker thread and the queues it owns. This file holds its thread body — one loop
 * per mode (FIFO, FIFO with a breaker, ordered), chosen once when the thread starts — and the two
 * ways its thread runs work outside that loop: inside a task that waits for a future
 * (HelpingWait), and as a spare while another agent's thread blocks (SpareAgent). Its state and
 * the parts of its work are the layers it extends; AgentBase lists them.
 *
 * The FIFO loop (nextFifo)
 *   1. every 64th task, look at the shared queues first, starting from each of them in turn
 *      (pinned, inbox, global: AgentStealing.pollSharedInTurn), so a stream of local spawns, or of
 *      tasks through one shared queue, cannot starve the others;
 *   2. pop the deque;
 *   3. take from pinned, then move a batch (up to 32) from the inbox to the deque and run the
 *      oldest (AgentStealing.pullInbox);
 *   4. poll the global injection queue;
 *   5. search: steal in batches from victims chosen by the StealPolicy, sweep every busy agent,
 *      then park (AgentSearch, IdleControl).
 */

/** One worker of a {@link LoadstarScheduler}: its thread body and its loops. */
final class Agent extends AgentSearch implements Runnable {
    /**
     * The spare of agent {@code parent}: its own queues and counters under the parent's index, no
     * breaker, never in the scheduler's agent array (see SpareAgent).
     */
    static Agent spareFor(Agent parent, GuardedBacklog backlog) {
        return new Agent(parent, backlog);
    }

    Agent(LoadstarScheduler scheduler, int index, double capacity, IdleStrategy idleStrategy, int spinRounds,
          int stealBatch, long startNanos, GuardedBacklog backlog, AgentBreaker breaker) {
        super(scheduler, index, capacity, idleStrategy, spinRounds, stealBatch, startNanos, backlog, breaker, false);
    }

    private Agent(Agent parent, GuardedBacklog backlog) {
        super(parent.scheduler, parent.index, parent.capacity, parent.scheduler.newIdleStrategy(), parent.spinRounds,
                0, System.nanoTime(), backlog, null, true);
    }

    // ================================================================ the thread body

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
        if (membership == AgentRemoval.DRAINED) {
            AgentRemoval.onRemoved(scheduler, this);   // removed from a running scheduler
            return;
        }
        ACTIVITY.setOpaque(this, (long) AgentState.TERMINATED.ordinal());
        scheduler.onAgentExit(this);
    }

    /**
     * The loop, chosen once for the scheduler's mode: the hot loop carries no configuration branch.
     * A thread starts in the search (whose first look is at its own queues), so that its busy time
     * starts with its first task, wherever that task was waiting.
     */
    private void work() {
        RemoteAgent r = remote;
        if (r != null) {
            r.run();    // a remote agent admits its tasks to a member instead of running them
            return;
        }
        Runnable task = searchOrLeftovers();
        if (ordered) {
            for (; task != null; task = nextOrdered()) {
                runTaskOrdered(task);
            }
        } else if (breaker != null) {
            for (; task != null; task = nextGuarded()) {
                runTaskGuarded(task);
            }
        } else {
            for (; task != null; task = nextFifo()) {
                runTaskFifo(task);
            }
        }
    }

    /**
     * FIFO: every 64th task the shared queues first (so local spawns cannot starve external work),
     * then the deque, the shared queues, and the search. Null when the agent must exit.
     */
    private Runnable nextFifo() {
        if (scheduler.runState() >= LoadstarScheduler.STOP) {
            return leftoversAfterStop();
        }
        Runnable task;
        if ((long) REBALANCE_ORDER.getOpaque(this) != 0) {
            if ((task = followRebalanceOrder()) != null) {
                return task;
            }
            if (membership != AgentRemoval.ACTIVE) {
                return searchOrLeftovers();     // being removed: the search runs the drain
            }
        }
        if ((++ticks & FAIRNESS_MASK) == 0 && (task = pollSharedInTurn((int) ((ticks >>> 6) % 3))) != null) {
            return task;
        }
        if ((task = deque.pop()) != null || (task = pollShared()) != null) {
            return task;
        }
        return searchOrLeftovers();
    }

    /** FIFO with a breaker: as FIFO, but an agent whose breaker does not admit work takes nothing. */
    private Runnable nextGuarded() {
        if (accepting) {
            return nextFifo();
        }
        if (scheduler.runState() >= LoadstarScheduler.STOP) {
            return leftoversAfterStop();
        }
        return searchOrLeftovers();     // the search suspends the agent first
    }

    /** Under an ordering policy: the next task in policy order, claimed; else the search. */
    private Runnable nextOrdered() {
        if (scheduler.runState() >= LoadstarScheduler.STOP) {
            return leftoversAfterStop();
        }
        Runnable task = null;
        if ((long) REBALANCE_ORDER.getOpaque(this) != 0) {
            task = followRebalanceOrder();
            if (task == null && membership != AgentRemoval.ACTIVE) {
                return searchOrLeftovers();     // being removed: the search runs the drain
            }
        }
        if (task == null && (breaker == null || accepting)) {
            task = dispatchOrdered();
        }
        return task != null ? task : searchOrLeftovers();
    }

    private Runnable searchOrLeftovers() {
        Runnable task = search();
        if (task == null && scheduler.runState() >= LoadstarScheduler.STOP) {
            return leftoversAfterStop();
        }
        return task;
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
                || (affinity < 0 && breakerRefuses()) || scheduler.runState() >= LoadstarScheduler.STOP) {
            return false;
        }
        // a task pinned here runs here or nowhere: the breaker's permit decides (an expired open
        // breaker half-opens for it); a movable one is left to the agents that take work
        return runInsideWait(task);
    }

    /** Whether this agent's breaker keeps work off it now (as {@code accepting} does, removal aside). */
    private boolean breakerRefuses() {
        return breaker != null && !breaker.admitsWork();
    }

    /**
     * The running task waits for a future that is not queued here: run one task from this agent's
     * queues or stolen from another, as the loop would. Owner thread only.
     *
     * @return whether a task ran
     */
    boolean runOneWhileWaiting() {
        if (helpDepth >= HelpingWait.MAX_DEPTH || scheduler.runState() >= LoadstarScheduler.STOP) {
            return false;
        }
        if (accepting) {
            return runInsideWait(null);
        }
        // This agent takes no work (being removed, or its breaker open), and its loop — which would
        // move its queued movable tasks to the others — waits behind this task. Those tasks may be
        // what this task waits for (a subtask it submitted, queued here), and under an ordering
        // policy thieves stop at a pinned task at the head of its backlog: so move them now.
        if (membership != AgentRemoval.ACTIVE) {
            return runInsideWait(null);     // drains as the loop would, running a pinned task
        }
        if (breaker != null) {
            evacuate(scheduler.failPinnedOnOpenAgent());
        }
        return false;
    }

    /**
     * Runs {@code awaited}, or else one queued or stolen task, inside the running task's wait,
     * keeping the waiting task's state: its breaker permit (a dispatch or a run takes the next
     * task's permit into the same fields) and the running flag.
     */
    private boolean runInsideWait(TaskFutureImpl<?> awaited) {
        boolean outerPermitHeld = permitHeld;
        long outerPermit = permit;
        boolean outerInterrupt = interruptForWaiter;     // owed to a wait further out, if this one nests
        permitHeld = false;
        interruptForWaiter = false;
        helpDepth++;
        try {
            if (awaited != null) {
                return runAwaited(awaited);
            }
            Runnable task = membership == AgentRemoval.ACTIVE ? nextQueued() : AgentRemoval.handOffAndTakePinned(this);
            if (task == null) {
                return false;
            }
            runTask(task);
            afterHelpedTask(task);
            if (ordered) {
                settleNestedFinish();
            }
            return true;
        } finally {
            helpDepth--;
            interruptForWaiter = outerInterrupt;
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
        if (deque.tryUnpush(task)) {
            // on top of this agent's deque (a subtask just spawned): taken out, claimed as usual
            if (!task.tryStart()) {
                dropped(task);
                releasePermit();
                return false;
            }
            started(task.options.cost());
        } else {
            // queued elsewhere: claimed where it is; its queue entry stays behind, stale
            if (!task.tryStartByWaiter()) {
                releasePermit();
                return false;
            }
            if (scheduler.bounded) {
                scheduler.releaseQueuedSlot();
            }
        }
        runStartedFuture(task, null);
        return true;
    }

    /**
     * One task from this agent's own queues, or stolen, as the loop would take it (being removed, the
     * drain's hand-off and pinned tasks instead: AgentRemoval.handOffAndTakePinned).
     */
    private Runnable nextQueued() {
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
        return task;
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

    /** Whether this spawn should carry a latency timestamp (one in samplingInterval). Owner only. */
    boolean sampleSpawn(int mask) {
        return (++spawns & mask) == 0;
    }

    @Override
    public String toString() {
        return "Agent[" + index + "]";
    }
}
