package io.github.loadstar.core.internal;

import io.github.loadstar.core.TaskOptions;
import io.github.loadstar.core.metrics.AgentState;
import io.github.loadstar.core.spi.AgentBreaker;
import io.github.loadstar.core.spi.Backlog;
import io.github.loadstar.core.spi.QueuedTask;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.LockSupport;
import org.agrona.concurrent.IdleStrategy;

/*
 * The circuit breaker around an agent (when the scheduler has agent breakers). In FIFO mode a
 * permit is taken per task before it is claimed (AgentRunning.acquirePermit); under an ordering
 * policy at dispatch (AgentOrdered.pollStarted). A refused task is rerouted: movable to the shared
 * queue, pinned back to this agent (WAIT) or failed (FAIL). An agent whose breaker does not admit
 * work evacuates its queued movable tasks, then sleeps until the breaker lets trials through — its
 * own thread is the breaker's timer — and takes work again. `accepting` follows the breaker's state
 * even when transitions race on several threads (refreshAccepting). Every move is a transfer in
 * the sense of the shutdown protocol (AgentStealing).
 */

/** An agent's circuit-breaker guard; see the layers in {@link AgentBase}. */
abstract class AgentGuard extends AgentRunning {
    AgentGuard(LoadstarScheduler scheduler, int index, double capacity, IdleStrategy idleStrategy, int spinRounds,
               int stealBatch, long startNanos, GuardedBacklog backlog, AgentBreaker breaker, boolean spare) {
        super(scheduler, index, capacity, idleStrategy, spinRounds, stealBatch, startNanos, backlog, breaker, spare);
    }

    /** The breaker changed state (on whichever thread caused it). */
    void onBreakerTransition(String from, String to, String reason) {
        boolean admits = refreshAccepting();
        BREAKER_TRANSITIONS.getAndAdd(this, 1L);
        scheduler.events.fireBreakerTransition(index, from, to, reason);
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
    final boolean refreshAccepting() {
        boolean admits;
        do {
            admits = breaker.admitsWork() && membership == AgentRemoval.ACTIVE;
            accepting = admits;
        } while ((breaker.admitsWork() && membership == AgentRemoval.ACTIVE) != admits);
        return admits;
    }

    /**
     * The breaker refused a task this agent had taken (FIFO: before claiming it). A movable task
     * goes to the shared queue for the other agents; a pinned one waits here or fails. The move is
     * a transfer in the sense of the shutdown protocol.
     */
    final void reroute(Runnable task) {
        TRANSFERRING.setVolatile(this, 1L);
        try {
            if (scheduler.runState() >= LoadstarScheduler.STOP) {
                // shutdownNow may have drained the shared queue already; a task taken runs
                runUnguarded(task);
                return;
            }
            moveOrKeep(task, scheduler.failPinnedOnOpenAgent());
        } finally {
            TRANSFERRING.setRelease(this, 0L);
        }
        if (!accepting) {
            return;
        }
        // refused while admitting work (half-open trials all in flight): do not spin on it
        LockSupport.parkNanos(this, 100_000L);
    }

    /**
     * Sends a refused or evacuated task away: movable to the shared queue; pinned to this agent
     * back into its pinned queue (WAIT) or failed ({@code failPinned}: FAIL).
     */
    final void moveOrKeep(Runnable task, boolean failPinned) {
        TaskOptions options = optionsOf(task);
        if (options != null && options.affinity() == index) {
            if (failPinned) {
                failPinned(task);
            } else if (ordered && !globalScope) {
                inbox.offer(task);      // drained into the backlog again when trials run
            } else {
                pinned.offer(task);
            }
            return;
        }
        handToShared(task);
        REROUTED.setOpaque(this, rerouted + 1);
        scheduler.idle.wakeOne();
    }

    /**
     * Hands a movable task taken from this agent's queues to the shared queue: its cost leaves this
     * agent's load, and it is counted as a migration and reported. Any thread (the counters it
     * touches are atomic), under this agent's claim or as its owner.
     */
    final void handToShared(Runnable task) {
        long extra = WrappedTask.extraCostOf(task);
        if (extra != 0) {
            addExtraCost(-extra);
        }
        scheduler.global.offer(task);
        MIGRATED_OUT.getAndAdd(this, 1L);
        if (listener != null) {
            scheduler.events.fireMigrated(task, index, -1);
        }
    }

    private static TaskOptions optionsOf(Runnable task) {
        WrappedTask wrapped = WrappedTask.of(task);
        return wrapped == null ? null : wrapped.options();
    }

    /** PinnedOnOpenAgent.FAIL: the task is rejected (exactly once: it is claimed first). */
    final void failPinned(Runnable task) {
        RejectedExecutionException e = new RejectedExecutionException("agent " + index + " of scheduler "
                + scheduler.name() + ": its circuit breaker is " + breaker.state() + " and the task is pinned to it");
        WrappedTask wrapped = WrappedTask.of(task);
        if (wrapped != null && wrapped.tryClaim(TaskClaim.REJECTED)) {
            scheduler.countRejectedPinned(task);
            if (wrapped.options.tenant() != null) {
                scheduler.figures.registered(wrapped.options).left();
            }
            wrapped.rejectClaimed(e);
        }
    }

    /**
     * The breaker does not admit work: move this agent's queued movable tasks to the others, deal
     * with its pinned tasks, then sleep until the breaker lets trials through (the agent's own
     * thread is the breaker's timer: no extra thread), and return.
     */
    final void suspend() {
        evacuate(scheduler.failPinnedOnOpenAgent());
        ACTIVITY.setOpaque(this, (long) AgentState.SUSPENDED.ordinal());
        scheduler.agentSuspended(true);
        try {
            // a removal (AgentRemoval) ends the suspension too: the agent drains, under its breaker's rules
            while (!accepting && membership == AgentRemoval.ACTIVE && scheduler.runState() < LoadstarScheduler.TIDYING) {
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
            scheduler.agentSuspended(false);
            ACTIVITY.setOpaque(this, (long) AgentState.SEARCHING.ordinal());
        }
    }

    /**
     * Moves every queued movable task of this agent to the shared queue (a transfer); pinned tasks
     * stay, or fail if {@code failPinned} (an open breaker with PinnedOnOpenAgent.FAIL).
     */
    final void evacuate(boolean failPinned) {
        TRANSFERRING.setVolatile(this, 1L);
        try {
            if (scheduler.runState() >= LoadstarScheduler.STOP) {
                return;
            }
            Runnable task;
            while ((task = deque.pop()) != null) {
                moveOrKeep(task, failPinned);
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
                        kept.add(WrappedTask.runnable(queued));
                    }
                    publishOrderedSize(0);
                }
                if (failPinned) {
                    while ((task = pinned.relaxedPoll()) != null) {
                        kept.add(task);
                    }
                }
                CONSUMED_HINT.setOpaque(this, inboxIndices.currentConsumerIndex());
                for (Runnable t : kept) {
                    moveOrKeep(t, failPinned);
                }
            } finally {
                releaseClaim();
            }
        } finally {
            TRANSFERRING.setRelease(this, 0L);
        }
    }
}
