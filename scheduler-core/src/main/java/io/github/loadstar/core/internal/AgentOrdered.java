package io.github.loadstar.core.internal;

import io.github.loadstar.core.spi.AgentBreaker;
import io.github.loadstar.core.spi.Backlog;
import io.github.loadstar.core.spi.QueuedTask;
import java.util.concurrent.locks.ReentrantLock;
import org.agrona.concurrent.IdleStrategy;

/*
 * Dispatch under an ordering policy (EDF, CFS, WFQ, MLFQ or a user's). Every task goes through a
 * Backlog: the agent's own (PER_AGENT scope), used only under the agent's claim, or the shared one
 * (GLOBAL scope), under the scheduler's lock. The owner moves its inbox into its backlog and polls
 * the next task in policy order; the task is claimed and started at dispatch, and its run time is
 * charged to the backlog at the next dispatch (pendingFinish), under the same claim or lock.
 * Thieves take the victim's most urgent *movable* tasks — its backlog's head, up to half — into
 * their own backlog; a pinned task at the head stops them. Policy calls go through
 * GuardedBacklog, so a policy that throws costs order, never a task, and a policy is charged only
 * for tasks it gave out itself: the start's token travels with the run (startedToken, pendingToken).
 */

/** Dispatch and steals under an ordering policy; see the layers in {@link AgentBase}. */
abstract class AgentOrdered extends AgentGuard {
    AgentOrdered(LoadstarScheduler scheduler, int index, double capacity, IdleStrategy idleStrategy, int spinRounds,
                 int stealBatch, long startNanos, GuardedBacklog backlog, AgentBreaker breaker, boolean spare) {
        super(scheduler, index, capacity, idleStrategy, spinRounds, stealBatch, startNanos, backlog, breaker, spare);
    }

