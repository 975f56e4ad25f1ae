package io.github.loadstar.core.internal;

import io.github.loadstar.core.spi.AgentBreaker;
import io.github.loadstar.core.spi.MemberStatus;
import io.github.loadstar.core.spi.RemoteLink;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/*
 * A remote agent's periodic probe of its member (RemoteLink.probe): every EVERY_NANOS while the
 * agent's breaker admits work (or it has none), at most one probe outstanding. The answer is the
 * member's own figures for the metrics — tasks it runs for every submitter, its machine's CPU load —
 * and the probe's round trip.
 *
 * The breaker hears of a probe only if the breaker was CLOSED when it went (a permit taken then; in
 * HALF_OPEN the trials are the tasks' and the ping's, and other states only watch):
 *   - not answered in time (the stage fails with a TimeoutException, or the link's response timeout
 *     passes first): a failure, reported as a TimeoutException so that a breaker that records only
 *     timeouts counts it — a member that hangs with nothing in flight stops being admitted to, as one
 *     with tasks in flight does by their timeouts; a late answer is then ignored;
 *   - answered, with no task sent and nothing in flight from its sending to its answer: a success,
 *     so an idle member's occasional slow answer (a collection pause) is forgotten at its next
 *     answer instead of adding up over hours;
 *   - answered while tasks were out, or failed otherwise (the member answered with an error: it is
 *     there, yet could not probe — an older worker without the probe's class, say): neutral, the
 *     permit released. A probe may run on another executor of the member than the tasks (Hazelcast's:
 *     the plain executor), so its answer says nothing of task threads that are stuck.
 * A link whose probe() throws is at fault itself, not the member: counted, no permit taken.
 *
 * Threads: tick() runs on the agent thread only; the stage completes on any thread, which writes only
 * the probe's answeredNanos (volatile) and wakes the agent; the figures are volatile for metrics readers.
 */

/** The periodic probe of one remote agent's member; see the overview in the source. */
final class RemoteProbe {
    /** How often a member is probed. */
    static final long EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final RemoteLink link;
    private final AgentBreaker breaker;
    private final long timeoutNanos;
    private final String location;
    /** Wakes the agent thread (a probe answered). */
    private final Runnable wake;
    private Outstanding pending;
    private long nextNanos;
    private boolean probes = true;
    // figures: written by the agent thread only
    /** The last answer, or null. */
    volatile MemberStatus status;
    /** The last answer's round trip in milliseconds, or -1. */
    volatile double millis = -1.0;
    /** Probes that brought no figures: not answered in time, failed, or not sent because the link threw. */
    volatile long unanswered;

    /** A probe sent and not settled. */
    private static final class Outstanding {
        final CompletableFuture<MemberStatus> answer;
        final long sentNanos;
        /** The tasks the agent had sent when the probe went. */
        final long sentTasks;
        /** A permit of a CLOSED breaker, or NOT_PERMITTED. */
        long permit;
        /** Whether the agent had nothing in flight at every look since the probe went. */
        boolean idleThroughout;
        /** When the answer came (written by the answering thread), or 0. */
        volatile long answeredNanos;

        Outstanding(CompletableFuture<MemberStatus> answer, long sentNanos, long sentTasks, long permit, boolean idle) {
            this.answer = answer;
            this.sentNanos = sentNanos;
            this.sentTasks = sentTasks;
            this.permit = permit;
            this.idleThroughout = idle;
        }
    }

    RemoteProbe(RemoteLink link, AgentBreaker breaker, long timeoutNanos, String location, Runnable wake, long now) {
        this.link = link;
        this.wake = wake;
        this.breaker = breaker;
        this.timeoutNanos = timeoutNanos;
        this.location = location;
        this.nextNanos = now;
    }

