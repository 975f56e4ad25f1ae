package io.github.loadstar.core.internal;

import java.util.ArrayList;
import java.util.List;

/*
 * shutdownNow's drain: every task that has not started comes back to the caller, exactly once.
 *
 * A task is "started" once an agent has taken it out of a queue; a started task always runs. So no
 * task may be in flight between two queues while the drain runs:
 *   1. every agent's (and spare's) claim is taken and kept: no inbox or pinned transfer can start
 *      or be under way, and no ordered steal or evacuation can land (they need a claim, and hand
 *      what they carry to their own inbox once STOP is set);
 *   2. every `transferring` flag is waited out: deque-to-deque steals set it (volatile) and then
 *      re-read the run state, against STOP set before this wait (a Dekker handshake);
 *   3. every queue is drained; each task is claimed RETURNED first, so a task its submitter took
 *      back, or a waiter ran, is not returned too.
 * Agents that see STOP wait for the drain (awaitDrained), then run what their own tasks pushed onto
 * their own deque meanwhile: those were accepted, so they run ("leftovers").
 */

/** Returns every queued task of a stopping scheduler; see the design overview in the source. */
final class ShutdownDrain {
    private ShutdownDrain() {
    }

    /** Called once, by the thread that set STOP. */
    static List<Runnable> drain(LoadstarScheduler s) {
        List<Runnable> returned = new ArrayList<>();
        List<Agent> all = agentsAndSpares(s);
        for (Agent a : all) {
            Thread t = a.spare ? s.spares.get(a.index).thread() : a.thread;
            if (t != null && t != Thread.currentThread()) {
                t.interrupt();
            }
        }
        s.idle.wakeAll();
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
            drainQueue(s, a, a.pinned::poll, returned);
            drainQueue(s, a, a.inbox::poll, returned);
            drainDeque(s, a, returned);
            if (a.backlog != null) {
                drainQueue(s, a, () -> runnableOrNull(a.backlog.poll(now)), returned);
                a.publishOrderedSize(0);
            }
        }
        drainQueue(s, null, s.global::poll, returned);
        if (s.globalScope) {
            s.globalLock.lock();
            try {
                drainQueue(s, null, s.globalInbox::poll, returned);
                drainQueue(s, null, () -> runnableOrNull(s.globalBacklog.poll(now)), returned);
                s.globalBacklogSize = 0;
            } finally {
                s.globalLock.unlock();
            }
        }
        return returned;
    }

    /** The agents, then the spares made so far (a spare made later takes nothing: STOP is set). */
    private static List<Agent> agentsAndSpares(LoadstarScheduler s) {
        List<Agent> all = new ArrayList<>(List.of(s.agents));
        for (int i = 0; i < s.agents.length; i++) {
            SpareAgent spare = s.spares.get(i);
            if (spare != null) {
                all.add(spare.agent);
            }
        }
        return all;
    }

    private static Runnable runnableOrNull(io.github.loadstar.core.spi.QueuedTask task) {
        return task == null ? null : WrappedTask.runnable(task);
    }

    private interface Poller {
        Runnable poll();
    }

    private static void drainQueue(LoadstarScheduler s, Agent from, Poller queue, List<Runnable> into) {
        Runnable task;
        while ((task = queue.poll()) != null) {
            giveBack(s, from, task, into);
        }
    }

    private static void drainDeque(LoadstarScheduler s, Agent from, List<Runnable> into) {
        for (;;) {
            Runnable task = from.deque.steal();
            if (task != null) {
                giveBack(s, from, task, into);
            } else if (from.deque.isEmpty()) {
                return;
            }
        }
    }

    private static void giveBack(LoadstarScheduler s, Agent from, Runnable task, List<Runnable> into) {
        if (!LoadstarScheduler.tryClaim(task, TaskClaim.RETURNED)) {
            // its submitter took it back, or a waiter ran it (the stale entry's charge goes back)
            WrappedTask wrapped = WrappedTask.of(task);
            if (from != null && wrapped != null) {
                from.dropped(wrapped);
            }
            return;
        }
        if (from != null) {
            from.addExtraCost(-WrappedTask.extraCostOf(task));
        }
        if (s.bounded) {
            s.releaseQueuedSlot();
        }
        WrappedTask wrapped = WrappedTask.of(task);
        if (wrapped != null && wrapped.options.tenant() != null) {
            s.figures.registered(wrapped.options).left();
        }
        into.add((Runnable) WrappedTask.userTaskOf(task));
    }
}