    /**
     * The next task in policy order, already started (claimed): from this agent's backlog after
     * moving its inbox in, or from the shared backlog in GLOBAL scope. Null if there is none, or if
     * a thief holds this agent's claim at this moment (the search loop comes back at once).
     */
    final Runnable dispatchOrdered() {
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
                int batch = scheduler.settings.stealBatchLimit();
                for (int i = 0; i < batch && (shared = pollGlobal()) != null; i++) {
                    backlog.offer(WrappedTask.queued(shared), now);
                }
            }
            finishPending(now);
            task = pollStarted(backlog, now);
            publishOrderedSize(backlog.size());
        } finally {
            releaseClaim();
        }
        return task == null ? null : WrappedTask.runnable(task);
    }

    /** GLOBAL scope: pinned tasks first (FIFO), then the shared backlog under the shared lock. */
    final Runnable dispatchGlobal() {
        if (!pinned.isEmpty()) {
            Runnable pinnedTask = pollPinned();
            if (pinnedTask != null && claimForRun(pinnedTask)) {
                startedToken = GuardedBacklog.UNCHARGED;    // never in the shared backlog
                return pinnedTask;
            }
        }
        java.util.concurrent.locks.ReentrantLock lock = scheduler.globalLock;
        lock.lock();
        try {
            GuardedBacklog shared = scheduler.globalBacklog;
            long now = System.nanoTime();
            drainGlobalInbox(now);
            finishPending(now);
            QueuedTask task = pollStarted(shared, now);
            scheduler.globalBacklogSize = shared.size();
            return task == null ? null : WrappedTask.runnable(task);
        } finally {
            lock.unlock();
        }
    }

    /** GLOBAL scope: moves the shared inbox into the shared backlog. With the shared lock held. */
    final void drainGlobalInbox(long now) {
        GuardedBacklog shared = scheduler.globalBacklog;
        Runnable r;
        while ((r = scheduler.globalInbox.relaxedPoll()) != null) {
            shared.offer(WrappedTask.queued(r), now);
        }
    }

    /** Moves the inbox into the backlog. With the claim held, by the owner or a thief. */
    void drainInboxIntoBacklog(long now) {
        Runnable r;
        int moved = 0;
        while ((r = inbox.relaxedPoll()) != null) {
            backlog.offer(WrappedTask.queued(r), now);
            moved++;
        }
        if (moved > 0) {
            CONSUMED_HINT.setOpaque(this, inboxIndices.currentConsumerIndex());
        }
    }

    /** Polls until a task can be claimed for running (others were returned or taken back); starts it. */
    final QueuedTask pollStarted(GuardedBacklog from, long now) {
        if (breaker != null && !permitHeld) {
            long p = breaker.tryAcquire();
            if (p == AgentBreaker.NOT_PERMITTED) {
                return null;    // the search loop suspends the agent if its breaker is open
            }
            permit = p;
            permitHeld = true;
        }
        QueuedTask task = claimNext(from, now);
        if (task == null) {
            releasePermit();
        }
        return task;
    }

    /**
     * Polls until a task can be claimed for running (stale entries, claimed elsewhere already, are
     * dropped) and starts it in {@code from}, leaving the start's token in {@link #startedToken};
     * null if none. With the claim or the lock that guards {@code from}.
     */
    final QueuedTask claimNext(GuardedBacklog from, long now) {
        for (;;) {
            QueuedTask task = from.poll(now);
            if (task == null) {
                return null;
            }
            if (claimForRun(WrappedTask.runnable(task))) {
                startedToken = from.onStart(task, now);
                return task;
            }
        }
    }

    /** Claims a task polled from a backlog; a stale entry (claimed already) is dropped. */
    final boolean claimForRun(Runnable task) {
        WrappedTask wrapped = WrappedTask.of(task);
        if (wrapped.tryStart()) {
            return true;
        }
        dropped(wrapped);
        return false;
    }

    /** Charges the last task run to the backlog it came from (the owner's claim or lock held). */
    final void finishPending(long now) {
        QueuedTask done = pendingFinish;
        if (done != null) {
            pendingFinish = null;
            pendingBacklog.onFinish(done, pendingToken, pendingRunNanos, now);
        }
    }

    /**
     * Takes the victim's most urgent movable tasks (its backlog's head, after moving its inbox in),
     * up to half of its backlog, into this agent's backlog, and dispatches from there.
     */
    final Runnable stealOrdered(Agent victim) {
        if (globalScope || (victim.orderedSize == 0 && victim.inbox.isEmpty())) {
            return null;
        }
        if (AgentRemoval.gone(victim)) {
            AgentRemoval.rescue(victim);    // nothing may stay behind in a slot without a thread
            return null;
        }
        TRANSFERRING.setVolatile(this, 1L);
        try {
            long now = System.nanoTime();
            int n = takeOrderedShare(victim, now);
            if (n == 0 || !claimForTransfer(n)) {
                return null;
            }
            try {
                offerTransferred(n, now);
                finishPending(now);
                QueuedTask task = pollStarted(backlog, now);
                publishOrderedSize(backlog.size());
                return task == null ? null : WrappedTask.runnable(task);
            } finally {
                releaseClaim();
            }
        } finally {
            TRANSFERRING.setRelease(this, 0L);
        }
    }

    /**
     * The first half of an ordered steal, with {@link #TRANSFERRING} set: under the victim's claim,
     * its inbox moved into its backlog, up to a share of it (by capacity, at most the steal batch and
     * any rebalancing order's cap) taken from its head into {@link #buffer}, and the steal counted.
     *
     * @return how many (0: the victim was busy, empty of movable tasks, or the scheduler stopping)
     */
    final int takeOrderedShare(Agent victim, long now) {
        if (scheduler.runState() >= LoadstarScheduler.STOP || !victim.tryClaim()) {
            return 0;
        }
        int n;
        try {
            victim.drainInboxIntoBacklog(now);
            int limit = Math.min(scheduler.settings.stealBatchLimit(), shareOf(victim, victim.backlog.size()));
            if (stealCap > 0 && stealCap < limit) {
                limit = (int) stealCap;     // a rebalancing order takes no more than it was told
            }
            n = takeMovableHead(victim, limit, now);
        } finally {
            victim.releaseClaim();
        }
        if (n > 0) {
            accountSteal(victim, n);
        }
        return n;
    }

    /**
     * Takes this agent's claim to put the {@code n} transferred tasks in {@link #buffer} into its
     * backlog; false if the scheduler stopped first — shutdownNow holds every claim for good and
     * waits for the transfer to end, so the tasks go to it through this agent's inbox, which it
     * drains next.
     */
    final boolean claimForTransfer(int n) {
        while (!tryClaim()) {
            if (scheduler.runState() >= LoadstarScheduler.STOP) {
                for (int i = 0; i < n; i++) {
                    inbox.offer(buffer[i]);
                    buffer[i] = null;
                }
                return false;
            }
            Thread.onSpinWait();    // a thief is taking from this agent; it is brief
        }
        return true;
    }

    /** The transferred tasks in {@link #buffer} into this agent's backlog; its claim is held. */
    final void offerTransferred(int n, long now) {
        for (int i = 0; i < n; i++) {
            backlog.offer(WrappedTask.queued(buffer[i]), now);
            buffer[i] = null;
        }
    }

    /**
     * Moves up to {@code limit} of the victim's most urgent movable tasks — its backlog's head, up to
     * the first pinned one — into {@link #buffer}; the victim's claim is held.
     *
     * @return how many
     */
    final int takeMovableHead(Agent victim, int limit, long now) {
        int n = 0;
        QueuedTask head;
        while (n < limit && (head = victim.backlog.peek(now)) != null && head.options().isMovable()) {
            victim.backlog.poll(now);
            buffer[n++] = WrappedTask.runnable(head);
        }
        victim.publishOrderedSize(victim.backlog.size());
        return n;
    }

    /**
     * Under an ordering policy, charges the task just run inside a wait to its backlog now: the
     * waiting task's own charge will take the deferred slot when it ends.
     */
    final void settleNestedFinish() {
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
}
