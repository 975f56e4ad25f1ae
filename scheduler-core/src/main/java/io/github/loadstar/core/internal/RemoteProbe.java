package io.github.loadstar.core.internal;

import io.github.loadstar.core.spi.AgentBreaker;
import io.github.loadstar.core.spi.MemberStatus;
import io.github.loadstar.core.spi.RemoteLink;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/*
 * A remote agent's periodic probe of its member (RemoteLink.probe): every EVERY_NANOS while the
 * agent's breaker is CLOSED (or it has none), at most one probe outstanding. The answer is the
 * member's own figures for the metrics — tasks it runs for every submitter, its machine's CPU load —
 * and the probe's round trip. The breaker hears of each probe through a permit taken when it goes:
 *   - not answered (the stage fails, or the link's response timeout passes first): a failure, so a
 *     member that hangs with nothing in flight stops being admitted to, as one with tasks in flight
 *     does by their timeouts; a late answer is then ignored;
 *   - answered, with nothing in flight from its sending to its answer (as the agent saw at each
 *     look): a success, so an idle member's occasional slow answer (a collection pause) is
 *     forgotten at its next answer instead of adding up over hours;
 *   - answered while tasks were in flight: neutral (the permit released). A probe may run on
 *     another executor of the member than the tasks (Hazelcast's: the plain executor), so its answer
 *     says nothing of task threads that are stuck; the tasks' own outcomes and timeouts decide.
 * While the breaker is open or half-open nothing is probed here: RemoteAgent's ping (answers) and
 * the trials decide when the member is back.
 *
 * Threads: tick() runs on the agent thread only; the stage completes on any thread and is read here
 * by isDone/join; the figures are volatile for metrics readers.
 */

/** The periodic probe of one remote agent's member; see the overview in the source. */
final class RemoteProbe {
    /** How often a member is probed while its breaker is closed. */
    static final long EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final RemoteLink link;
    private final AgentBreaker breaker;
    private final long timeoutNanos;
    private final String location;
    /** Wakes the agent thread (a probe answered). */
    private final Runnable wake;
    private Outstanding pending;
    private long sentNanos;
    private long permit = AgentBreaker.NOT_PERMITTED;
    private long nextNanos;
    /** Whether the agent had nothing in flight at every look since the outstanding probe went. */
    private boolean idleThroughout;
    private boolean probes = true;
    // figures: written by the agent thread only
    /** The last answer, or null. */
    volatile MemberStatus status;
    /** The last answer's round trip in milliseconds, or -1. */
    volatile double millis = -1.0;
    volatile long unanswered;

    /** A probe sent and not settled: its answer, and when it came (written by the answering thread). */
    private static final class Outstanding {
        final CompletableFuture<MemberStatus> answer;
        volatile long answeredNanos;

        Outstanding(CompletableFuture<MemberStatus> answer) {
            this.answer = answer;
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
     * @param idle whether the agent has nothing in flight
     * @return how long until the probe next needs a look, in nanoseconds
     */
    long tick(long now, boolean idle) {
        if (!probes) {
            return Long.MAX_VALUE;
        }
        if (pending != null) {
            idleThroughout &= idle;
            settle(now);
        }
        if (pending == null && now - nextNanos >= 0 && closed()) {
            idleThroughout = idle;
            send(now);
        }
        if (pending != null) {
            return Math.max(1_000_000L, timeoutNanos - (now - sentNanos));
        }
        if (!closed()) {
            return Long.MAX_VALUE;      // nothing to probe until the breaker closes (a transition wakes the agent)
        }
        return Math.max(1_000_000L, nextNanos - now);
    }

    private boolean closed() {
        return breaker == null || "CLOSED".equals(breaker.state());
    }

    private void send(long now) {
        nextNanos = now + EVERY_NANOS;
        CompletionStage<MemberStatus> stage;
        try {
            stage = link.probe();
        } catch (Throwable t) {
            stage = CompletableFuture.failedFuture(t);
        }
        if (stage == null) {
            probes = false;     // this link does not probe
            return;
        }
        permit = breaker == null ? AgentBreaker.NOT_PERMITTED : breaker.tryAcquire();
        sentNanos = now;
        CompletableFuture<MemberStatus> answer;
        try {
            answer = stage.toCompletableFuture();
        } catch (Throwable t) {
            answer = CompletableFuture.failedFuture(t);    // a stage that cannot be waited on is no answer
        }
        Outstanding o = new Outstanding(answer);
        pending = o;
        answer.whenComplete((status, failure) -> {
            o.answeredNanos = System.nanoTime();
            wake.run();     // settled at the agent's next look, not at its next timed one
        });
    }

    private void settle(long now) {
        long age = now - sentNanos;
        Outstanding o = pending;
        CompletableFuture<MemberStatus> p = o.answer;
        if (p.isDone()) {
            pending = null;
            long answered = o.answeredNanos;
            if (answered != 0L && answered - sentNanos >= 0 && answered - now <= 0) {
                age = answered - sentNanos;     // the round trip, without the time until this look
            }
            MemberStatus answer = null;
            Throwable failure = null;
            try {
                answer = p.join();
            } catch (Throwable t) {
                failure = t;
            }
            if (failure == null) {
                if (answer != null) {
                    status = answer;    // an answer without figures still says the member is there
                }
                millis = age / 1e6;
                if (idleThroughout) {
                    reportSuccess(age);
                } else {
                    release();
                }
            } else {
                unanswered++;
                reportFailure(age, failure);
            }
        } else if (age - timeoutNanos > 0) {
            pending = null;     // a late answer is ignored
            unanswered++;
            reportFailure(age, new TimeoutException("probe of " + location + " not answered in "
                    + TimeUnit.NANOSECONDS.toMillis(age) + " ms"));
        }
    }

    private void reportSuccess(long age) {
        long p = permit;
        permit = AgentBreaker.NOT_PERMITTED;
        if (p != AgentBreaker.NOT_PERMITTED) {
            breaker.onSuccess(p, age);
        }
    }

    private void reportFailure(long age, Throwable why) {
        long p = permit;
        permit = AgentBreaker.NOT_PERMITTED;
        if (p != AgentBreaker.NOT_PERMITTED) {
            breaker.onFailure(p, age, why);
        }
    }

    private void release() {
        long p = permit;
        permit = AgentBreaker.NOT_PERMITTED;
        if (p != AgentBreaker.NOT_PERMITTED) {
            breaker.release(p);
        }
    }

    /** The agent leaves: an outstanding probe's permit is given back. */
    void close() {
        if (pending != null) {
            pending = null;
            release();
        }
    }
}
