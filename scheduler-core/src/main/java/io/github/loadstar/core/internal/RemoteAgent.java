package io.github.loadstar.core.internal;

import io.github.loadstar.core.TaskOptions;
import io.github.loadstar.core.metrics.AgentState;
import io.github.loadstar.core.spi.AgentBreaker;
import io.github.loadstar.core.spi.QueuedTask;
import io.github.loadstar.core.spi.RemoteLink;
import io.github.loadstar.core.spi.RemoteTask;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/*
 * A remote agent: an agent slot whose thread runs no task itself but admits its tasks, one by one in
 * the slot's own order (its inbox in FIFO mode, its backlog under a PER_AGENT ordering policy, the
 * shared backlog in GLOBAL scope), to a
 * member of a cluster through a RemoteLink, while fewer than the link's window are in flight.
 *
 * The slot is an ordinary Agent in the scheduler's array, so placement, the metrics, the report, the
 * coordinator's figures and the operations tools see it as they see any agent; local agents steal
 * its unadmitted tasks as they steal any agent's. It differs in four ways:
 *   - it never steals and takes no rebalancing orders (it would take work that may not be
 *     serializable, and its window, not its queue, is what bounds it); a task reaches it only by
 *     placement, and the submission path keeps a task whose body is not Serializable off it;
 *   - it is outside the idle protocol: producers unpark its thread directly, reports unpark it,
 *     and it sleeps at most PARK_NANOS between looks (it checks in-flight ages anyway); with
 *     nothing queued and nothing in flight it counts as suspended for quiescence;
 *   - its breaker is its own (given with the link): outcomes and timeouts from the member feed it;
 *     while it refuses, the agent admits nothing, takes back the unstarted part of its window
 *     (RemoteLink.reclaimUnstarted) and hands its queue to the others (evacuate);
 *   - a task's life is split: claimed and started at admission (the policy's onStart), its outcome
 *     set on the thread that reports it (the future completes there), its accounting (counters,
 *     breaker, the policy's onFinish with the start token, tenant service) applied by this
 *     agent's thread from the `reported` queue.
 *
 * A task taken back, or reported not delivered (no outcome was recorded), goes to the scheduler's
 * resend queue with its id, and any remote agent with room sends it again: the link's idempotence
 * ledger makes the second sending find the first's outcome instead of running the body twice.
 *
 * Threads: everything below is the agent thread's, except Delivery's report methods (any thread)
 * and the `reported` queue (many producers, this consumer).
 */

/** The admitting loop and the tasks in flight of one remote agent; see the overview in the source. */
final class RemoteAgent {
    /** Longest sleep between looks. */
    static final long PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** How often the unstarted window is asked back while the agent admits nothing. */
    private static final long RECLAIM_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** How often a member whose breaker's open time is over is pinged before trials. */
    private static final long PROBE_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    final Agent agent;
    final RemoteLink link;
    /** Its own breaker (not the slot's), or null. */
    final AgentBreaker breaker;
    final String location;
    private final int window;
    private final long timeoutNanos;
    /** Owner only: the tasks sent and not reported. */
    private final List<Delivery> inFlight = new ArrayList<>();
    private final ConcurrentLinkedQueue<Delivery> reported = new ConcurrentLinkedQueue<>();
    private long lastReclaimNanos;
    /** When the member was last pinged before trials (trialsDue). */
    private long lastProbeNanos = System.nanoTime() - PROBE_INTERVAL_NANOS;
    private boolean resting;
    // figures: written by the owner only
    volatile int inFlightCount;
    volatile long sent;
    volatile long timeouts;
    volatile long takenBack;
    volatile long undelivered;

    RemoteAgent(Agent agent, RemoteLink link, AgentBreaker breaker) {
        this.agent = agent;
        this.link = link;
        this.breaker = breaker;
        this.location = link.location();
        this.window = link.window();
        this.timeoutNanos = link.responseTimeoutNanos();
        if (window < 1) {
            throw new IllegalArgumentException("link.window() must be at least 1: " + window);
        }
        if (timeoutNanos <= 0) {
            throw new IllegalArgumentException("link.responseTimeoutNanos() must be positive: " + timeoutNanos);
        }
    }

    /** A task to be sent again by some remote agent: taken back from a member, or not delivered. */
    record Resend(WrappedTask task, String id) {
    }

