package io.github.loadstar.core.internal;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/*
 * Blocking sections, and the spare agents that keep a scheduler's parallelism during them.
 *
 * Design overview
 * ===============
 * A task that blocks on something the scheduler cannot help with (I/O, another library's future,
 * a lock) holds its agent's thread: with every agent blocked so, queued work waits. A task that
 * declares the block (Scheduler.managedBlock, the role ForkJoinPool.managedBlock plays) gets a
 * spare for its agent while the block lasts.
 *
 * A spare is a second Agent object for the same index: its own deque (and backlog, under an
 * ordering policy) and its own counters — so no counter or deque ever has two writers — and a
 * thread of its own, started the first time the agent blocks and kept, parked, for the next time.
 * While needed it steals: from its blocked agent first (whose queued work is the work the block
 * holds up), then from any busy agent, then by the steal policy; it runs what it takes and what
 * those tasks spawn (its thread is a thread of the scheduler: their submissions land in the spare's
 * deque, and their waits help). When the block ends, the spare finishes its task and its own queue,
 * then parks. It is outside the idle protocol (producers never wake it; it looks again after a
 * back-off of 20 us doubling to 1 ms), and no agent steals from it.
 *
 * Bounds: one spare per agent, so at most as many extra threads as agents; a spare's own tasks
 * block without a spare of their own. Sections nest: the spare runs until the outermost ends.
 *
 * Lifecycle. A started spare counts as a live agent until its thread exits, so the scheduler is
 * not TERMINATED while a spare runs; its thread is started from its agent's thread, which is live,
 * so the count never rises from zero. While a spare is active (needed, or draining its queue) the
 * scheduler is not quiescent (onQuiescent checks the count of active spares); a spare that turns
 * inactive re-checks quiescence itself, so a shutdown does not wait for a wake-up that never comes:
 * its decrement and read of the idle count, against an agent's idle CAS and read of the active
 * count, are sequentially consistent, so one of the two completes the shutdown. shutdownNow
 * interrupts spares, drains their queues with the agents' and waits for their transfers; spares
 * exit once the scheduler is TIDYING or STOPped and they hold no work.
 */

/** The spare of one agent, and the blocking sections that call it up. */
final class SpareAgent implements Runnable {
    final Agent agent;
    private final LoadstarScheduler scheduler;
    /** Blocking sections under way on the agent's thread (nested ones count). */
    private final AtomicInteger sections = new AtomicInteger();
    private volatile Thread thread;

    SpareAgent(LoadstarScheduler scheduler, Agent spareAgent) {
        this.scheduler = scheduler;
        this.agent = spareAgent;
    }

    /**
     * Runs {@code blocker} as {@link ForkJoinPool#managedBlock} does. On an agent's own thread the
     * agent's spare runs meanwhile; elsewhere (another thread, a spare's thread) it just blocks.
     */
    static void managedBlock(ForkJoinPool.ManagedBlocker blocker) throws InterruptedException {
        if (blocker.isReleasable()) {
            return;
        }
        Agent self = LoadstarScheduler.currentAgent();
        SpareAgent spare = self == null || self.spare ? null : self.scheduler.spareFor(self);
        boolean entered = spare != null && spare.enter();
        try {
            while (!blocker.isReleasable() && !blocker.block()) {
                // block() returned false: it wants to be called again
            }
        } finally {
            if (entered) {
                spare.exit();
            }
        }
    }

    /** Whether a blocking section on the agent's thread needs this spare now. */
    boolean needed() {
        return sections.get() > 0;
    }

    /**
     * A blocking section begins on the agent's thread (only that thread calls this).
     *
     * @return false if no spare thread could be had (the section then runs without one)
     */
    private boolean enter() {
        sections.incrementAndGet();
        Thread t = thread;
        if (t == null) {
            t = scheduler.startSpareThread(this);
            if (t == null) {
                sections.decrementAndGet();
                return false;
            }
            thread = t;
        }
        LockSupport.unpark(t);
        return true;
    }

    private void exit() {
        sections.decrementAndGet();     // the spare notices at its next look and winds down
    }

    Thread thread() {
        return thread;
    }

    /** The spare's thread body. */
    @Override
    public void run() {
        Thread me = Thread.currentThread();
        thread = me;
        scheduler.onAgentThreadStart(agent, me);
        try {
            for (;;) {
                while (!needed() && agent.backlog() == 0) {
                    if (scheduler.runState() >= LoadstarScheduler.TIDYING) {
                        return;
                    }
                    LockSupport.park(this);
                    Thread.interrupted();
                }
                scheduler.spareActive(true);
                try {
                    agent.runAsSpare(this);
                } catch (Throwable error) {
                    // an Error from a task: report it and carry on (a spare has no replacement
                    // thread; its agent's next blocking section would find it dead)
                    try {
                        me.getUncaughtExceptionHandler().uncaughtException(me, error);
                    } catch (Throwable ignored) {
                        // a broken handler must not end the spare either
                    }
                } finally {
                    scheduler.spareActive(false);
                }
                if (scheduler.runState() >= LoadstarScheduler.STOP) {
                    return;     // its leftovers ran; a section still open after shutdownNow needs no spare
                }
            }
        } finally {
            scheduler.onAgentExit(agent);
        }
    }

    @Override
    public String toString() {
        return "Spare[" + agent.index + "]";
    }
}
