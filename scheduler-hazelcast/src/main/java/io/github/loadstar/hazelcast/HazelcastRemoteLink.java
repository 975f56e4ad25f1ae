package io.github.loadstar.hazelcast;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.ExecutionCallback;
import com.hazelcast.core.HazelcastInstance;
import io.github.loadstar.core.spi.MemberStatus;
import io.github.loadstar.core.spi.RemoteLink;
import io.github.loadstar.core.spi.RemoteTask;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A remote agent's link to one Hazelcast worker member: tasks go through the member's
 * {@link MemberChannel} (durable executor addressed to a key the member owns, the idempotence ledger
 * around the body), so a second sending of a task id finds the first's recorded outcome. An outcome
 * that reached no ledger ({@link OutcomeNotDelivered}) is reported not delivered, and the scheduler
 * sends the task again.
 */
public final class HazelcastRemoteLink implements RemoteLink {
    private static final long PROBE_MILLIS = 300;
    private final MemberChannel channel;
    private final HazelcastInstance instance;
    private final Member member;
    private final String location;
    private final long responseTimeoutNanos;
    private final MemberKeys keys;
    /** Whether this link holds {@link #keys}' listeners (released once, on close). */
    private final AtomicBoolean holdsKeys;
    /** Tasks in flight by id, so that what the channel takes back can be handed back as the scheduler's tasks. */
    private final Map<String, RemoteTask> sent = new ConcurrentHashMap<>();

    /**
     * @param instance             the scheduler's own member (lite) or client
     * @param member               the worker
     * @param keys                 keys of the partitions each member owns
     * @param window               tasks in flight at most
     * @param responseTimeoutNanos how long a task may be in flight before it counts against the member
     */
    public HazelcastRemoteLink(HazelcastInstance instance, Member member, MemberKeys keys, int window,
                               long responseTimeoutNanos) {
        if (responseTimeoutNanos <= 0) {
            throw new IllegalArgumentException("responseTimeoutNanos must be positive: " + responseTimeoutNanos);
        }
        this.channel = new MemberChannel(instance, member.getUuid(), keys, window);
        this.keys = keys;
        this.holdsKeys = new AtomicBoolean(keys.retain());
        this.instance = instance;
        this.member = member;
        this.location = "hazelcast " + member.getAddress().getHost() + ":" + member.getAddress().getPort();
        this.responseTimeoutNanos = responseTimeoutNanos;
    }

    /** The channel (its figures: round trip, in flight, reclaimed). */
    public MemberChannel channel() {
        return channel;
    }

    @Override
    public String location() {
        return location;
    }

    @Override
    public int window() {
        return channel.window();
    }

    @Override
    public long responseTimeoutNanos() {
        return responseTimeoutNanos;
    }

    @Override
    public boolean send(RemoteTask task) {
        Object body = task.body();
        Callable<?> callable = body instanceof Callable ? (Callable<?>) body : new RunnableBody((Runnable) body);
        String id = task.id();
        if (sent.putIfAbsent(id, task) != null) {
            return false;       // its previous sending here is still settling
        }
        boolean accepted;
        try {
            accepted = channel.trySend(id, callable, (value, error) -> report(id, task, value, error));
        } catch (RuntimeException e) {
            sent.remove(id, task);
            throw e;
        }
        if (!accepted) {
            sent.remove(id, task);
        }
        return accepted;
    }

    private void report(String id, RemoteTask task, Object value, Throwable error) {
        sent.remove(id, task);
        if (error == null) {
            task.completed(value);
        } else if (OutcomeNotDelivered.isNotDelivered(error)) {
            task.notDelivered(error);
        } else {
            task.failed(error);
        }
    }

    @Override
    public List<RemoteTask> reclaimUnstarted() {
        List<RemoteTask> back = new ArrayList<>();
        for (MemberChannel.Reclaimed r : channel.reclaimUnstarted()) {
            RemoteTask task = sent.remove(r.taskId());
            if (task != null) {
                back.add(task);
            }
        }
        return back;
    }

    /** A ping through the member's plain executor, answered within 300 ms. */
    @Override
    public boolean answers() {
        try {
            return instance.getExecutorService(Probe.EXECUTOR).submitToMember(new Probe(), member)
                    .get(PROBE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception silent) {
            return false;
        }
    }

    /**
     * The member's own figures ({@link StatusProbe}) through its plain executor, answered within the
     * response timeout (the stage fails with a {@link java.util.concurrent.TimeoutException}
     * otherwise): not the ping's 300 ms, because an unanswered probe counts against a member whose
     * breaker is closed, and a busy machine may be slow to answer without being hung.
     */
    @Override
    public CompletionStage<MemberStatus> probe() {
        CompletableFuture<MemberStatus> answer = new CompletableFuture<>();
        instance.getExecutorService(Probe.EXECUTOR).submitToMember(new StatusProbe(), member,
                new ExecutionCallback<StatusProbe.Answer>() {
                    @Override
                    public void onResponse(StatusProbe.Answer a) {
                        try {
                            answer.complete(new MemberStatus(a.running(), a.cpuLoad()));
                        } catch (RuntimeException bad) {
                            answer.completeExceptionally(bad);
                        }
                    }

                    @Override
                    public void onFailure(Throwable t) {
                        answer.completeExceptionally(t);
                    }
                });
        return answer.orTimeout(responseTimeoutNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() {
        channel.close();
        if (holdsKeys.compareAndSet(true, false)) {
            keys.release();
        }
    }

    @Override
    public String toString() {
        return "HazelcastRemoteLink[" + location + ", " + channel.inFlight() + "/" + channel.window() + " in flight]";
    }
}
