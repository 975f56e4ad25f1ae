package io.github.loadstar.core.spi;

import java.util.List;

/**
 * Where a remote agent sends its tasks: one member of a cluster, reached through a transport the
 * scheduler does not know (scheduler-hazelcast's {@code HazelcastRemoteLink} is one). A scheduler
 * adds a remote agent for a link with {@link io.github.loadstar.core.Scheduler#addRemoteAgent}; the
 * agent keeps its backlog in the scheduler, ordered by the scheduler's policy, and <em>admits</em>
 * tasks to the link while fewer than {@link #window()} are in flight.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #send} is called by the agent's own thread only, and must not block for long (a
 *       transport that waits for the member does so on a thread of its own);</li>
 *   <li>each task sent is reported exactly once — {@link RemoteTask#completed},
 *       {@link RemoteTask#failed} or {@link RemoteTask#notDelivered}, from any thread — unless
 *       {@link #reclaimUnstarted()} returned it first, after which it is never reported;</li>
 *   <li>a task reported {@code notDelivered} did not produce an outcome: the scheduler sends it again,
 *       with the same {@link RemoteTask#id()}, to some remote agent; the transport must make a second
 *       delivery of the same id harmless (an idempotence ledger);</li>
 *   <li>a method that throws is treated as the member failing (its breaker hears of it); it never
 *       loses a task.</li>
 * </ul>
 */
public interface RemoteLink {

    /** Where the member is, as the metrics show it (for example {@code "hazelcast 10.0.0.7:5701"}). */
    String location();

    /** How many tasks may be in flight to the member at once (at least 1). */
    int window();

    /**
     * How long a task may be in flight before the agent counts it as a failure of the member (a
     * timeout, reported to the agent's breaker once; the task itself stays in flight).
     */
    long responseTimeoutNanos();

    /**
     * Sends a task. False, with nothing changed, if the link cannot take it now (its window is full,
     * or it is closed).
     */
    boolean send(RemoteTask task);

    /**
     * Takes back the tasks sent that certainly have not started on the member, so that the scheduler
     * can send them elsewhere (the agent's breaker opened, or the agent is leaving). They are never
     * reported by this link. May take a while (it may have to ask the cluster); called by the agent's
     * own thread while it admits nothing.
     */
    List<RemoteTask> reclaimUnstarted();

    /**
     * Whether the member answers now: a cheap round trip (a ping), asked — at most every half second —
     * before a breaker that opened lets real tasks through as trials, so that trials are not sent to
     * a member that still hangs. May take a while; called by the agent's own thread while it admits
     * nothing. Default: true (trials decide).
     */
    default boolean answers() {
        return true;
    }

    /**
     * Starts a probe of the member's own figures, answered asynchronously: the agent asks every half
     * second while its breaker admits work, with at most one probe outstanding. Sent while the breaker
     * is CLOSED, a probe not answered in time — the stage fails with a
     * {@link java.util.concurrent.TimeoutException}, or {@link #responseTimeoutNanos()} passes first —
     * counts as a failure of the member (reported as a {@code TimeoutException}), so a member that
     * hangs with nothing in flight is found too; an answer counts as a success only if no task was
     * sent or in flight from the probe's sending to its answer (otherwise the tasks' outcomes speak for
     * the member); a stage failing with another error (the member answered, but could not probe) is
     * neutral. Must not block; a probe that throws is the link's fault and is not held against the
     * member. Default: null, the link does not probe (no figures, and the breaker hears only of
     * tasks).
     */
    default java.util.concurrent.CompletionStage<MemberStatus> probe() {
        return null;
    }

    /** The agent has left: no more sends. Tasks in flight are still reported. */
    void close();
}
