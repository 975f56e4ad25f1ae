package io.github.loadstar.core.internal;

import io.github.loadstar.core.spi.Backlog;
import io.github.loadstar.core.spi.OrderingPolicy;
import java.util.ArrayList;
import java.util.List;

/*
 * Switching the ordering policy of a running scheduler (reconfigure with withOrderingPolicy).
 *
 * The FIFO path and the ordered one are chosen at build (the agents' loops differ), so a switch
 * goes from an ordering policy to another. Every backlog — each agent slot's and each spare's in
 * PER_AGENT scope, the shared one in GLOBAL scope — gets a new backlog from the new policy, made
 * first for all of them (a policy whose newBacklog throws refuses the whole change, nothing
 * swapped). Then, under the reconfiguration lock, each is swapped under the claim or lock that
 * guards it (GuardedBacklog.switchTo): its tasks move into the new backlog in the old order. A
 * thief or an owner is never inside a backlog while it is swapped (they hold the same claim), and
 * nothing is in flight: a stolen batch is offered to the thief's backlog under the thief's claim.
 * After STOP nothing is swapped: shutdownNow holds every claim for good and drains the backlogs.
 * Tasks started before their agent's backlog is swapped end uncharged: a policy hears onStart and
 * onFinish only for tasks it gave out itself (GuardedBacklog's start token). Charging the new one
 * would be wrong twice over: it never held the task, and the task's slots may hold another
 * backlog's state — a thief can take a task from an agent already switched and run it from its own
 * backlog not yet switched, carrying the first agent's CFS entity along. Spares made later (the first block
 * of an agent) read the policy in force when they are made, under the same lock.
 */

/** Moves a running scheduler's queued tasks into a new ordering policy; see the overview in the source. */
final class OrderingSwitch {
    private OrderingSwitch() {
    }

    /**
     * Checks the switch and makes the new backlogs; returns the swap to run once the settings are in
     * place (under the reconfiguration lock the caller holds).
     *
     * @throws IllegalArgumentException naming orderingPolicy if the switch crosses the FIFO/ordered
     *                                  line or the policy cannot make its backlogs
     */
    static Runnable prepare(LoadstarScheduler s, OrderingPolicy next) {
        if (next.isFifo() != !s.ordered) {
            throw new IllegalArgumentException("orderingPolicy: " + (s.ordered
                    ? "this scheduler orders its backlogs; FIFO's lock-free path is chosen at build" : "this scheduler runs"
                    + " FIFO's lock-free path, chosen at build") + " (asked for " + next.name() + "; a scheduler built with"
                    + " the arrival policy, FIFO on the ordered path, switches both ways)");
        }
        List<Agent> owners = new ArrayList<>();
        List<Backlog> fresh = new ArrayList<>();
        try {
            if (s.globalScope) {
                fresh.add(next.newBacklog());
            } else {
                for (int i = 0; i < s.agents.length; i++) {
                    owners.add(s.agents[i]);
                    fresh.add(next.newBacklog());
                    SpareAgent spare = s.spares.get(i);
                    if (spare != null) {
                        owners.add(spare.agent);
                        fresh.add(next.newBacklog());
                    }
                }
            }
        } catch (RuntimeException | Error e) {
            throw new IllegalArgumentException("orderingPolicy: " + next.name() + ".newBacklog() failed: " + e, e);
        }
        for (Backlog b : fresh) {
            if (b == null) {
                throw new IllegalArgumentException("orderingPolicy: " + next.name() + ".newBacklog() returned null");
            }
        }
        return () -> swap(s, next, owners, fresh);
    }

    private static void swap(LoadstarScheduler s, OrderingPolicy next, List<Agent> owners, List<Backlog> fresh) {
        s.orderingPolicy = next;
        long now = System.nanoTime();
        if (s.globalScope) {
            s.globalLock.lock();
            try {
                if (s.runState() < LoadstarScheduler.STOP) {
                    GuardedBacklog shared = s.globalBacklog;
                    shared.switchTo(fresh.get(0), now);
                    s.globalBacklogSize = shared.size();
                }
            } finally {
                s.globalLock.unlock();
            }
            return;
        }
        for (int k = 0; k < owners.size(); k++) {
            Agent a = owners.get(k);
            while (!a.tryClaim()) {
                if (s.runState() >= LoadstarScheduler.STOP) {
                    return;     // shutdownNow holds the claims for good and drains the backlogs
                }
                Thread.onSpinWait();
            }
            try {
                GuardedBacklog backlog = a.backlog;
                backlog.switchTo(fresh.get(k), now);
                a.publishOrderedSize(backlog.size());
            } finally {
                a.releaseClaim();
            }
        }
    }
}