    String breakerState() {
        return breaker == null ? "NONE" : breaker.state();
    }

    // ================================================================ the loop

    /** The agent thread's body while the slot is remote. Returns when the agent must exit. */
    void run() {
        Agent a = agent;
        LoadstarScheduler s = a.scheduler;
        try {
            for (;;) {
                int state = s.runState();
                if (state >= LoadstarScheduler.STOP) {
                    failResends(s);
                    closeLink();    // tasks in flight still complete their futures when reported
                    return;
                }
                Thread.interrupted();   // a cancel(true) of a task in flight interrupts this thread: nobody's
                applyReports();
                if (state >= LoadstarScheduler.TIDYING) {
                    closeLink();
                    return;
                }
                long now = System.nanoTime();
                noteTimeouts(now);
                long order = a.pendingRebalanceOrder();
                if (order != 0 && order != AgentRemoval.DRAIN) {
                    a.withdrawRebalanceOrder(order);    // remote agents take no orders
                }
                boolean leaving = a.membership != AgentRemoval.ACTIVE;
                boolean admitting = !leaving && (breaker == null || breaker.admitsWork() || trialsDue());
                if (!leaving && a.accepting != admitting) {
                    a.accepting = admitting;    // placement passes an agent that does not accept
                    AgentBase.BREAKER_TRANSITIONS.getAndAdd(a, 1L);
                }
                if (!admitting) {
                    takeBackUnstarted(s, now);
                    if (leaving && drained(s)) {
                        return;
                    }
                }
                if (admitting && admit(s, now)) {
                    continue;
                }
                rest(s, admitting);
            }
        } finally {
            if (resting) {
                resting = false;
                s.agentSuspended(false);
            }
        }
    }

    /**
     * An open breaker whose open time is over half-opens only when asked for a permit (as the
     * suspended local agent does it, AgentGuard.suspend): ask, give the permit back, and admit.
     */
    private boolean trialsDue() {
        if (breaker.nanosUntilTrials() > 0) {
            return false;
        }
        long now = System.nanoTime();
        if (now - lastProbeNanos < PROBE_INTERVAL_NANOS) {
            return false;
        }
        lastProbeNanos = now;
        boolean answers;
        try {
            answers = link.answers();
        } catch (Throwable t) {
            answers = false;
        }
        if (!answers) {
            return false;   // still silent: no trial goes, the breaker stays open
        }
        long p = breaker.tryAcquire();
        if (p == AgentBreaker.NOT_PERMITTED) {
            return false;
        }
        breaker.release(p);
        return true;
    }

    /** Sends tasks while the window has room; whether any went. */
    private boolean admit(LoadstarScheduler s, long now) {
        boolean any = false;
        boolean tookShare = false;
        while (inFlight.size() < window) {
            Delivery d = nextToSend(s, now);
            if (d == null && !tookShare && takeShareFromAnotherMember(s, now)) {
                tookShare = true;
                d = nextToSend(s, now);
            }
            if (d == null) {
                break;
            }
            if (!send(s, d)) {
                break;
            }
            any = true;
        }
        return any;
    }

    /** Nothing to send now: sleep until a report, a placement or the next timeout check. */
    private void rest(LoadstarScheduler s, boolean admitting) {
        Agent a = agent;
        boolean quiet = inFlight.isEmpty() && a.backlog() == 0 && (s.resends.isEmpty() || !admitting)
                && !s.hasGlobalOrderedWork();
        if (quiet != resting) {
            resting = quiet;
            if (quiet) {
                AgentBase.ACTIVITY.setOpaque(a, (long) AgentState.PARKED.ordinal());
            }
            s.agentSuspended(quiet);    // counts for quiescence as a suspended agent does
        } else if (quiet) {
            s.checkQuiescentWhileSuspended();     // after shutdown: nothing left anywhere?
        }
        if (!quiet) {
            AgentBase.ACTIVITY.setOpaque(a, (long) (admitting ? AgentState.RUNNING : AgentState.SUSPENDED).ordinal());
        }
        if (s.runState() >= LoadstarScheduler.TIDYING || !reported.isEmpty()) {
            return;
        }
        long wait = inFlight.isEmpty() ? PARK_NANOS : Math.min(PARK_NANOS, Math.max(1_000_000L, timeoutNanos / 4));
        if (!admitting && breaker != null) {
            long trials = breaker.nanosUntilTrials();
            if (trials > 0) {
                wait = Math.min(wait, trials);
            }
        }
        AgentBase.PARKS.setOpaque(a, a.parks + 1);
        LockSupport.parkNanos(a, wait);
    }

