package io.github.loadstar.core.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/*
 * Who searches, who sleeps, and who wakes whom.
 *
 * Design overview
 * ===============
 * The control word `ctl` packs two 32-bit counts: agents SEARCHING for work to steal (low half)
 * and agents IDLE (parked, or about to park; high half). The rules are Tokio's and Go's:
 *   - at most ceil(N/2) agents search at once (an agent that may not search parks at once);
 *   - a producer that queued work wakes one idle agent only if nobody is searching (a searcher
 *     will find the work);
 *   - a searcher that finds work stops searching, and if it was the last one and work is still
 *     queued it wakes another, so wake-ups fan out in O(log n) rather than all at once.
 *
 * Waking is a two-step handshake, each step lock-free:
 *   1. reserve: CAS ctl (idle - 1, searching + 1), only while nobody searches and someone is idle;
 *   2. deliver: CAS some agent's parkState IDLE -> NOTIFIED, then LockSupport.unpark its thread.
 * An agent going idle first sets its parkState to IDLE, then CASes ctl (idle + 1). So the number of
 * agents whose parkState is IDLE is always at least ctl's idle count plus the reservations in
 * flight, and step 2 always finds an agent (it may have to scan twice while agents come and go).
 * A woken agent is already counted as searching.
 *
 * Lost wake-ups (the Dekker argument). A producer does: queue the task; then (volatile) read ctl.
 * An agent that goes idle does: CAS ctl (idle + 1, and searching - 1 if it searched); if that left
 * no searcher, it re-checks every queue. Both pairs are store-then-load through sequentially
 * consistent operations, so either the producer sees searching == 0 and wakes someone, or the
 * re-check sees the task (and then it wakes someone, possibly itself). The same pairing covers a
 * searcher that stops because it found work (CAS searching - 1, then read idle to wake another)
 * against an agent going idle at that moment: either the stopper sees the new idle agent and wakes
 * it, or the idle agent sees no searcher left and re-checks. The re-check includes work queued on
 * agents that are busy (a thief may take it) as well as work on idle owners. While a searcher
 * remains, an agent going idle needs no re-check: the searcher will find the work.
 */

/** Padding before the control word. */
abstract class IdleControlPad {
    long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p0a, p0b, p0c, p0d, p0e, p0f;
}

/** The control word. */
abstract class IdleControlCtl extends IdleControlPad {
    volatile long ctl;
}

/** Padding after the control word. */
abstract class IdleControlPadEnd extends IdleControlCtl {
    long p10, p11, p12, p13, p14, p15, p16, p17, p18, p19, p1a, p1b, p1c, p1d, p1e, p1f;
}

/** The searching and idle counts of one scheduler's agents, and the wake-up protocol. */
final class IdleControl extends IdleControlPadEnd {
    static final long RUNNING = 0L;
    static final long IDLE = 1L;
    static final long NOTIFIED = 2L;

    private static final long ONE_SEARCHING = 1L;
    private static final long ONE_IDLE = 1L << 32;
    private static final VarHandle CTL;

