package io.github.loadstar.core.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/*
 * Elastic agents: an agent added to a running scheduler, or drained and removed from it.
 *
 * Slots
 *   The agent array never changes: it has SchedulerBuilder.maxAgents slots, made at build, and an
 *   agent's index is its slot for its whole life, so every index the runtime, the policies, the
 *   metrics and the rebalancing orders hold stays valid. A slot is
 *     ACTIVE    an agent with a thread, in the scheduler;
 *     DRAINING  being removed: it takes no new work, hands its queued movable work to the others
 *               and runs the tasks pinned to it; its thread still counts for quiescence;
 *     DRAINED   its queues are empty and stay so; its thread is on its way out;
 *     OFFLINE   no thread (never started, or removed): the slot can take a new agent.
 *   ACTIVE -> DRAINING and OFFLINE -> ACTIVE happen under the scheduler's reconfiguration lock;
 *   DRAINING -> DRAINED -> OFFLINE on the agent's own thread.
 *
 * Removal
 *   removeAgent sets DRAINING, stops the agent accepting placements (its `accepting` flag, which a
 *   breaker transition can no longer set back), and leaves the DRAIN marker in the agent's
 *   rebalancing-order word, which the agent reads on every turn of its loop; an idle agent is woken.
 *   The agent, between tasks (step): moves its queued movable tasks to the shared queue (the
 *   breaker's evacuation: each one counted as a migration and reported to listeners), runs its
 *   pinned tasks itself, and once none is left becomes DRAINED and exits. Nothing is lost:
 *   - a movable task placed on it by a submitter that read `accepting` before the removal lands in
 *     its inbox. The agent's last look is exact — under its own claim, which a thief holds while it
 *     moves the inbox into the backlog — and after it writes DRAINED it looks once more (rescue);
 *     a submitter that reads DRAINED or OFFLINE after its enqueue rescues the inbox itself; one
 *     that reads DRAINING enqueued before the DRAINED write, so the agent's second look sees it.
 *     A thief that finds a DRAINED or OFFLINE victim moves its queues to the shared queue (rescue)
 *     instead of taking a share of them, so nothing is left in a slot without a thread;
 *   - a pinned task: its submitter announces itself in `pinnedInFlight`, then reads the membership
 *     (refusing the task unless ACTIVE), enqueues and withdraws its announcement. The agent, with
 *     nothing pinned left, waits for the count to reach zero and then looks once more. The
 *     increment and the membership read, against the membership write and the count read, are
 *     sequentially consistent: either the submitter saw DRAINING and refused, or the agent's last
 *     look comes after its enqueue.
 *   shutdownNow during a drain: the drain stops (STOP), shutdownNow drains every slot's queues, and
 *   the agent exits as every agent does.
 *
 * Quiescence counts the agents with threads (`members`): a leaving agent decrements it and then
 *   re-checks quiescence, against agents going idle that read it (both sides atomic), as a spare
 *   turning inactive does.
 */