    // ================================================================ taking the next task

    /**
     * Nothing queued here and room in the window: take a share of the most loaded other remote
     * agent's queued tasks (a member that joined after the work was placed, or a faster one), by the
     * thieves' own rules (its claim; by capacity, at most the steal batch; under a policy, its most
     * urgent movable tasks, into this agent's backlog). Only from remote agents: what they hold was
     * admitted as sendable. Not in GLOBAL scope, whose backlog all agents share.
     */
    private boolean takeShareFromAnotherMember(LoadstarScheduler s, long now) {
        Agent a = agent;
        if (a.globalScope) {
            return false;
        }
        Agent victim = null;
        int most = 1;       // a lone queued task stays: its agent will send it as soon as it can
        for (Agent v : s.agents) {
            if (v != a && v.remote != null && v.membership == AgentRemoval.ACTIVE) {
                int queued = v.backlog();
                if (queued > most) {
                    most = queued;
                    victim = v;
                }
            }
        }
        if (victim == null) {
            return false;
        }
        if (!a.ordered) {
            Runnable first = a.stealFrom(victim);   // the rest are on this agent's deque
            if (first == null) {
                return false;
            }
            a.pushLocal(first);
            return true;
        }
        return takeOrderedShare(s, victim, now);
    }

    /** Under a PER_AGENT policy: the victim's most urgent movable tasks into this agent's backlog. */
    private boolean takeOrderedShare(LoadstarScheduler s, Agent victim, long now) {
        Agent a = agent;
        AgentBase.TRANSFERRING.setVolatile(a, 1L);
        try {
            if (s.runState() >= LoadstarScheduler.STOP || !victim.tryClaim()) {
                return false;
            }
            Runnable[] buffer = a.buffer;
            int n = 0;
            try {
                victim.drainInboxIntoBacklog(now);
                int limit = Math.min(s.settings.stealBatchLimit(), a.shareOf(victim, victim.backlog.size()));
                QueuedTask head;
                while (n < limit && (head = victim.backlog.peek(now)) != null && head.options().isMovable()) {
                    victim.backlog.poll(now);
                    buffer[n++] = WrappedTask.runnable(head);
                }
                victim.publishOrderedSize(victim.backlog.size());
            } finally {
                victim.releaseClaim();
            }
            if (n == 0) {
                return false;
            }
            a.accountSteal(victim, n);
            while (!a.tryClaim()) {
                if (s.runState() >= LoadstarScheduler.STOP) {
                    for (int i = 0; i < n; i++) {
                        a.inbox.offer(buffer[i]);   // shutdownNow drains this inbox next
                        buffer[i] = null;
                    }
                    return false;
                }
                Thread.onSpinWait();
            }
            try {
                for (int i = 0; i < n; i++) {
                    a.backlog.offer(WrappedTask.queued(buffer[i]), now);
                    buffer[i] = null;
                }
                a.publishOrderedSize(a.backlog.size());
            } finally {
                a.releaseClaim();
            }
            return true;
        } finally {
            AgentBase.TRANSFERRING.setRelease(a, 0L);
        }
    }

    /** The next task to send, claimed, started and with its permit; null if none may go now. */
    private Delivery nextToSend(LoadstarScheduler s, long now) {
        long permit = AgentBreaker.NOT_PERMITTED;
        if (breaker != null) {
            permit = breaker.tryAcquire();      // an expired open breaker half-opens for a trial here
            if (permit == AgentBreaker.NOT_PERMITTED) {
                return null;
            }
        }
        Delivery d = null;
        try {
            Resend again = s.resends.poll();
            if (again != null) {
                d = new Delivery(this, again.task(), again.id(), null, GuardedBacklog.UNCHARGED);
                d.resent = true;
                return d;
            }
            d = !agent.ordered ? takeFifo(s) : agent.globalScope ? takeGlobal(s, now) : takeOrdered(s, now);
            return d;
        } finally {
            if (d == null) {
                if (permit != AgentBreaker.NOT_PERMITTED) {
                    breaker.release(permit);
                }
            } else {
                d.permit = permit;
                d.permitHeld = permit != AgentBreaker.NOT_PERMITTED;
            }
        }
    }