    /**
     * Settles the outstanding probe if it is answered or overdue, and sends the next if it is due.
     *
     * @param idle      whether the agent has nothing in flight
     * @param sentTasks how many tasks the agent has sent so far
     * @return how long until the probe next needs a look, in nanoseconds
     */
    long tick(long now, boolean idle, long sentTasks) {
        if (!probes) {
            return Long.MAX_VALUE;
        }
        if (pending != null) {
            pending.idleThroughout &= idle;
            settle(pending, now, sentTasks);
        }
        boolean admits = breaker == null || breaker.admitsWork();
        if (pending == null && now - nextNanos >= 0 && admits) {
            send(now, idle, sentTasks);
        }
        if (pending != null) {
            return Math.max(1_000_000L, timeoutNanos - (now - pending.sentNanos));
        }
        if (!admits) {
            return Long.MAX_VALUE;      // nothing to probe while the breaker refuses (a transition wakes the agent)
        }
        return Math.max(1_000_000L, nextNanos - now);
    }

    private void send(long now, boolean idle, long sentTasks) {
        nextNanos = now + EVERY_NANOS;
        CompletionStage<MemberStatus> stage;
        CompletableFuture<MemberStatus> answer;
        try {
            stage = link.probe();
            if (stage == null) {
                probes = false;     // this link does not probe
                return;
            }
            answer = stage.toCompletableFuture();
        } catch (Throwable linkFault) {
            unanswered++;           // the link's own fault, not the member's: nothing for the breaker
            return;
        }
        Outstanding o = new Outstanding(answer, now, sentTasks, closedPermit(), idle);
        pending = o;
        answer.whenComplete((figures, failure) -> {
            o.answeredNanos = System.nanoTime();
            wake.run();     // settled at the agent's next look, not at its next timed one
        });
    }

    /** A permit if the breaker is CLOSED (never a HALF_OPEN trial), else NOT_PERMITTED. */
    private long closedPermit() {
        if (breaker == null || !"CLOSED".equals(breaker.state())) {
            return AgentBreaker.NOT_PERMITTED;
        }
        long p = breaker.tryAcquire();
        if (p != AgentBreaker.NOT_PERMITTED && !"CLOSED".equals(breaker.state())) {
            breaker.release(p);     // it moved meanwhile: not this probe's to judge
            return AgentBreaker.NOT_PERMITTED;
        }
        return p;
    }

    private void settle(Outstanding o, long now, long sentTasks) {
        CompletableFuture<MemberStatus> answer = o.answer;
        long age = now - o.sentNanos;
        if (!answer.isDone()) {
            if (age - timeoutNanos > 0) {
                pending = null;     // a late answer is ignored
                unanswered++;
                fail(o, age, new TimeoutException("probe of " + location + " not answered in "
                        + TimeUnit.NANOSECONDS.toMillis(age) + " ms"));
            }
            return;
        }
        pending = null;
        long answered = o.answeredNanos;
        if (answered != 0L && answered - o.sentNanos >= 0 && answered - now <= 0) {
            age = answered - o.sentNanos;       // the round trip, without the time until this look
        }
        MemberStatus figures;
        try {
            figures = answer.join();
        } catch (Throwable t) {
            unanswered++;
            Throwable cause = unwrap(t);
            if (cause instanceof TimeoutException) {
                fail(o, age, cause);
            } else {
                release(o);     // the member answered with an error: it is there
            }
            return;
        }
        if (figures != null) {
            status = figures;   // an answer without figures still says the member is there
        }
        millis = age / 1e6;
        if (o.idleThroughout && sentTasks == o.sentTasks) {
            long p = o.permit;
            o.permit = AgentBreaker.NOT_PERMITTED;
            if (p != AgentBreaker.NOT_PERMITTED) {
                breaker.onSuccess(p, age);
            }
        } else {
            release(o);
        }
    }

    private static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    private void fail(Outstanding o, long age, Throwable why) {
        long p = o.permit;
        o.permit = AgentBreaker.NOT_PERMITTED;
        if (p != AgentBreaker.NOT_PERMITTED) {
            breaker.onFailure(p, age, why);
        }
    }

    private void release(Outstanding o) {
        long p = o.permit;
        o.permit = AgentBreaker.NOT_PERMITTED;
        if (p != AgentBreaker.NOT_PERMITTED) {
            breaker.release(p);
        }
    }

    /** The agent leaves: an outstanding probe's permit is given back. */
    void close() {
        Outstanding o = pending;
        if (o != null) {
            pending = null;
            release(o);
        }
    }
}