    static {
        try {
            CTL = MethodHandles.lookup().findVarHandle(IdleControlCtl.class, "ctl", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final LoadstarScheduler scheduler;
    private final Agent[] agents;
    private final int maxSearching;

    IdleControl(LoadstarScheduler scheduler, Agent[] agents) {
        this.scheduler = scheduler;
        this.agents = agents;
        this.maxSearching = (agents.length + 1) / 2;
    }

    static int searching(long c) {
        return (int) c;
    }

    static int idle(long c) {
        return (int) (c >>> 32);
    }

    int searchingCount() {
        return searching(ctl);
    }

    int idleCount() {
        return idle(ctl);
    }

    /** Becomes a searcher if fewer than ceil(N/2) agents search. */
    boolean tryStartSearching() {
        for (;;) {
            long c = ctl;
            if (searching(c) >= maxSearching) {
                return false;
            }
            if (CTL.compareAndSet(this, c, c + ONE_SEARCHING)) {
                return true;
            }
        }
    }

    /**
     * A searcher found work. If it was the last searcher and work is still queued somewhere, it
     * wakes another agent: a producer that saw it searching woke nobody. Its decrement and its look
     * at the queues, against a producer's enqueue and read of ctl, are sequentially consistent, so
     * either the producer saw no searcher (and woke someone) or this look sees the producer's task.
     * When nothing else is queued — a task after a quiet period — nobody is woken: that wake-up
     * used to sit on the critical path of the task just found, and woke an agent for nothing.
     */
    void stopSearching() {
        long c = (long) CTL.getAndAdd(this, -ONE_SEARCHING);
        if (searching(c) == 1 && idle(c) > 0 && scheduler.hasQueuedWork()) {
            signal(null);
        }
    }

    /**
     * The agent goes idle: its parkState must already be IDLE.
     *
     * @return the control word after the change
     */
    long enterIdle(boolean wasSearching) {
        long delta = wasSearching ? ONE_IDLE - ONE_SEARCHING : ONE_IDLE;
        return (long) CTL.getAndAdd(this, delta) + delta;
    }

    /**
     * Work was queued: wake an idle agent if nobody is searching. The caller's enqueue must be a
     * sequentially consistent operation, or be followed by a full fence.
     *
     * @param preferred the agent to wake if it is idle (the one that received the work), or null
     */
    void signal(Agent preferred) {
        long c = ctl;
        if (searching(c) == 0 && idle(c) > 0 && reserve(false)) {
            deliver(preferred);
        }
    }

    /**
     * Work was queued on {@code agent} that only it may run (its pinned queue), or it found work on
     * itself while parking: wake it if it is idle, whether or not someone searches.
     */
    void signalAgent(Agent agent) {
        if (agent.isIdle() && reserve(true)) {
            deliver(agent);
        }
    }

    /** Wakes one idle agent, whether or not someone searches (for work any agent may run). */
    void wakeOne() {
        if (reserve(true)) {
            deliver(null);
        }
    }

    /** Wakes every idle agent (at shutdown and termination). */
    void wakeAll() {
        while (reserve(true)) {
            deliver(null);
        }
    }

    private boolean reserve(boolean evenIfSearching) {
        for (;;) {
            long c = ctl;
            if (idle(c) == 0 || (!evenIfSearching && searching(c) != 0)) {
                return false;
            }
            if (CTL.compareAndSet(this, c, c - ONE_IDLE + ONE_SEARCHING)) {
                return true;
            }
        }
    }

    private void deliver(Agent preferred) {
        if (preferred != null && preferred.tryNotify()) {
            return;
        }
        int n = agents.length;
        int start = ThreadLocalRandom.current().nextInt(n);
        for (;;) {
            for (int k = 0; k < n; k++) {
                int i = start + k < n ? start + k : start + k - n;
                if (agents[i].tryNotify()) {
                    return;
                }
            }
            // Unreachable by the counting argument above unless agents changed state during the
            // scan; the agent this reservation is owed to is IDLE already, so scan again.
            Thread.onSpinWait();
        }
    }

    // ================================================================ the agent's half: going idle

    /**
     * Parks {@code agent} (its own thread) until a notification. Before parking it re-checks for
     * work — the agent's half of the Dekker argument above — and, after shutdown, detects
     * quiescence.
     *
     * @param wasSearching whether the agent counted as a searcher until now
     */
    void park(Agent agent, boolean wasSearching) {
        agent.markIdle();
        long c = enterIdle(wasSearching);
        // No searcher left after this agent went idle: it must re-check, whether it was a searcher
        // itself or could not become one (the slots were full) — the last searcher, stopping at this
        // moment, may have read ctl before this agent counted itself idle and found nobody to wake.
        boolean noSearcherLeft = searching(c) == 0;
        boolean allIdle = idle(c) + scheduler.suspendedAgents() >= scheduler.members.get();
        if (scheduler.runState() >= LoadstarScheduler.TIDYING) {
            // Stopping or tidying: every agent must wake and exit, and the run-state writer's
            // wakeAll() may have run before this agent counted itself idle (it then read ctl after
            // its state write, and this agent read the state after its CAS on ctl, so one of the
            // two sees the other). Wake them all again, not only this agent: wakeAll's deliveries
            // go to any agent whose park state is IDLE, which may be this one before it counted
            // itself — and then the agent whose count it was is never woken; the count this agent
            // has just added is the one that must reach it.
            wakeAll();
        } else if (!agent.pinned.isEmpty() || !agent.inbox.isEmpty() || agent.membership != AgentRemoval.ACTIVE) {
            // work placed on this agent while it was deciding to park; or the agent is being removed
            // (AgentRemoval.removeLocked writes the membership, then reads this agent's park state to
            // wake it: against this agent's IDLE write, CAS on ctl and this read, one of the two sees
            // the other — without this read, a removal between the agent's decision to park and its
            // IDLE write found it not idle, woke nobody, and the agent slept on in DRAINING)
            signalAgent(agent);
        } else if (noSearcherLeft || allIdle) {
            boolean queued = scheduler.wakeOwnersOfQueuedWork();
            if (queued && stealableFromBusyAgent(agent)) {
                // work waits on an agent that is running a task (perhaps a long one) and nobody
                // else searches: its owner will not take it soon, so stay awake and steal it
                signalAgent(agent);
            } else if (!queued && allIdle) {
                scheduler.onQuiescent();
            }
        }
        agent.awaitNotification();
    }

    /**
     * Whether any agent but {@code self} is busy (not idle) and has movable work queued: work its
     * owner will not take before its running task ends, and that the agent's sweep before parking
     * takes whatever the steal policy. Every agent is looked at, as the sweep does, so that staying
     * awake for such work ends in a steal. FIFO mode only: under an ordering policy a pinned task at
     * the head of a backlog stops thieves, so staying awake for it could spin; there the owner runs
     * it (a documented limit).
     */
    private boolean stealableFromBusyAgent(Agent self) {
        if (self.ordered || !self.accepting) {
            return false;
        }
        for (Agent victim : agents) {
            if (victim != self && !victim.isIdle() && (!victim.deque.isEmpty() || !victim.inbox.isEmpty())) {
                return true;
            }
        }
        return false;
    }

    static void unpark(Thread thread) {
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }
}