    /** FIFO: pinned, then the inbox (then the shared queue, if no local agent runs it). */
    private Delivery takeFifo(LoadstarScheduler s) {
        Agent a = agent;
        for (;;) {
            Runnable task = a.pollPinned();
            if (task == null && a.tryClaim()) {
                try {
                    task = a.deque.pop();
                    if (task == null) {
                        task = a.inbox.relaxedPoll();
                        AgentBase.CONSUMED_HINT.setOpaque(a, a.inboxIndices.currentConsumerIndex());
                    }
                } finally {
                    a.releaseClaim();
                }
            }
            if (task == null && s.localAgentsActive() == 0) {
                task = a.pollGlobal();
            }
            if (task == null) {
                return null;
            }
            WrappedTask wrapped = WrappedTask.of(task);
            if (wrapped == null || !wrapped.tryStart()) {
                if (wrapped != null) {
                    a.dropped(wrapped);
                } else {
                    a.handToShared(task);     // a bare spawn never comes here; if one did, it stays local work
                }
                continue;
            }
            a.started(wrapped.options.cost());
            Delivery d = begin(s, wrapped, null, GuardedBacklog.UNCHARGED);
            if (d != null) {
                return d;
            }
        }
    }

    /** Under a PER_AGENT ordering policy: the backlog's next task, claimed and started. */
    private Delivery takeOrdered(LoadstarScheduler s, long now) {
        Agent a = agent;
        for (;;) {
            if (!a.tryClaim()) {
                return null;    // a thief is here; the loop comes back
            }
            QueuedTask queued = null;
            long token = GuardedBacklog.UNCHARGED;
            try {
                a.drainInboxIntoBacklog(now);
                if (a.backlog.size() == 0 && s.localAgentsActive() == 0) {
                    Runnable shared = a.pollGlobal();
                    if (shared != null) {
                        a.backlog.offer(WrappedTask.queued(shared), now);
                    }
                }
                for (;;) {
                    QueuedTask next = a.backlog.poll(now);
                    if (next == null) {
                        break;
                    }
                    if (a.claimForRun(WrappedTask.runnable(next))) {
                        queued = next;
                        token = a.backlog.onStart(next, now);
                        break;
                    }
                }
                a.publishOrderedSize(a.backlog.size());
            } finally {
                a.releaseClaim();
            }
            if (queued == null) {
                return null;
            }
            WrappedTask wrapped = (WrappedTask) WrappedTask.runnable(queued);
            a.started(wrapped.options.cost());
            Delivery d = begin(s, wrapped, queued, token);
            if (d != null) {
                return d;
            }
        }
    }

    /**
     * GLOBAL scope: tasks pinned to this agent first (FIFO), then the shared backlog's next task,
     * under the shared lock, as a local agent dispatches (AgentOrdered.dispatchGlobal).
     */
    private Delivery takeGlobal(LoadstarScheduler s, long now) {
        Agent a = agent;
        for (;;) {
            if (!a.pinned.isEmpty()) {
                Runnable pinnedTask = a.pollPinned();
                if (pinnedTask != null && a.claimForRun(pinnedTask)) {
                    WrappedTask wrapped = WrappedTask.of(pinnedTask);
                    a.started(wrapped.options.cost());
                    Delivery d = begin(s, wrapped, null, GuardedBacklog.UNCHARGED);
                    if (d != null) {
                        return d;
                    }
                    continue;
                }
            }
            QueuedTask queued = null;
            long token = GuardedBacklog.UNCHARGED;
            java.util.concurrent.locks.ReentrantLock lock = s.globalLock;
            lock.lock();
            try {
                GuardedBacklog shared = s.globalBacklog;
                Runnable r;
                while ((r = s.globalInbox.relaxedPoll()) != null) {
                    shared.offer(WrappedTask.queued(r), now);
                }
                for (;;) {
                    QueuedTask next = shared.poll(now);
                    if (next == null) {
                        break;
                    }
                    if (a.claimForRun(WrappedTask.runnable(next))) {
                        queued = next;
                        token = shared.onStart(next, now);
                        break;
                    }
                }
                s.globalBacklogSize = shared.size();
            } finally {
                lock.unlock();
            }
            if (queued == null) {
                return null;
            }
            WrappedTask wrapped = (WrappedTask) WrappedTask.runnable(queued);
            a.started(wrapped.options.cost());
            Delivery d = begin(s, wrapped, queued, token);
            if (d != null) {
                return d;
            }
        }
    }

