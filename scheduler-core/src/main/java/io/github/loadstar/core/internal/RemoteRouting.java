package io.github.loadstar.core.internal;

import java.io.Serializable;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/*
 * Which tasks may go to remote agents, decided at submission while the scheduler has any: a task
 * whose body is Serializable may go anywhere; one that is not is kept to local agents (placed on
 * one if placement chose a remote agent, or pinned to one by its submitter), and rejected — before
 * anything is queued — if it is pinned to a remote agent, no local agent is in the scheduler, or
 * the scheduler orders in GLOBAL scope (one backlog, from which remote agents admit too). A
 * scheduler without remote agents never comes here.
 */

/** Keeping non-serializable tasks off remote agents, and the ids of remote tasks. */
final class RemoteRouting {
    private RemoteRouting() {
    }

    /**
     * What the submission path must do with a task while remote agents exist: {@link #ANYWHERE};
     * otherwise a local agent to place it on (used only if placement picks a remote one), or
     * {@link #SHARED_QUEUE}.
     *
     * @throws java.util.concurrent.RejectedExecutionException (via the scheduler's reject) if it can go nowhere
     */
    static final int ANYWHERE = -1;
    /** Local agents only, none of which accepts work now: the shared queue, which only local agents take from while any exists. */
    static final int SHARED_QUEUE = -2;

    static int localTargetFor(LoadstarScheduler s, WrappedTask task, Object userTask) {
        Object body = task.body();
        if (body instanceof Serializable) {
            return ANYWHERE;
        }
        int affinity = task.options.affinity();
        if (affinity >= 0 && s.agents[affinity].remote != null) {
            throw s.reject(userTask, notSerializable(s, body) + "; it is pinned to remote agent " + affinity);
        }
        if (affinity >= 0) {
            return ANYWHERE;    // pinned to a local agent: it runs there
        }
        if (s.globalScope) {
            // one backlog for every agent: any task in it may be admitted to a member
            throw s.reject(userTask, notSerializable(s, body) + "; in GLOBAL ordering scope every movable task may go"
                    + " to a remote agent (pin it to a local agent to run it here)");
        }
        int best = -1;
        double bestLoad = Double.MAX_VALUE;
        for (Agent a : s.agents) {
            if (a.remote == null && a.membership == AgentRemoval.ACTIVE && a.accepting) {
                double load = a.load();
                if (load < bestLoad) {
                    bestLoad = load;
                    best = a.index;
                }
            }
        }
        if (best >= 0) {
            return best;
        }
        if (s.localAgentsActive() == 0) {
            throw s.reject(userTask, notSerializable(s, body) + " and scheduler " + s.name()
                    + " has no local agent to run it");
        }
        return SHARED_QUEUE;
    }

    /** The message for a task body that cannot be sent to a member. */
    static String notSerializable(LoadstarScheduler s, Object body) {
        return "task of " + (body == null ? "no class" : body.getClass().getName()) + " is not java.io.Serializable:"
                + " scheduler " + s.name() + " cannot send it to a remote agent (make the Callable or Runnable"
                + " Serializable, e.g. a lambda cast to (Callable<T> & Serializable))";
    }

    /** Ids for remote tasks without an idempotence key: a random prefix per scheduler instance and a count. */
    static final class Ids {
        private final String prefix = UUID.randomUUID().toString();
        private final AtomicLong next = new AtomicLong();

        String next() {
            return prefix + "-" + next.incrementAndGet();
        }
    }
}
