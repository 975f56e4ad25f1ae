package io.github.loadstar.core.internal;

import io.github.loadstar.core.spi.Backlog;
import io.github.loadstar.core.spi.QueuedTask;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * An ordering policy's {@link Backlog} as the runtime uses it: every call that throws is counted
 * and answered with a safe default, so a policy's bug costs order, never a task.
 *
 * <ul>
 *   <li>{@code offer} threw: the task waits in a FIFO {@linkplain #fallback fallback} queue of its
 *       own, served before the policy's order (the policy may or may not hold it as well after a
 *       half-done offer; the task's claim lets only the first dispatch start it, so it still runs
 *       exactly once);</li>
 *   <li>{@code poll} or {@code peek} threw: the fallback's head, or none this time;</li>
 *   <li>{@code size} threw: the fallback's size plus the tasks the policy accepted and has not given
 *       back, as counted here — never "empty" while it holds tasks, or the agent would park with
 *       them queued and nothing would ask the policy again once it recovers;</li>
 *   <li>{@code onStart} or {@code onFinish} threw: the task runs (or ran) all the same, uncharged.
 *       Neither is called for a task the policy never accepted.</li>
 * </ul>
 * Used exactly as the policy's backlog is: under the owning agent's claim, or the GLOBAL lock.
 */
final class GuardedBacklog implements Backlog {
    /** The policy's backlog; replaced by {@link #switchTo} (under the same claim or lock as every call). */
    private Backlog policy;
    private final StrategyFailures failures;
    private final ArrayDeque<QueuedTask> fallback = new ArrayDeque<>();
    /**
     * The tasks whose offer threw, so that onStart and onFinish skip them (their policy slots may
     * hold whatever the failed offer left, so they cannot carry the mark). Touched only after a
     * failure; a refused task that never runs stays here (one entry per failure at most).
     */
    private final Set<QueuedTask> refused = Collections.newSetFromMap(new IdentityHashMap<>());
    /** A replaced policy that had not given back every task (see switchTo), or null. */
    private Backlog retired;
    /** Tasks the policy accepted (its offer returned) and has not given back by poll: size's fallback. */
    private long inPolicy;
    /** As {@link #inPolicy}, for the retired policy. */
    private long inRetired;

    GuardedBacklog(Backlog policy, StrategyFailures failures) {
        this.policy = policy;
        this.failures = failures;
    }

    @Override
    public void offer(QueuedTask task, long now) {
        try {
            policy.offer(task, now);
            inPolicy++;
        } catch (Throwable t) {
            failures.failed(StrategyFailures.ORDERING, "offer", "the task waits in FIFO order instead", t);
            refused.add(task);
            fallback.addLast(task);
        }
    }

    @Override
    public QueuedTask poll(long now) {
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
        if (task != null && inPolicy > 0) {
            inPolicy--;
        }
        return task == null && retired != null ? pollRetired(now) : task;
    }

    @Override
    public QueuedTask peek(long now) {
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

    @Override
    public int size() {
        int size = fallback.size();
        try {
            return size + policy.size() + (retired == null ? 0 : retired.size());
        } catch (Throwable t) {
            failures.failed(StrategyFailures.ORDERING, "size", "the tasks it was given and has not given back are counted", t);
            return (int) Math.min(Integer.MAX_VALUE, size + inPolicy + (retired == null ? 0 : inRetired));
        }
    }

    @Override
    public void onStart(QueuedTask task, long now) {
        if (!refused.isEmpty() && refused.contains(task)) {
            return;
        }
        try {
            policy.onStart(task, now);
        } catch (Throwable t) {
            failures.failed(StrategyFailures.ORDERING, "onStart", "the task runs uncharged", t);
        }
    }

    @Override
    public void onFinish(QueuedTask task, long runNanos, long now) {
        if (!refused.isEmpty() && refused.remove(task)) {
            return;
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
     * and are charged to the new one when they end (its {@code onFinish}). Called under the claim
     * or lock that guards every call.
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
        refused.clear();        // those were refused by the old policy; the new one is asked afresh
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