    /**
     * A claimed task about to be sent: null if it was cancelled before it started, or cannot go to
     * a member (its body is not serializable: the submission path keeps such tasks off remote agents,
     * but one queued before the first remote agent joined can reach the shared queue).
     */
    private Delivery begin(LoadstarScheduler s, WrappedTask task, QueuedTask queued, long token) {
        Agent a = agent;
        if (task instanceof TaskFutureImpl && !((TaskFutureImpl<?>) task).begin()) {
            AgentBase.CANCELLED.setOpaque(a, a.cancelled + 1);
            if (task.options.tenant() != null) {
                s.figures.registered(task.options).left();
            }
            finishInBacklog(queued, token, 0L);
            return null;
        }
        if (!(task.body() instanceof Serializable)) {
            RejectedExecutionException why = new RejectedExecutionException(RemoteRouting.notSerializable(s, task.body()));
            complete(task, null, why);
            AgentBase.FAILED.setOpaque(a, a.failed + 1);
            finishInBacklog(queued, token, 0L);
            return null;
        }
        String key = task.options.idempotenceKey();
        return new Delivery(this, task, key != null ? key : s.remoteIds.next(), queued, token);
    }

    // ================================================================ sending and reports

    private boolean send(LoadstarScheduler s, Delivery d) {
        Agent a = agent;
        long now = System.nanoTime();
        d.sentNanos = now;
        WrappedTask task = d.task;
        if (!d.resent) {
            if (task.stamped()) {
                a.recordLatency(now - task.submitNanos);
                if (task.options.hasDeadline()
                        && now - (task.submitNanos + task.options.relativeDeadlineNanos()) > 0) {
                    AgentBase.LATE_STARTS.setOpaque(a, a.lateStarts + 1);
                }
            }
            if (a.listener != null) {
                s.events.fireStarted(task.userTask(), a.index);
            }
        }
        boolean accepted;
        Throwable refusal = null;
        try {
            accepted = link.send(d);
        } catch (Throwable t) {
            accepted = false;
            refusal = t;
        }
        if (!accepted) {
            // not sent: the task is claimed, so it goes again by the resend queue (by this agent or another)
            if (d.permitHeld) {
                d.permitHeld = false;
                if (refusal != null) {
                    breaker.onFailure(d.permit, 0L, refusal);
                } else {
                    breaker.release(d.permit);
                }
            }
            finishInBacklog(d.queued, d.token, 0L);
            s.resends.add(new Resend(task, d.id));
            return false;
        }
        inFlight.add(d);
        inFlightChanged();
        sent++;
        return true;
    }

    private void inFlightChanged() {
        Agent a = agent;
        int n = inFlight.size();
        inFlightCount = n;
        a.publishLocalHint(n + (long) a.deque.size());     // placement counts tasks in flight as load
        if (n > 0 && a.countingBusy == 0) {
            AgentBase.BUSY_START.setOpaque(a, System.nanoTime());
            a.countingBusy = 1;
            AgentBase.RUNNING.setOpaque(a, 1L);
        } else if (n == 0 && a.countingBusy != 0) {
            AgentBase.BUSY_NANOS.setOpaque(a, a.busyNanos + Math.max(0, System.nanoTime() - a.busyStart));
            a.countingBusy = 0;
            AgentBase.RUNNING.setOpaque(a, 0L);
        }
    }

    /** Applies the reports that arrived: counters, breaker, the policy's charge, tenant service. */
    private void applyReports() {
        Delivery d;
        boolean any = false;
        while ((d = reported.poll()) != null) {
            any = true;
            inFlight.remove(d);
            long now = System.nanoTime();
            long took = Math.max(0L, d.reportedNanos - d.sentNanos);
            if (d.kind == Delivery.NOT_DELIVERED) {
                undelivered++;
                if (d.permitHeld) {
                    d.permitHeld = false;
                    breaker.onFailure(d.permit, took, d.failure);
                }
                finishInBacklog(d.queued, d.token, took);
                agent.scheduler.resends.add(new Resend(d.task, d.id));
                agent.scheduler.wakeRemoteAgents();
                continue;
            }
            account(d, took, now);
        }
        if (any) {
            inFlightChanged();
        }
    }

