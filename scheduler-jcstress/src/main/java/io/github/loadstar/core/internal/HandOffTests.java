package io.github.loadstar.core.internal;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.github.loadstar.core.TaskOptions;
import java.lang.invoke.VarHandle;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import org.jctools.queues.MessagePassingQueue;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;
import org.openjdk.jcstress.infra.results.I_Result;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * The hand-offs between a producer, an agent going idle and a waiter, on the runtime's own classes
 * and operations (this file sits in their package, on the class path): the idle protocol's Dekker
 * pair over each queue a producer enqueues to, the claim race between an agent and a thread that
 * waits for the task, cancellation against the start, and a completion against the publication of
 * the CompletableFuture view (the same store-then-load pairing as the waiter slot and the blocked
 * latch, whose wake-ups cannot be observed from here).
 */
public final class HandOffTests {
    private HandOffTests() {
    }

    /** A producer would wake someone exactly when IdleControl.signal does: nobody searches and someone is idle. */
    static int wouldWake(IdleControl idle) {
        long c = idle.ctl;
        return IdleControl.searching(c) == 0 && IdleControl.idle(c) > 0 ? 1 : 0;
    }

    /** An agent that went idle as the last searcher re-checks the queues (IdleControl.park): did it see the task? */
    static int recheckSaw(long ctlAfter, Queue<Runnable> queue) {
        if (IdleControl.searching(ctlAfter) != 0) {
            return 2;       // a searcher is left: no re-check (it cannot happen here: one searcher)
        }
        return queue.isEmpty() ? 0 : 1;
    }

    /** One searching agent, slot for one more. */
    static IdleControl oneSearcher() {
        IdleControl idle = new IdleControl(null, new Agent[1]);     // ceil(1/2) = 1 searcher allowed
        if (!idle.tryStartSearching()) {
            throw new AssertionError();
        }
        return idle;
    }

