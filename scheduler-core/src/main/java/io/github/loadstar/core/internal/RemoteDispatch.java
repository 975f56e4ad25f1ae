package io.github.loadstar.core.internal;

import io.github.loadstar.core.spi.AgentBreaker;
import io.github.loadstar.core.spi.QueuedTask;
import java.io.Serializable;
import java.util.concurrent.RejectedExecutionException;

/*
 * Where a remote agent's next task comes from (see RemoteAgent): the resend queue first, then the
 * slot's own queues in its order — pinned tasks and the inbox in FIFO, its backlog under a
 * PER_AGENT policy, the shared backlog under the shared lock in GLOBAL scope — each task claimed,
 * started (the policy's onStart, whose token travels with the sending) and given a breaker permit
 * before it is sent; and, when none is queued here, a share of another remote agent's queue, by the
 * thieves' rules. The agent's thread only.
 */

/** Taking the next task to send for one remote agent; see the overview in the source. */
final class RemoteDispatch {
    private final RemoteAgent remote;
    private final Agent agent;
    private final AgentBreaker breaker;

    RemoteDispatch(RemoteAgent remote) {
        this.remote = remote;
        this.agent = remote.agent;
        this.breaker = remote.breaker;
    }

    /**
     * Nothing queued here and room in the window: take a share of the most loaded other remote
     * agent's queued tasks (a member that joined after the work was placed, or a faster one), by the
     * thieves' own rules (its claim; by capacity, at most the steal batch; under a policy, its most
     * urgent movable tasks, into this agent's backlog). Only from remote agents: what they hold was
     * admitted as sendable. Not in GLOBAL scope, whose backlog all agents share.
     */
    boolean takeShareFromAnotherMember(LoadstarScheduler s, long now) {
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
        return takeOrderedShare(victim, now);
    }

    /** Under a PER_AGENT policy: the victim's most urgent movable tasks into this agent's backlog (as a thief's steal). */
    private boolean takeOrderedShare(Agent victim, long now) {
        Agent a = agent;
        AgentBase.TRANSFERRING.setVolatile(a, 1L);
        try {
            int n = a.takeOrderedShare(victim, now);
            if (n == 0 || !a.claimForTransfer(n)) {
                return false;
            }
            try {
                a.offerTransferred(n, now);
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
    RemoteDelivery nextToSend(LoadstarScheduler s, long now) {
        long permit = AgentBreaker.NOT_PERMITTED;
        if (breaker != null) {
            permit = breaker.tryAcquire();      // an expired open breaker half-opens for a trial here
            if (permit == AgentBreaker.NOT_PERMITTED) {
                return null;
            }
        }
        RemoteDelivery d = null;
        try {
            RemoteAgent.Resend again = s.resends.poll();
            if (again != null) {
                d = new RemoteDelivery(remote, again.task(), again.id(), null, GuardedBacklog.UNCHARGED);
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
    private RemoteDelivery takeFifo(LoadstarScheduler s) {
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
            RemoteDelivery d = begin(s, wrapped, null, GuardedBacklog.UNCHARGED);
            if (d != null) {
                return d;
            }
        }
    }

    /** Under a PER_AGENT ordering policy: the backlog's next task, claimed and started. */
    private RemoteDelivery takeOrdered(LoadstarScheduler s, long now) {
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
                queued = a.claimNext(a.backlog, now);
                token = a.startedToken;
                a.publishOrderedSize(a.backlog.size());
            } finally {
                a.releaseClaim();
            }
            if (queued == null) {
                return null;
            }
            RemoteDelivery d = started(s, queued, token);
            if (d != null) {
                return d;
            }
        }
    }

    /**
     * GLOBAL scope: tasks pinned to this agent first (FIFO), then the shared backlog's next task,
     * under the shared lock, as a local agent dispatches (AgentOrdered.dispatchGlobal).
     */
    private RemoteDelivery takeGlobal(LoadstarScheduler s, long now) {
        Agent a = agent;
        for (;;) {
            if (!a.pinned.isEmpty()) {
                Runnable pinnedTask = a.pollPinned();
                if (pinnedTask != null && a.claimForRun(pinnedTask)) {
                    WrappedTask wrapped = WrappedTask.of(pinnedTask);
                    a.started(wrapped.options.cost());
                    RemoteDelivery d = begin(s, wrapped, null, GuardedBacklog.UNCHARGED);
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
                a.drainGlobalInbox(now);
                queued = a.claimNext(s.globalBacklog, now);
                token = a.startedToken;
                s.globalBacklogSize = s.globalBacklog.size();
            } finally {
                lock.unlock();
            }
            if (queued == null) {
                return null;
            }
            RemoteDelivery d = started(s, queued, token);
            if (d != null) {
                return d;
            }
        }
    }

    /** A task claimed from a backlog leaves the queues (its bound slot, its cost) and is begun. */
    private RemoteDelivery started(LoadstarScheduler s, QueuedTask queued, long token) {
        WrappedTask wrapped = (WrappedTask) WrappedTask.runnable(queued);
        agent.started(wrapped.options.cost());
        return begin(s, wrapped, queued, token);
    }

    /**
     * A claimed task about to be sent: null if it was cancelled before it started, or cannot go to
     * a member (its body is not serializable: the submission path keeps such tasks off remote agents,
     * but one queued before the first remote agent joined can reach the shared queue).
     */
    private RemoteDelivery begin(LoadstarScheduler s, WrappedTask task, QueuedTask queued, long token) {
        Agent a = agent;
        if (task instanceof TaskFutureImpl && !((TaskFutureImpl<?>) task).begin()) {
            AgentBase.CANCELLED.setOpaque(a, a.cancelled + 1);
            if (task.options.tenant() != null) {
                s.figures.registered(task.options).left();
            }
            remote.finishInBacklog(queued, token, 0L);
            return null;
        }
        if (!(task.body() instanceof Serializable)) {
            RejectedExecutionException why = new RejectedExecutionException(RemoteRouting.notSerializable(s, task.body()));
            RemoteAgent.complete(task, null, why);
            AgentBase.FAILED.setOpaque(a, a.failed + 1);
            remote.finishInBacklog(queued, token, 0L);
            return null;
        }
        String key = task.options.idempotenceKey();
        return new RemoteDelivery(remote, task, key != null ? key : s.remoteIds.next(), queued, token);
    }

    /** After STOP: tasks waiting to be sent again will not be; their futures say so. */
    static void failResends(LoadstarScheduler s) {
        RemoteAgent.Resend r;
        while ((r = s.resends.poll()) != null) {
            RemoteAgent.complete(r.task(), null, new RejectedExecutionException("scheduler " + s.name()
                    + " stopped before task " + r.id() + " could be sent again; it may have run: its outcome is"
                    + " recorded under this id"));
        }
    }
}