    private void account(Delivery d, long took, long now) {
        Agent a = agent;
        LoadstarScheduler s = a.scheduler;
        WrappedTask task = d.task;
        TaskOptions options = task.options;
        boolean failed = d.kind == Delivery.FAILED;
        AgentBase.COMPLETED.setOpaque(a, a.completed + 1);
        if (failed) {
            AgentBase.FAILED.setOpaque(a, a.failed + 1);
        }
        if (d.permitHeld) {
            d.permitHeld = false;
            if (failed) {
                breaker.onFailure(d.permit, took, d.failure);
            } else {
                breaker.onSuccess(d.permit, took);
            }
        }
        finishInBacklog(d.queued, d.token, took);
        if (options.tenant() != null) {
            s.figures.registered(options).record(took);
        }
        if (options.hasDeadline() && task.stamped()
                && now - (task.submitNanos + options.relativeDeadlineNanos()) > 0) {
            AgentBase.DEADLINE_MISSES.setOpaque(a, a.deadlineMisses + 1);
        }
        if (a.listener != null) {
            if (failed) {
                s.events.fireFailed(task.userTask(), a.index, d.failure);
            } else {
                s.events.fireCompleted(task.userTask(), a.index, took);
            }
        }
        if (failed && task instanceof RunnableTask) {
            // a plain Runnable has nobody to tell but this thread's handler, as on a local agent
            Thread me = Thread.currentThread();
            try {
                me.getUncaughtExceptionHandler().uncaughtException(me, d.failure);
            } catch (Throwable ignored) {
                // a broken handler must not take the agent down
            }
        }
    }

    /** Charges a task's time to the backlog that started it (under the claim), if it came from one. */
    private void finishInBacklog(QueuedTask queued, long token, long runNanos) {
        if (queued == null) {
            return;
        }
        Agent a = agent;
        if (a.globalScope) {
            LoadstarScheduler s = a.scheduler;
            s.globalLock.lock();
            try {
                s.globalBacklog.onFinish(queued, token, runNanos, System.nanoTime());
            } finally {
                s.globalLock.unlock();
            }
            return;
        }
        while (!a.tryClaim()) {
            if (a.scheduler.runState() >= LoadstarScheduler.STOP) {
                return;     // shutdownNow holds the claim for good
            }
            Thread.onSpinWait();
        }
        try {
            a.backlog.onFinish(queued, token, runNanos, System.nanoTime());
        } finally {
            a.releaseClaim();
        }
    }

    /** Tasks in flight longer than the link's timeout count once each as a failure of the member. */
    private void noteTimeouts(long now) {
        for (int i = 0; i < inFlight.size(); i++) {
            Delivery d = inFlight.get(i);
            long age = now - d.sentNanos;
            if (!d.timedOut && age - timeoutNanos > 0) {
                d.timedOut = true;
                timeouts++;
                if (d.permitHeld) {
                    d.permitHeld = false;
                    breaker.onFailure(d.permit, age, new TimeoutException("no outcome from " + location + " in "
                            + TimeUnit.NANOSECONDS.toMillis(age) + " ms (task " + d.id + ")"));
                }
            }
        }
    }

    /**
     * Admitting nothing (breaker open, or leaving): the tasks in flight that have not started go to
     * the resend queue, and the queued ones to the other agents.
     */
    private void takeBackUnstarted(LoadstarScheduler s, long now) {
        Agent a = agent;
        if (a.backlog() > 0) {
            a.evacuate(false);      // movable tasks to the shared queue; pinned ones stay (or fail, when leaving)
            s.wakeRemoteAgents();
        }
        if (inFlight.isEmpty() || now - lastReclaimNanos < RECLAIM_INTERVAL_NANOS) {
            return;
        }
        lastReclaimNanos = now;
        List<RemoteTask> back;
        try {
            back = link.reclaimUnstarted();
        } catch (Throwable t) {
            return;     // cannot tell which started: they stay in flight
        }
        int moved = 0;
        for (RemoteTask r : back) {
            if (!(r instanceof Delivery) || !((Delivery) r).settle()) {
                continue;
            }
            Delivery d = (Delivery) r;
            if (!inFlight.remove(d)) {
                continue;
            }
            if (d.permitHeld) {
                d.permitHeld = false;
                breaker.release(d.permit);
            }
            finishInBacklog(d.queued, d.token, 0L);
            s.resends.add(new Resend(d.task, d.id));
            moved++;
        }
        if (moved > 0) {
            takenBack += moved;
            inFlightChanged();
            s.wakeRemoteAgents();
        }
    }