    /**
     * The Dekker pair of the idle protocol, with the agent's inbox (an MPSC queue): the producer
     * enqueues then reads ctl; the last searcher counts itself idle (a CAS on ctl) then re-checks.
     * At least one of them must see the other, or the task waits with every agent asleep.
     */
    @JCStressTest
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "both saw each other: a wake-up, and the agent finds the task")
    @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "the producer saw the agent idle and wakes it")
    @Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "the producer saw the searcher; the agent's re-check finds the task")
    @Outcome(id = "0, 0", expect = FORBIDDEN, desc = "a lost wake-up: nobody wakes and the re-check missed the task")
    @State
    public static class InboxOfferVersusGoingIdle {
        final IdleControl idle = oneSearcher();
        final MessagePassingQueue<Runnable> inbox = Queues.mpsc(1024);

        @Actor
        public void producer(II_Result r) {
            inbox.offer(() -> { });
            r.r1 = wouldWake(idle);
        }

        @Actor
        public void agent(II_Result r) {
            long c = idle.enterIdle(true);
            r.r2 = IdleControl.searching(c) != 0 ? 2 : (inbox.isEmpty() ? 0 : 1);
        }
    }

    /** As {@link InboxOfferVersusGoingIdle}, with the shared injection queue (MPMC). */
    @JCStressTest
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "both saw each other")
    @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "the producer wakes the agent")
    @Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "the agent's re-check finds the task")
    @Outcome(id = "0, 0", expect = FORBIDDEN, desc = "a lost wake-up")
    @State
    public static class GlobalOfferVersusGoingIdle {
        final IdleControl idle = oneSearcher();
        final Queue<Runnable> global = Queues.mpmc(1024);

        @Actor
        public void producer(II_Result r) {
            global.offer(() -> { });
            r.r1 = wouldWake(idle);
        }

        @Actor
        public void agent(II_Result r) {
            r.r2 = recheckSaw(idle.enterIdle(true), global);
        }
    }

    /**
     * As {@link InboxOfferVersusGoingIdle}, with a push onto the work-stealing deque (its owner's
     * spawn, seen by a thief), as AgentStealing.pushLocal does it: the push publishes with a release
     * store, which a later load may pass, so a push that made the deque non-empty is followed by a
     * full fence before ctl is read. (Without the fence this test sees the forbidden outcome: 1,992
     * of 3.2 million samples in its first quick-mode configuration.)
     */
    @JCStressTest
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "both saw each other")
    @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "the spawner wakes the agent")
    @Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "the agent's re-check finds the task")
    @Outcome(id = "0, 0", expect = FORBIDDEN, desc = "a lost wake-up")
    @State
    public static class DequePushVersusGoingIdle {
        final IdleControl idle = oneSearcher();
        final WorkStealingDeque deque = new WorkStealingDeque(4);

        @Actor
        public void spawner(II_Result r) {
            if (deque.push(() -> { })) {
                VarHandle.fullFence();
                r.r1 = wouldWake(idle);
            } else {
                r.r1 = 2;       // impossible here: the deque starts empty and nobody takes from it
            }
        }

        @Actor
        public void agent(II_Result r) {
            long c = idle.enterIdle(true);
            r.r2 = IdleControl.searching(c) != 0 ? 2 : (deque.isEmpty() ? 0 : 1);
        }
    }

    static TaskFutureImpl<Integer> future() {
        return new TaskFutureImpl<>(() -> 42, TaskOptions.DEFAULT, null);
    }

    /** An agent taking a queued task and a thread that waits for it claiming it: exactly one runs it. */
    @JCStressTest
    @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "the agent claimed it")
    @Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "the waiter claimed it; the queue entry is stale")
    @Outcome(id = "1, 1", expect = FORBIDDEN, desc = "run twice")
    @Outcome(id = "0, 0", expect = FORBIDDEN, desc = "run by nobody")
    @State
    public static class AgentVersusWaiterClaim {
        final TaskFutureImpl<Integer> task = future();

        @Actor
        public void agent(II_Result r) {
            r.r1 = task.tryStart() ? 1 : 0;
        }

        @Actor
        public void waiter(II_Result r) {
            r.r2 = task.tryStartByWaiter() ? 1 : 0;
        }
    }

    /**
     * cancel(false) against an agent starting and running the task. r1: the agent ran the body; r2:
     * cancel returned true; r3: the outcome (1 normal, 2 cancelled).
     */
    @JCStressTest
    @Outcome(id = "1, 0, 1", expect = ACCEPTABLE, desc = "ran and completed before the cancel")
    @Outcome(id = "0, 1, 2", expect = ACCEPTABLE, desc = "cancelled before it started: never ran")
    @Outcome(id = "1, 1, 2", expect = ACCEPTABLE, desc = "cancelled while it ran: its result is dropped")
    @Outcome(id = ".*", expect = FORBIDDEN, desc = "a cancel that lost to nothing, a result after a successful cancel, or no outcome")
    @State
    public static class CancelVersusStart {
        final int[] ran = new int[1];
        final TaskFutureImpl<Integer> task = new TaskFutureImpl<>(() -> {
            ran[0] = 1;
            return 42;
        }, TaskOptions.DEFAULT, null);

        @Actor
        public void agent() {
            if (task.tryStart() && task.begin()) {
                task.runClaimed();
            }
        }

        @Actor
        public void canceller(III_Result r) {
            r.r2 = task.cancel(false) ? 1 : 0;
        }

        @Arbiter
        public void outcome(III_Result r) {
            r.r1 = ran[0];
            r.r3 = task.isCancelled() ? 2 : (task.isDone() ? 1 : 0);
        }
    }

    /**
     * The completion against the CompletableFuture view's publication: the completer CASes the state
     * then reads `view`; the viewer CASes `view` then re-reads the state. The view must end complete.
     */
    @JCStressTest
    @Outcome(id = "1", expect = ACCEPTABLE, desc = "the view is complete")
    @Outcome(id = "0", expect = FORBIDDEN, desc = "the view never completes: each side missed the other")
    @State
    public static class CompletionVersusView {
        final TaskFutureImpl<Integer> task = future();
        volatile CompletableFuture<Integer> view;

        @Actor
        public void agent() {
            task.run();
        }

        @Actor
        public void viewer() {
            view = task.toCompletableFuture();
        }

        @Arbiter
        public void outcome(I_Result r) {
            r.r1 = view.isDone() ? 1 : 0;
        }
    }

    /** A running one-agent scheduler for the tests that need agents of their own (made once per JVM). */
    static final class Host {
        static final LoadstarScheduler SCHEDULER = (LoadstarScheduler) io.github.loadstar.core.Scheduler.builder()
                .name("jcstress-host").agents(1).build();

        private Host() {
        }

        /** An agent object of the host's (slot 0's shape) that no thread runs: the actors play its thread. */
        static Agent agent() {
            return new Agent(SCHEDULER, 0, 1.0, SCHEDULER.newIdleStrategy(), 0, 1, System.nanoTime(), null, null);
        }
    }

    /**
     * The claim is a lock: what its holder wrote before releasing it is seen by the next holder
     * (the inbox's hand-off between a thief and the owner relies on it). The first holder took it
     * before the test; r1: the second actor got the claim; r2: what it read under it.
     */
    @JCStressTest
    @Outcome(id = "1, 42", expect = ACCEPTABLE, desc = "claimed after the release: the holder's write is seen")
    @Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "the claim was still held")
    @Outcome(id = "1, 0", expect = FORBIDDEN, desc = "claimed, but the previous holder's write is not seen")
    @State
    public static class ClaimHandsOverWhatItGuards {
        final Agent agent = Host.agent();
        int guarded;

        public ClaimHandsOverWhatItGuards() {
            if (!agent.tryClaim()) {
                throw new AssertionError();
            }
        }

        @Actor
        public void holder() {
            guarded = 42;
            agent.releaseClaim();
        }

        @Actor
        public void next(II_Result r) {
            if (agent.tryClaim()) {
                r.r1 = 1;
                r.r2 = guarded;
                agent.releaseClaim();
            }
        }
    }

    /**
     * The inbox hand-off of a removal (AgentRemoval): a submitter that read the agent ACTIVE puts a
     * task in its inbox, then rescues the inbox if it finds the agent gone (DRAINED or OFFLINE); the
     * agent, DRAINING, takes its drain step — its queued work to the others, then its last look under
     * its claim, DRAINED, and a look of its own after that. Whatever the order, no task may be left in
     * the inbox of a DRAINED agent (no thread would ever take it). r1: the membership at the end
     * (1 DRAINING, 2 DRAINED); r2: tasks left in the inbox.
     */
    @JCStressTest
    @Outcome(id = "2, 0", expect = ACCEPTABLE, desc = "drained; the task was handed to the others (by either side)")
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "the last look saw the task: still draining, it moves it next step")
    @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "still draining (the last look saw the task) and the task already moved")
    @Outcome(id = "2, 1", expect = FORBIDDEN, desc = "a task stranded in the inbox of a drained agent")
    @State
    public static class SubmitterVersusLastLook {
        final Agent agent = Host.agent();

        public SubmitterVersusLastLook() {
            agent.membership = AgentRemoval.DRAINING;
            agent.accepting = false;
        }

        @Actor
        public void submitter() {
            agent.inbox.offer(() -> { });
            if (AgentRemoval.gone(agent)) {
                AgentRemoval.rescue(agent);
            }
        }

        @Actor
        public void agent() {
            AgentRemoval.step(agent);
        }

        @Arbiter
        public void outcome(II_Result r) {
            r.r1 = agent.membership;
            r.r2 = agent.inbox.size();
        }
    }

    /**
     * The wake-up handshake: an agent going idle (its park state IDLE, then counted idle in ctl)
     * against a producer's signal (reserve: idle - 1, searching + 1 by CAS; deliver: the park state
     * IDLE -> NOTIFIED). Either the producer saw nobody idle and reserved nothing, or it reserved the
     * agent and delivered to it; a reservation without a delivery (or the reverse) would leave the
     * counts and the agents out of step for good. r1: idle count; r2: searching; r3: park state.
     */
    @JCStressTest
    @Outcome(id = "1, 0, 1", expect = ACCEPTABLE, desc = "the producer saw nobody idle: the agent stays idle and counted")
    @Outcome(id = "0, 1, 2", expect = ACCEPTABLE, desc = "reserved and delivered: the agent is notified and counted searching")
    @Outcome(id = ".*", expect = FORBIDDEN, desc = "a reservation and a delivery out of step")
    @State
    public static class ReservationAndDelivery {
        final Agent agent = Host.agent();
        final IdleControl idle = new IdleControl(Host.SCHEDULER, new Agent[] {agent});

        @Actor
        public void goingIdle() {
            agent.markIdle();
            idle.enterIdle(false);
        }

        @Actor
        public void producer() {
            idle.signal(null);
        }

        @Arbiter
        public void outcome(III_Result r) {
            r.r1 = idle.idleCount();
            r.r2 = idle.searchingCount();
            r.r3 = (int) agent.parkState;
        }
    }

    /** Two wakers, one idle agent: one reservation, one delivery. r1: idle; r2: searching; r3: park state. */
    @JCStressTest
    @Outcome(id = "0, 1, 2", expect = ACCEPTABLE, desc = "one waker reserved and delivered; the other found nobody idle")
    @Outcome(id = ".*", expect = FORBIDDEN, desc = "two reservations, or a reservation without its delivery")
    @State
    public static class TwoWakersOneIdleAgent {
        final Agent agent = Host.agent();
        final IdleControl idle = new IdleControl(Host.SCHEDULER, new Agent[] {agent});

        public TwoWakersOneIdleAgent() {
            agent.markIdle();
            idle.enterIdle(false);
        }

        @Actor
        public void first() {
            idle.wakeOne();
        }

        @Actor
        public void second() {
            idle.wakeOne();
        }

        @Arbiter
        public void outcome(III_Result r) {
            r.r1 = idle.idleCount();
            r.r2 = idle.searchingCount();
            r.r3 = (int) agent.parkState;
        }
    }
}
