package io.github.loadstar.core.internal;

import io.github.loadstar.core.metrics.AgentState;
import io.github.loadstar.core.spi.AgentBreaker;
import io.github.loadstar.core.spi.Backlog;
import org.agrona.concurrent.IdleStrategy;

/*
 * An agent out of local work: it looks at its own queues once, then registers as a searcher (at
 * most ceil(N/2) at once) and steals from the victims its StealPolicy picks, pausing between
 * rounds with its IdleStrategy; before it parks it sweeps every busy agent whatever the policy
 * (work behind a busy owner must not be stranded), then parks through IdleControl, whose design
 * overview holds both halves of the no-lost-wake-up argument. The searcher slot is released on
 * every way out, normal or not.
 */

/** The search for work and the way to the park; see the layers in {@link AgentBase}. */
abstract class AgentSearch extends AgentStealing {
    AgentSearch(LoadstarScheduler scheduler, int index, double capacity, IdleStrategy idleStrategy, int spinRounds,
                int stealBatch, long startNanos, GuardedBacklog backlog, AgentBreaker breaker, boolean spare) {
        super(scheduler, index, capacity, idleStrategy, spinRounds, stealBatch, startNanos, backlog, breaker, spare);
    }

    /**
     * Out of local work: steal, spin a little, park. Returns a task, or null when the agent must
     * exit (the scheduler stopped, or it is quiescent after shutdown).
     */
    /**
     * A park shorter than this was not worth its wake-up: about the round trip of a futex wake-up
     * on a virtual machine, where waking a parked thread costs the waker a system call and the
     * wakee tens of microseconds.
     */
    static final long SHORT_PARK_NANOS = 50_000L;

    final Runnable search() {
        ACTIVITY.setOpaque(this, (long) AgentState.SEARCHING.ordinal());
        deque.clearStolen();
        IdleControl idle = scheduler.idle;
        boolean searching = false;
        int spins = (int) spinBudget;
        boolean parked = false;
        resetIdleStrategy();
        try {
            for (int round = 0; ; round++) {
                int state = scheduler.runState();
                if (state >= LoadstarScheduler.TIDYING) {
                    return null;
                }
                boolean leaving = membership != AgentRemoval.ACTIVE;
                if (breaker != null && !accepting && !leaving) {
                    if (searching) {
                        idle.stopSearching();
                        searching = false;
                    }
                    suspend();
                    round = 0;
                    continue;
                }
                Runnable task;
                if (leaving) {
                    // being removed (AgentRemoval): no stealing, no parking; the drain's own steps
                    task = AgentRemoval.step((Agent) this);
                    if (task == null && membership == AgentRemoval.DRAINED) {
                        return null;
                    }
                } else if ((task = followRebalanceOrder()) == null) {
                    task = pollOwn();
                }
                // Round 0 only looks at this agent's own queues: most idle moments end there (a
                // producer refills the inbox), and they should not touch the shared control word or
                // other agents' cache lines. From round 1 the agent registers as a searcher and steals.
                if (task == null && round > 0 && accepting && !leaving) {
                    if (!searching) {
                        searching = idle.tryStartSearching();
                    }
                    if (searching) {
                        task = stealOnce();
                    }
                }
                boolean parkNext = round > 0 && !(searching && round < spins);
                if (task == null && parkNext && accepting && !leaving) {
                    // last look before parking: work behind a busy owner, whatever the steal policy
                    task = sweepBusyAgents();
                }
                if (task != null) {
                    if (searching) {
                        searching = false;
                        idle.stopSearching();
                    }
                    if (countingBusy == 0) {
                        BUSY_START.setOpaque(this, System.nanoTime());
                        countingBusy = 1;
                    }
                    if (round > 0 && !parked) {
                        spinBudget = spinRounds;    // spinning found work: spin in full next time
                    }
                    ACTIVITY.setOpaque(this, (long) AgentState.RUNNING.ordinal());
                    return task;
                }
                if (round > 0 && countingBusy != 0) {
                    // the first empty round after work: the busy stretch ends
                    BUSY_NANOS.setOpaque(this, busyNanos + Math.max(0, System.nanoTime() - busyStart));
                    countingBusy = 0;
                }
                if (!parkNext || leaving) {
                    idleOnce();
                    continue;
                }
                // spinning found nothing: spin half as long next time (at least two rounds), so a
                // quiet scheduler does not burn a core spinning after every task
                spins = (int) Math.max(Math.min(2, spinRounds), spinBudget >> 1);
                spinBudget = spins;
                boolean wasSearching = searching;
                searching = false;          // park settles the count
                long parkedAt = System.nanoTime();
                scheduler.idle.park((Agent) this, wasSearching);
                if (System.nanoTime() - parkedAt < SHORT_PARK_NANOS) {
                    // woken at once: the park cost a wake-up (a system call on the producer's side,
                    // and the wake-up latency on this one) where spinning a little longer would have
                    // found the work — work is arriving in a burst; spin in full again
                    spins = spinRounds;
                    spinBudget = spins;
                }
                parked = true;
                searching = true;           // a woken agent is counted as a searcher
                round = 0;                  // and goes straight to stealing
                resetIdleStrategy();
                ACTIVITY.setOpaque(this, (long) AgentState.SEARCHING.ordinal());
            }
        } finally {
            // on every way out, normal or not, this agent stops counting as a searcher
            if (searching) {
                idle.stopSearching();
            }
        }
    }

    /** The idle strategy's pause between empty rounds; one that throws becomes a spin-wait hint. */
    final void idleOnce() {
        try {
            idleStrategy.idle();
        } catch (Throwable t) {
            scheduler.strategyFailures.failed(StrategyFailures.IDLE, "idle", "a spin-wait hint instead", t);
            Thread.onSpinWait();
        }
    }

    final void resetIdleStrategy() {
        try {
            idleStrategy.reset();
        } catch (Throwable t) {
            scheduler.strategyFailures.failed(StrategyFailures.IDLE, "reset", "ignored", t);
        }
    }

    final Runnable pollOwn() {
        if (ordered) {
            return dispatchOrdered();
        }
        Runnable task = deque.pop();
        return task != null ? task : pollShared();
    }

    /**
     * After STOP: waits until shutdownNow has drained the queues, then hands back the tasks this
     * agent's own tasks pushed while the drain ran (they were accepted, so they run); null when none.
     */
    final Runnable leftoversAfterStop() {
        scheduler.awaitDrained();
        Runnable task = deque.pop();
        if (task != null) {
            Thread.currentThread().interrupt();
        }
        return task;
    }
}