    /**
     * Leaving: true once nothing is in flight or queued here; the slot is DRAINED and the thread
     * exits (Agent.run). Tasks pinned to this agent fail: their member is gone.
     */
    private boolean drained(LoadstarScheduler s) {
        Agent a = agent;
        Runnable pinnedTask;
        while ((pinnedTask = a.pollPinned()) != null) {
            WrappedTask w = WrappedTask.of(pinnedTask);
            if (w != null && w.tryClaim(TaskClaim.REJECTED)) {
                w.rejectClaimed(new RejectedExecutionException("agent " + a.index + " of scheduler " + s.name()
                        + " (" + location + ") was removed and the task is pinned to it"));
                if (s.bounded) {
                    s.releaseQueuedSlot();
                }
            }
        }
        if (!inFlight.isEmpty() || (int) AgentRemoval.pinnedInFlightOf(a) != 0) {
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
            a.membership = AgentRemoval.DRAINED;
        } finally {
            a.releaseClaim();
        }
        a.withdrawRebalanceOrder(AgentRemoval.DRAIN);
        AgentRemoval.rescue(a);
        closeLink();
        return true;
    }

    private void closeLink() {
        try {
            link.close();
        } catch (Throwable ignored) {
            // the member is gone, or the scheduler is; either way nothing more is sent
        }
    }

    /** After STOP: tasks waiting to be sent again will not be; their futures say so. */
    private static void failResends(LoadstarScheduler s) {
        Resend r;
        while ((r = s.resends.poll()) != null) {
            complete(r.task(), null, new RejectedExecutionException("scheduler " + s.name()
                    + " stopped before task " + r.id() + " could be sent again; it may have run: its outcome is"
                    + " recorded under this id"));
        }
    }

    private static void complete(WrappedTask task, Object result, Throwable failure) {
        if (task instanceof TaskFutureImpl) {
            ((TaskFutureImpl<?>) task).completeRemotely(result, failure);
        }
    }

    void wake() {
        IdleControl.unpark(agent.thread);
    }

    // ================================================================ one sending

    /** One sending of a task to this agent's link: what the link reports on. */
    static final class Delivery implements RemoteTask {
        static final int COMPLETED = 1;
        static final int FAILED = 2;
        static final int NOT_DELIVERED = 3;
        private static final java.lang.invoke.VarHandle SETTLED;

        static {
            try {
                SETTLED = java.lang.invoke.MethodHandles.lookup().findVarHandle(Delivery.class, "settled", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final RemoteAgent through;
        final WrappedTask task;
        final String id;
        /** As its backlog held it (under an ordering policy), or null for a resend or FIFO. */
        final QueuedTask queued;
        final long token;
        long permit;
        boolean permitHeld;
        long sentNanos;
        boolean timedOut;
        /** Sent before (taken back, or not delivered): its start was accounted the first time. */
        boolean resent;
        private volatile int settled;
        // the report, published by the queue to the owner
        int kind;
        Throwable failure;
        long reportedNanos;

        Delivery(RemoteAgent through, WrappedTask task, String id, QueuedTask queued, long token) {
            this.through = through;
            this.task = task;
            this.id = id;
            this.queued = queued;
            this.token = token;
        }

        boolean settle() {
            return settled == 0 && SETTLED.compareAndSet(this, 0, 1);
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public Object body() {
            return task.body();
        }

        @Override
        public void completed(Object result) {
            report(COMPLETED, result, null);
        }

        @Override
        public void failed(Throwable failure) {
            report(FAILED, null, failure == null ? new IllegalStateException("failed without a cause") : failure);
        }

        @Override
        public void notDelivered(Throwable why) {
            report(NOT_DELIVERED, null, why);
        }

        private void report(int how, Object result, Throwable error) {
            if (!settle()) {
                return;     // reported or taken back already
            }
            reportedNanos = System.nanoTime();
            if (how != NOT_DELIVERED) {
                complete(task, result, error);      // the future completes here, whatever the agent does
            }
            kind = how;
            failure = error;
            through.reported.add(this);
            through.wake();
        }

        @Override
        public String toString() {
            return "RemoteTask[" + id + " via " + through.location + "]";
        }
    }
}
