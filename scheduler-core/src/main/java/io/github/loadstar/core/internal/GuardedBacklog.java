package io.github.loadstar.core.internal;

import io.github.loadstar.core.spi.Backlog;
import io.github.loadstar.core.spi.QueuedTask;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * An ordering policy's {@link Backlog} as the runtime uses it, with two guarantees the policy can
 * rely on.
 *
 * <p><b>A policy hears only about its own tasks.</b> {@code onStart} and {@code onFinish} reach the
 * policy only for a task that this very policy's backlog gave out by {@code poll}: a task started
 * under a policy since replaced ({@link #switchTo}) ends uncharged, since the new policy never held
 * it and its slots ({@code policyNode}, {@code policyKey}) may have been written by another backlog —
 * a task stolen while the agents are switched one by one can carry another agent's CFS entity, and
 * charging it would re-sift that foreign entity into this backlog's heap. The start returns a token
 * (the generation of the policy that gave the task out, or {@link #UNCHARGED}) that the agent keeps
 * with the task until it finishes.
 *
 * <p><b>A policy's bug costs order, never a task.</b> Every call that throws is counted and answered
 * with a safe default:
 * <ul>
 *   <li>{@code offer} threw: the task waits in a FIFO {@linkplain #fallback fallback} queue of its
 *       own, served before the policy's order (the policy may or may not hold it as well after a
 *       half-done offer; the task's claim lets only the first dispatch start it, so it still runs
 *       exactly once), and runs uncharged;</li>
 *   <li>{@code poll} or {@code peek} threw: the fallback's head, or none this time;</li>
 *   <li>{@code size} threw: the fallback's size plus the tasks the policy accepted and has not given
 *       back, as counted here — never "empty" while it holds tasks, or the agent would park with
 *       them queued and nothing would ask the policy again once it recovers;</li>
 *   <li>{@code onStart} or {@code onFinish} threw: the task runs (or ran) all the same, uncharged.</li>
 * </ul>
 * Used under the owning agent's claim, or the GLOBAL lock, for every call.
 */
final class GuardedBacklog {
    /** The start token of a task no policy is to be charged for. */
    static final long UNCHARGED = -1L;

    /** The policy's backlog; replaced by {@link #switchTo} (under the same claim or lock as every call). */
    private Backlog policy;
    private final StrategyFailures failures;
    private final ArrayDeque<QueuedTask> fallback = new ArrayDeque<>();
    /**
     * The tasks whose offer threw: the policy may still hold one after a half-done offer, and that
     * stale copy may be the one that starts here (its fallback copy stolen, not yet run by the
     * thief), with slots the failed offer or the thief's policy wrote; such a start is uncharged.
     * Touched only after a failure; an entry whose copy never starts here stays (one per failure).
     */
    private final Set<QueuedTask> refused = Collections.newSetFromMap(new IdentityHashMap<>());
    /** A replaced policy that had not given back every task (see switchTo), or null. */
    private Backlog retired;
    /** Tasks the policy accepted (its offer returned) and has not given back by poll: size's fallback. */
    private long inPolicy;
    /** As {@link #inPolicy}, for the retired policy. */
    private long inRetired;
    /** How many times the policy was replaced: the start token of a task the policy in force gave out. */
    private long generation;
    /** Whether the last poll's task came from the policy in force (not the fallback or a retired policy). */
    private boolean lastFromPolicy;

    GuardedBacklog(Backlog policy, StrategyFailures failures) {
        this.policy = policy;
        this.failures = failures;
    }

    void offer(QueuedTask task, long now) {
        try {
            policy.offer(task, now);
            inPolicy++;
        } catch (Throwable t) {
            failures.failed(StrategyFailures.ORDERING, "offer", "the task waits in FIFO order instead", t);
            refused.add(task);
            fallback.addLast(task);
        }
    }

    QueuedTask poll(long now) {
        lastFromPolicy = false;
        if (!fallback.isEmpty()) {
            return fallback.pollFirst();
        }
        QueuedTask task;
        try {
            task = policy.poll(now);
        } catch (Throwable t) {
            failures.failed(StrategyFailures.ORDERING, "poll", "no task from it this time", t);
            task = null;
        }
        if (task != null) {
            lastFromPolicy = true;
            if (inPolicy > 0) {
                inPolicy--;
            }
            return task;
        }
        return retired != null ? pollRetired(now) : null;
    }

    QueuedTask peek(long now) {
        if (!fallback.isEmpty()) {
            return fallback.peekFirst();
        }
        try {
            QueuedTask task = policy.peek(now);
            return task == null && retired != null ? retired.peek(now) : task;
        } catch (Throwable t) {
            failures.failed(StrategyFailures.ORDERING, "peek", "nothing to steal from it this time", t);
            return null;
        }
    }

    int size() {
        int size = fallback.size();
        try {
            return size + policy.size() + (retired == null ? 0 : retired.size());
        } catch (Throwable t) {
            failures.failed(StrategyFailures.ORDERING, "size", "the tasks it was given and has not given back are counted", t);
            return (int) Math.min(Integer.MAX_VALUE, size + inPolicy + (retired == null ? 0 : inRetired));
        }
    }

    /**
     * The task the last {@link #poll} returned starts: the policy hears of it if it gave it out.
     *
     * @return the token to hand to {@link #onFinish} when the task ends: the policy's generation,
     *         or {@link #UNCHARGED} for a task from the fallback, a retired policy, or a stale copy
     *         of a refused offer
     */
    long onStart(QueuedTask task, long now) {
        if (!lastFromPolicy) {
            return UNCHARGED;
        }
        if (!refused.isEmpty() && refused.remove(task)) {
            return UNCHARGED;       // a stale copy left by a half-done offer
        }
        try {
            policy.onStart(task, now);
        } catch (Throwable t) {
            failures.failed(StrategyFailures.ORDERING, "onStart", "the task runs uncharged", t);
        }
        return generation;
    }

    /**
     * The task started with {@code startToken} ended: the policy is charged if it is the one that gave
     * the task out (not replaced since).
     */
    void onFinish(QueuedTask task, long startToken, long runNanos, long now) {
        if (startToken != generation) {
            return;     // uncharged, or started under a replaced policy
        }
        try {
            policy.onFinish(task, runNanos, now);
        } catch (Throwable t) {
            failures.failed(StrategyFailures.ORDERING, "onFinish", "the run goes uncharged", t);
        }
    }

    /**
     * The ordering policy changed: every task held moves, in this backlog's order, into
     * {@code next}, which orders them from now on. Tasks running now started under the old policy
     * and end uncharged: the new one never held them. Called under the claim or lock that guards
     * every call.
     *
     * @return how many tasks moved
     */
    int switchTo(Backlog next, long now) {
        java.util.List<QueuedTask> held = new java.util.ArrayList<>();
        QueuedTask task;
        while ((task = poll(now)) != null) {
            held.add(task);
        }
        Backlog old = policy;
        long oldHolds = inPolicy;      // what the old policy did not give back (its poll threw)
        policy = next;
        inPolicy = 0;
        generation++;
        lastFromPolicy = false;
        refused.clear();        // refused by the old policy; the new one is asked afresh
        for (QueuedTask t : held) {
            offer(t, now);
        }
        int left;
        try {
            left = old.size();
        } catch (Throwable t) {
            left = 1;       // cannot tell: keep asking it
        }
        if (left > 0) {
            // the old policy did not give everything back (its poll threw): it is kept, and asked
            // after the new one, until it answers nothing
            retired = old;
            inRetired = Math.max(oldHolds, left);
        }
        return held.size();
    }

    /** A task the retired policy still gives back, or null (and then it is let go). */
    private QueuedTask pollRetired(long now) {
        try {
            QueuedTask t = retired.poll(now);
            if (t == null) {
                retired = null;
                inRetired = 0;
            } else if (inRetired > 0) {
                inRetired--;
            }
            return t;
        } catch (Throwable t) {
            failures.failed(StrategyFailures.ORDERING, "poll", "no task from the replaced policy this time", t);
            return null;
        }
    }

    @Override
    public String toString() {
        return policy.toString();
    }
}
