package io.github.loadstar.core.internal;

import io.github.loadstar.core.TaskOptions;
import io.github.loadstar.core.metrics.AgentState;
import io.github.loadstar.core.spi.AgentBreaker;
import io.github.loadstar.core.spi.QueuedTask;
import io.github.loadstar.core.spi.RemoteLink;
import io.github.loadstar.core.spi.RemoteTask;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/*
 * A remote agent: an agent slot whose thread runs no task itself but admits its tasks, one by one in
 * the slot's own order (its inbox in FIFO mode, its backlog under a PER_AGENT ordering policy, the
 * shared backlog in GLOBAL scope: RemoteDispatch), to a member of a cluster through a RemoteLink,
 * while fewer than the link's window are in flight.
 *
 * The slot is an ordinary Agent in the scheduler's array, so placement, the metrics, the report, the
 * coordinator's figures and the operations tools see it as they see any agent; local agents steal
 * its unadmitted tasks as they steal any agent's. It differs in these ways:
 *   - it takes no rebalancing orders and steals only from other remote agents, and only when it has
 *     nothing queued (a local agent's queue may hold tasks that cannot be sent); a task reaches it
 *     by placement, and the submission path keeps a task whose body is not Serializable off it;
 *   - it is outside the idle protocol: producers unpark its thread directly, reports unpark it,
 *     and it sleeps at most PARK_NANOS between looks (it checks in-flight ages anyway); with
 *     nothing queued and nothing in flight it counts as suspended for quiescence;
 *   - its breaker is its own (given with the link): outcomes and timeouts from the member feed it;
 *     while it refuses, the agent admits nothing, takes back the unstarted part of its window
 *     (RemoteLink.reclaimUnstarted) and hands its queue to the others (evacuate); once the open
 *     time is over, an answered ping (RemoteLink.answers) is the trial call;
 *   - its speed is measured (RemoteSpeed): the mean round trip of its tasks against the other
 *     remote agents'; placement counts its capacity times that speed;
 *   - its member is probed every half second while the breaker admits work (RemoteProbe): the
 *     member's own figures for the metrics, and with the breaker CLOSED a probe not answered in
 *     time is a failure for it, so a member that hangs with nothing in flight is isolated too;
 *   - a task's life is split: claimed and started at admission (the policy's onStart), its outcome
 *     set on the thread that reports it (the future completes there), its accounting (counters,
 *     breaker, the policy's onFinish with the start token, tenant service) applied by this
 *     agent's thread from the `reported` queue.
 *
 * A task taken back, or reported not delivered (no outcome was recorded), goes to the scheduler's
 * resend queue with its id, and any remote agent with room sends it again: the link's idempotence
 * ledger makes the second sending find the first's outcome instead of running the body twice.
 *
 * Threads: everything below is the agent thread's, except RemoteDelivery's report methods (any thread)
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
    private final List<RemoteDelivery> inFlight = new ArrayList<>();
    final ConcurrentLinkedQueue<RemoteDelivery> reported = new ConcurrentLinkedQueue<>();
    private long lastReclaimNanos;
    /** When the member was last pinged before trials (trialsDue). */
    private long lastProbeNanos = System.nanoTime() - PROBE_INTERVAL_NANOS;
    private boolean resting;
    private final RemoteDispatch dispatch;
    // figures: written by the owner only
    volatile int inFlightCount;
    volatile long sent;
    volatile long timeouts;
    volatile long takenBack;
    volatile long undelivered;
    /** Its measured speed among the remote agents. */
    final RemoteSpeed speed;
    /** The periodic probe of its member's own figures. */
    final RemoteProbe probe;
    /** How long until the probe next needs a look (set each round, read by rest). */
    private long probeWaitNanos = Long.MAX_VALUE;

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
        this.dispatch = new RemoteDispatch(this);
        this.speed = new RemoteSpeed(agent);
        this.probe = new RemoteProbe(link, breaker, timeoutNanos, location, this::wake, System.nanoTime());
        if (breaker != null) {
            // the figures count the breaker's own transitions; each one wakes the agent to act on it
            breaker.onTransition((from, to, reason) -> {
                AgentBase.BREAKER_TRANSITIONS.getAndAdd(agent, 1L);
                wake();
            });
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
                    RemoteDispatch.failResends(s);
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
                speed.refresh(s, now);
                probeWaitNanos = a.membership == AgentRemoval.ACTIVE ? probe.tick(now, inFlight.isEmpty(), sent) : Long.MAX_VALUE;
                long order = a.pendingRebalanceOrder();
                if (order != 0 && order != AgentRemoval.DRAIN) {
                    a.withdrawRebalanceOrder(order);    // remote agents take no orders
                }
                boolean leaving = a.membership != AgentRemoval.ACTIVE;
                boolean admitting = !leaving && (breaker == null || breaker.admitsWork() || trialsDue());
                if (!leaving && a.accepting != admitting) {
                    a.accepting = admitting;    // placement passes an agent that does not accept
                }
                if (!admitting) {
                    takeBackUnstarted(s, now);
                    if (leaving && AgentRemoval.remoteDrained(this, s)) {
                        return;
                    }
                }
                if (admitting && admit(s, now)) {
                    continue;
                }
                rest(s, admitting);
            }
        } finally {
            probe.close();
            a.setSpeed(1.0);
            if (resting) {
                resting = false;
                s.agentSuspended(false);
            }
        }
    }

    /**
     * An open breaker whose open time is over: ping the member (at most every half second); if it
     * answers, the ping is the trial call — a permit is taken (which half-opens the breaker, as the
     * suspended local agent's request does, AgentGuard.suspend) and the ping reported as its
     * success, so a member probed back in closes its breaker even when no task waits to be a trial
     * (with a breaker that needs more than one trial success, real tasks are the next trials).
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
        breaker.onSuccess(p, System.nanoTime() - now);
        return breaker.admitsWork();
    }

    /** Sends tasks while the window has room; whether any went. */
    private boolean admit(LoadstarScheduler s, long now) {
        boolean any = false;
        boolean tookShare = false;
        while (inFlight.size() < window) {
            RemoteDelivery d = dispatch.nextToSend(s, now);
            if (d == null && !tookShare && dispatch.takeShareFromAnotherMember(s, now)) {
                tookShare = true;
                d = dispatch.nextToSend(s, now);
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
        wait = Math.min(wait, probeWaitNanos);
        if (!admitting && breaker != null) {
            long trials = breaker.nanosUntilTrials();
            if (trials > 0) {
                wait = Math.min(wait, trials);
            }
        }
        AgentBase.PARKS.setOpaque(a, a.parks + 1);
        LockSupport.parkNanos(a, wait);
    }

    // ================================================================ sending and reports

    private boolean send(LoadstarScheduler s, RemoteDelivery d) {
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
        RemoteDelivery d;
        boolean any = false;
        while ((d = reported.poll()) != null) {
            any = true;
            inFlight.remove(d);
            long now = System.nanoTime();
            long took = Math.max(0L, d.reportedNanos - d.sentNanos);
            if (d.kind == RemoteDelivery.NOT_DELIVERED) {
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

    private void account(RemoteDelivery d, long took, long now) {
        Agent a = agent;
        LoadstarScheduler s = a.scheduler;
        WrappedTask task = d.task;
        TaskOptions options = task.options;
        boolean failed = d.kind == RemoteDelivery.FAILED;
        if (!failed) {
            speed.record(took);
        }
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
    void finishInBacklog(QueuedTask queued, long token, long runNanos) {
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
            RemoteDelivery d = inFlight.get(i);
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
            if (!(r instanceof RemoteDelivery) || !((RemoteDelivery) r).settle()) {
                continue;
            }
            RemoteDelivery d = (RemoteDelivery) r;
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

    /** Whether nothing it sent is still waiting for a report. */
    boolean nothingInFlight() {
        return inFlight.isEmpty();
    }

    void closeLink() {
        try {
            link.close();
        } catch (Throwable ignored) {
            // the member is gone, or the scheduler is; either way nothing more is sent
        }
    }

    static void complete(WrappedTask task, Object result, Throwable failure) {
        if (task instanceof TaskFutureImpl) {
            ((TaskFutureImpl<?>) task).completeRemotely(result, failure);
        }
    }

    void wake() {
        IdleControl.unpark(agent.thread);
    }

}