/** Adding, draining and removing agents while tasks run; see the overview in the source. */
final class AgentRemoval {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LoadstarScheduler.class);
    static final int ACTIVE = 0;
    static final int DRAINING = 1;
    static final int DRAINED = 2;
    static final int OFFLINE = 3;
    /** In an agent's rebalancing-order word: drain and leave (no real order is negative). */
    static final long DRAIN = -1L;

    private static final VarHandle PINNED_IN_FLIGHT;

    static {
        try {
            PINNED_IN_FLIGHT = MethodHandles.lookup().findVarHandle(AgentBase.class, "pinnedInFlight", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private AgentRemoval() {
    }

    // ================================================================ the submitter's half

    /**
     * Announces a submission of a task pinned to {@code agent}: false (and nothing announced) if the
     * agent is not in the scheduler. A true answer must be followed by {@link #pinnedQueued}.
     */
    static boolean announcePinned(Agent agent) {
        PINNED_IN_FLIGHT.getAndAdd(agent, 1);
        if (agent.membership == ACTIVE) {
            return true;
        }
        PINNED_IN_FLIGHT.getAndAdd(agent, -1);
        return false;
    }

    /** The announced pinned task is queued (or was refused afterwards). */
    static void pinnedQueued(Agent agent) {
        PINNED_IN_FLIGHT.getAndAdd(agent, -1);
    }

    /**
     * A leaving remote agent's last step: true once nothing it sent is in flight and nothing is
     * queued on it; the slot is then DRAINED, anything that raced in is rescued, the link closed, and
     * the thread exits (Agent.run). Tasks pinned to it fail: their member is gone.
     */
    static boolean remoteDrained(RemoteAgent remote, LoadstarScheduler s) {
        Agent a = remote.agent;
        Runnable pinnedTask;
        while ((pinnedTask = a.pollPinned()) != null) {
            WrappedTask w = WrappedTask.of(pinnedTask);
            if (w != null && w.tryClaim(TaskClaim.REJECTED)) {
                w.rejectClaimed(new java.util.concurrent.RejectedExecutionException("agent " + a.index + " of scheduler "
                        + s.name() + " (" + remote.location + ") was removed and the task is pinned to it"));
                if (s.bounded) {
                    s.releaseQueuedSlot();
                }
            }
        }
        if (!remote.nothingInFlight() || pinnedInFlightOf(a) != 0) {
            return false;
        }
        while (!a.tryClaim()) {
            if (s.runState() >= LoadstarScheduler.STOP) {
                return false;
            }
            Thread.onSpinWait();
        }
        try {
            if (a.backlog() != 0) {
                return false;
            }
            a.membership = DRAINED;
        } finally {
            a.releaseClaim();
        }
        a.withdrawRebalanceOrder(DRAIN);
        rescue(a);
        remote.closeLink();
        return true;
    }

    /**
     * A submitter placed a movable task in the inbox of {@code agent} and then found it DRAINED or
     * OFFLINE: it moves the inbox's tasks to the shared queue itself, under the agent's claim (an
     * inbox transfer in the sense of the shutdown protocol), and wakes an agent. The leaving agent's
     * own last look and this rescue are the two halves of a Dekker pair (its DRAINED write then its
     * look; the submitter's enqueue then its membership read): one of the two moves the task. A
     * submitter that reads DRAINING leaves the task to the agent: it enqueued before the DRAINED
     * write, so the agent's last look sees it. (Rescuing from a DRAINING agent would take its pinned
     * tasks out of the inbox for a moment — under an ordering policy the drain puts them back there —
     * and the agent, finding its queues empty, could leave them behind.)
     */
    static void rescue(Agent agent) {
        LoadstarScheduler scheduler = agent.scheduler;
        while (!agent.tryClaim()) {
            if (scheduler.runState() >= LoadstarScheduler.STOP) {
                return;     // shutdownNow holds the claim for good and drains these queues itself
            }
            Thread.onSpinWait();
        }
        int moved = 0;
        try {
            // no task pinned to a DRAINED or OFFLINE agent can be queued (the pinned handshake), so
            // everything here is movable
            Runnable task;
            while ((task = agent.inbox.relaxedPoll()) != null) {
                agent.handToShared(task);
                moved++;
            }
            AgentBase.CONSUMED_HINT.setOpaque(agent, agent.inboxIndices.currentConsumerIndex());
            if (agent.backlog != null && agent.backlog.size() != 0) {
                io.github.loadstar.core.spi.QueuedTask queued;
                long now = System.nanoTime();
                while ((queued = agent.backlog.poll(now)) != null) {
                    agent.handToShared(WrappedTask.runnable(queued));
                    moved++;
                }
                agent.publishOrderedSize(0);
            }
        } finally {
            agent.releaseClaim();
        }
        if (moved > 0) {
            scheduler.idle.wakeOne();
        }
    }

    /** Whether thieves must rescue {@code victim}'s queues rather than steal a share of them. */
    static boolean gone(Agent victim) {
        int m = victim.membership;
        return m == DRAINED || m == OFFLINE;
    }

    // ================================================================ the agent's half

    /**
     * The drain's work between two tasks, on the agent's own thread: its queued movable tasks go to
     * the others, and one task pinned to it (if any) is returned to be run. Also called from a task
     * of the agent that waits on a future (HelpingWait): its loop cannot drain meanwhile.
     */
    static Runnable handOffAndTakePinned(Agent agent) {
        agent.evacuate(false);      // movable work to the others; pinned work stays
        return agent.ordered && !agent.globalScope ? agent.dispatchOrdered() : agent.pollPinned();
    }

    /**
     * One step of a drain, on the agent's own thread: a pinned task to run, or null. Null with the
     * membership DRAINED: the agent is empty and must exit; null otherwise: look again (a pinned
     * submission was in flight, or the scheduler stopped and shutdownNow drains the queues).
     */
    static Runnable step(Agent agent) {
        LoadstarScheduler scheduler = agent.scheduler;
        if (scheduler.runState() >= LoadstarScheduler.STOP) {
            return null;
        }
        Runnable task = handOffAndTakePinned(agent);
        if (task != null) {
            return task;
        }
        if ((int) PINNED_IN_FLIGHT.getVolatile(agent) != 0) {
            return null;            // a pinned task on its way in
        }
        agent.settleNestedFinish();     // the last ordered task's accounting (takes the claim itself)
        // The last look, exact: under the agent's own claim, which a thief holds while it moves the
        // inbox into the backlog (the published sizes lag such a move).
        while (!agent.tryClaim()) {
            if (scheduler.runState() >= LoadstarScheduler.STOP) {
                return null;
            }
            Thread.onSpinWait();
        }
        try {
            if (!agent.inbox.isEmpty() || !agent.pinned.isEmpty() || !agent.deque.isEmpty()
                    || (agent.backlog != null && agent.backlog.size() != 0)) {
                return null;        // a straggler: the next step evacuates or runs it
            }
            agent.membership = DRAINED;
        } finally {
            agent.releaseClaim();
        }
        agent.withdrawRebalanceOrder(DRAIN);
        // the agent's half of the Dekker pair with a submitter that read DRAINING: its task was
        // enqueued before the DRAINED write, so this look sees it
        rescue(agent);
        return null;
    }

    // ================================================================ adding and removing (under the reconfiguration lock)

    /** See {@link io.github.loadstar.core.Scheduler#addAgent}. */
    static int add(LoadstarScheduler s, double capacity) {
        if (!(capacity > 0) || Double.isInfinite(capacity)) {
            throw new IllegalArgumentException("capacity must be positive and finite: " + capacity);
        }
        synchronized (s.reconfiguring) {
            if (s.runState() != LoadstarScheduler.RUNNING) {
                throw new IllegalStateException("scheduler " + s.name() + " is shut down: no agent can be added");
            }
            io.github.loadstar.core.SchedulerSettings previous = s.settings;
            int index = addLocked(s, capacity, null);
            s.settings = previous.withCapacitiesInForce(capacitiesNow(s)).withVersion(previous.version() + 1);
            return index;
        }
    }

    /** See {@link io.github.loadstar.core.Scheduler#addRemoteAgent}. */
    static int addRemote(LoadstarScheduler s, io.github.loadstar.core.spi.RemoteLink link, double capacity,
                         io.github.loadstar.core.spi.AgentBreaker breaker) {
        java.util.Objects.requireNonNull(link, "link");
        if (!(capacity > 0) || Double.isInfinite(capacity)) {
            throw new IllegalArgumentException("capacity must be positive and finite: " + capacity);
        }
        synchronized (s.reconfiguring) {
            if (s.runState() != LoadstarScheduler.RUNNING) {
                throw new IllegalStateException("scheduler " + s.name() + " is shut down: no agent can be added");
            }
            Agent slot = freeSlot(s);
            RemoteAgent remote = new RemoteAgent(slot, link, breaker);     // checks the link's window and timeout
            io.github.loadstar.core.SchedulerSettings previous = s.settings;
            int index = addLocked(s, slot, capacity, remote);
            s.settings = previous.withCapacitiesInForce(capacitiesNow(s)).withVersion(previous.version() + 1);
            return index;
        }
    }

    /** The first OFFLINE slot; the caller holds the reconfiguration lock. */
    private static Agent freeSlot(LoadstarScheduler s) {
        for (Agent a : s.agents) {
            if (a.membership == OFFLINE) {
                return a;
            }
        }
        throw new IllegalStateException("scheduler " + s.name() + " has " + s.agents.length
                + " agents or agents still leaving, its maxAgents: no slot is free");
    }

    /** Pinned submissions on their way into {@code agent}'s queues. */
    static int pinnedInFlightOf(Agent agent) {
        return (int) PINNED_IN_FLIGHT.getVolatile(agent);
    }

    /**
     * Starts an agent in a free slot, remote if {@code remote} is not null (made for that slot); the
     * caller holds the reconfiguration lock and updates the settings.
     */
    static int addLocked(LoadstarScheduler s, double capacity, RemoteAgent remote) {
        return addLocked(s, freeSlot(s), capacity, remote);
    }

    /**
     * As above, in the slot given: the one a remote agent was made for (a leaving agent's thread
     * frees its slot without the lock, so looking again could find another).
     */
    private static int addLocked(LoadstarScheduler s, Agent agent, double capacity, RemoteAgent remote) {
        // a removed remote agent's slot keeps its link (its row in the metrics says where it was) until reused
        agent.remote = remote;
        Thread thread;
        try {
            thread = s.newThread(agent);
        } catch (RuntimeException | Error e) {
            throw new IllegalStateException("cannot create a thread for a new agent of scheduler " + s.name(), e);
        }
        if (thread == null) {
            throw new IllegalStateException("threadFactory returned null for agent " + agent.index);
        }
        agent.speed = 1.0;      // a reused slot forgets its last remote agent's measured speed
        agent.setCapacity(capacity);
        agent.thread = thread;
        if (remote != null) {
            s.remoteAgents++;
        }
        agent.everStarted = true;
        s.members.incrementAndGet();
        s.liveAgents.incrementAndGet();     // members > 0 while RUNNING: never from zero
        agent.membership = ACTIVE;
        agent.accepting = agent.breaker == null || agent.breaker.admitsWork();
        if (agent.breaker != null) {
            agent.refreshAccepting();
        }
        try {
            thread.start();
        } catch (RuntimeException | Error e) {
            agent.accepting = false;
            agent.membership = OFFLINE;
            agent.thread = null;
            if (remote != null) {
                s.remoteAgents--;
            }
            s.leave(agent);
            throw new IllegalStateException("cannot start a thread for a new agent of scheduler " + s.name(), e);
        }
        LOG.info("scheduler {}: agent {} added (capacity {})", s.name(), agent.index, capacity);
        return agent.index;
    }

    /** See {@link io.github.loadstar.core.Scheduler#removeAgent}. */
    static void remove(LoadstarScheduler s, int index) {
        if (index < 0 || index >= s.agents.length) {
            throw new IllegalArgumentException("agent must be between 0 and " + (s.agents.length - 1) + ": " + index);
        }
        synchronized (s.reconfiguring) {
            Agent agent = s.agents[index];
            if (agent.membership != ACTIVE) {
                throw new IllegalArgumentException("agent " + index + " of scheduler " + s.name()
                        + " is not in it (already removed, or being removed)");
            }
            if (s.runState() != LoadstarScheduler.RUNNING) {
                throw new IllegalStateException("scheduler " + s.name() + " is shut down: its agents leave with it");
            }
            int active = 0;
            for (Agent a : s.agents) {
                active += a.membership == ACTIVE ? 1 : 0;
            }
            if (active == 1) {
                throw new IllegalStateException("agent " + index + " is the last agent of scheduler " + s.name());
            }
            io.github.loadstar.core.SchedulerSettings previous = s.settings;
            removeLocked(s, agent);
            s.settings = previous.withCapacitiesInForce(capacitiesNow(s)).withVersion(previous.version() + 1);
        }
    }

    /** Starts draining an ACTIVE agent; the caller holds the reconfiguration lock and updates the settings. */
    static void removeLocked(LoadstarScheduler s, Agent agent) {
        agent.membership = DRAINING;
        agent.accepting = false;
        AgentBase.REBALANCE_ORDER.setVolatile(agent, DRAIN);
        s.idle.signalAgent(agent);              // an idle agent wakes to drain
        IdleControl.unpark(agent.thread);       // one suspended by its breaker too
        LOG.info("scheduler {}: agent {} draining, to be removed", s.name(), agent.index);
    }

    /** Each slot's capacity, 0 for a slot with no agent in the scheduler. */
    static double[] capacitiesNow(LoadstarScheduler s) {
        double[] c = new double[s.agents.length];
        for (int i = 0; i < c.length; i++) {
            c[i] = s.agents[i].membership == ACTIVE ? s.agents[i].capacity : 0;
        }
        return c;
    }

    /** A removed agent's thread leaves: the slot becomes free; quiescence and termination are re-checked. */
    static void onRemoved(LoadstarScheduler s, Agent agent) {
        AgentBase.ACTIVITY.setOpaque(agent, (long) io.github.loadstar.core.metrics.AgentState.REMOVED.ordinal());
        if (agent.remote != null) {
            synchronized (s.reconfiguring) {
                s.remoteAgents--;       // the slot keeps its link for the metrics until it is reused
            }
        }
        s.leave(agent);
        agent.membership = OFFLINE;
        LOG.info("scheduler {}: agent {} removed", s.name(), agent.index);
    }
}
