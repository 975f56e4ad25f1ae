package io.github.loadstar.core.internal;

import io.github.loadstar.core.spi.AgentBreaker;
import io.github.loadstar.core.spi.Backlog;
import java.lang.invoke.VarHandle;
import org.agrona.concurrent.IdleStrategy;

/*
 * The FIFO queues of an agent, how work enters them and how it leaves them for other agents.
 *
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
 */

/** An agent's FIFO queues and steals; see the layers in {@link AgentBase}. */
abstract class AgentStealing extends AgentOrdered {
    AgentStealing(LoadstarScheduler scheduler, int index, double capacity, IdleStrategy idleStrategy, int spinRounds,
                  int stealBatch, long startNanos, GuardedBacklog backlog, AgentBreaker breaker, boolean spare) {
        super(scheduler, index, capacity, idleStrategy, spinRounds, stealBatch, startNanos, backlog, breaker, spare);
    }

    /**
     * The fairness turn of the FIFO loop: the shared queues, starting from a different one each
     * turn — pinned, inbox, global in rotation — so that a queue that never empties (a task that
     * keeps submitting its successor there) cannot keep the other two waiting: each is looked at
     * first at least once every three turns.
     */
    final Runnable pollSharedInTurn(int turn) {     // turn: 0, 1 or 2
        Runnable task;
        switch (turn) {
            case 0:
                return pollShared();
            case 1:
                if (!inbox.isEmpty() && (task = pullInbox()) != null) {
                    return task;
                }
                if ((task = pollGlobal()) != null) {
                    return task;
                }
                return pinned.isEmpty() ? null : pollPinned();
            default:
                if ((task = pollGlobal()) != null) {
                    return task;
                }
                if (!pinned.isEmpty() && (task = pollPinned()) != null) {
                    return task;
                }
                return inbox.isEmpty() ? null : pullInbox();
        }
    }

    /** Pinned queue, then a batch from the inbox, then the global queue. */
    final Runnable pollShared() {
        Runnable task;
        if (!pinned.isEmpty() && (task = pollPinned()) != null) {
            return task;
        }
        if (!inbox.isEmpty() && (task = pullInbox()) != null) {
            return task;
        }
        return pollGlobal();
    }

    /**
     * Moves up to {@link #INBOX_BATCH} tasks from the inbox to the deque and returns the oldest.
     * The claim is held until the batch is in the deque (see the shutdown protocol).
     */
    final Runnable pullInbox() {
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
    final void pushBatchOldestOnTop(int n) {
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

    final Runnable stealOnce() {
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
    final int selectVictims() {
        int r = nextRandom();
        int n = scheduler.agents.length;
        int count;
        try {
            count = scheduler.settings.stealPolicy().selectVictims(index, scheduler, r, victims);
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
    final Runnable sweepBusyAgents() {
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
    final Runnable stealFrom(Agent victim) {
        int n = 0;
        if (!victim.deque.isEmpty()) {
            TRANSFERRING.setVolatile(this, 1L);
            try {
                if (scheduler.runState() < LoadstarScheduler.STOP) {
                    // a spawned tree: the oldest is the largest, take one; a rebalancing order takes its count
                    n = victim.deque.stealBatch(buffer, stealCap > 0
                            ? (int) Math.min(stealCap, scheduler.settings.stealBatchLimit()) : 1);
                    if (n > 0) {
                        accountSteal(victim, n);
                        return takeFirstQueueRest(n);
                    }
                }
            } finally {
                TRANSFERRING.setRelease(this, 0L);
            }
        }
        if (victim.inbox.isEmpty()) {
            return null;
        }
        if (AgentRemoval.gone(victim)) {
            AgentRemoval.rescue(victim);    // nothing may stay behind in a slot without a thread
            return null;
        }
        if (victim.tryClaim()) {
            try {
                int limit = Math.min(scheduler.settings.stealBatchLimit(), shareOf(victim, victim.inbox.size()));
                if (stealCap > 0 && stealCap < limit) {
                    limit = (int) stealCap;     // a rebalancing order takes no more than it was told
                }
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

    final Runnable takeFirstQueueRest(int n) {
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

    // ================================================================ submissions from this agent's tasks

    /** Pushes a task spawned by this agent's running task. Owner thread only. */
    /**
     * Carries out the coordinator's rebalancing order, if one is pending: steals from the named
     * victim through the usual steal path (whatever the steal policy; pinned tasks never move), up
     * to the ordered number of tasks, keeps them in this agent's queues and returns one to run.
     * Owner only.
     * <p>An order is cleared once carried out, or once the victim has no movable work left, so the
     * coordinator does not plan on loads still moving. An order cut short while the victim still
     * has work (its claim was held by a thief or by another receiver; under an ordering policy one
     * steal takes one batch) stays, for the tasks still owed, and is resumed at the next turn of
     * this agent's loop; the coordinator withdraws an order that makes no progress for some rounds.
     */
    final Runnable followRebalanceOrder() {
        long order = (long) REBALANCE_ORDER.getOpaque(this);
        if (order == 0) {
            return null;
        }
        if (order == AgentRemoval.DRAIN) {
            return AgentRemoval.step((Agent) this);     // being removed (see AgentRemoval)
        }
        int tasks = (int) (order >>> 32);
        Agent victim = scheduler.agents[(int) order - 1];
        long rest = 0;
        try {
            if (victim == this || !accepting) {
                return null;
            }
            Runnable first = carryOut(victim, tasks);
            long owed = tasks - orderMoved;
            if (owed > 0 && victim.backlog() > 1 && scheduler.runState() < LoadstarScheduler.STOP) {
                rest = (owed << 32) | (order & 0xFFFF_FFFFL);
            }
            return first;
        } finally {
            // an order that replaced this one meanwhile stays
            REBALANCE_ORDER.compareAndSet(this, order, rest);
        }
    }

    /** Failed steals in a row (the victim's claim held by another) before an order waits for the next turn. */
    private static final int CONTENDED_TRIES = 64;

    /** Steals up to {@code tasks} from the victim; the count taken is left in {@link #orderMoved}. */
    private Runnable carryOut(Agent victim, int tasks) {
        lastStolen = 0;
        stealCap = tasks;
        try {
            Runnable first = ordered ? stealOrdered(victim) : stealFrom(victim);
            long moved = first == null ? 0 : lastStolen;
            if (first != null && !ordered) {
                // count tasks, not steals: one steal from an inbox takes a batch
                int contended = 0;
                while (moved < tasks) {
                    lastStolen = 0;
                    stealCap = tasks - moved;
                    Runnable next = stealFrom(victim);
                    if (next == null) {
                        // the victim's claim was held (its owner or another thief, briefly): try a
                        // little longer before leaving the rest of the order for the next loop turn
                        if (++contended > CONTENDED_TRIES || (victim.deque.isEmpty() && victim.inbox.isEmpty())) {
                            break;
                        }
                        Thread.onSpinWait();
                        continue;
                    }
                    contended = 0;
                    moved += lastStolen;
                    pushLocal(next);
                }
            }
            orderMoved = moved;
            return first;
        } finally {
            stealCap = 0;
        }
    }

    void pushLocal(Runnable task) {
        if (deque.push(task) && !spare) {
            // empty -> non-empty: make the push visible before reading the idle counts (Dekker)
            VarHandle.fullFence();
            scheduler.idle.signal(null);
        }
    }
}
