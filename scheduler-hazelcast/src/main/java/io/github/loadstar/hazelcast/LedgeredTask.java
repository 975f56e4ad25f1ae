package io.github.loadstar.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.core.OperationTimeoutException;
import com.hazelcast.nio.serialization.HazelcastSerializationException;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionException;
import java.io.Serializable;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;

/**
 * A remote task as the durable executor carries it: the user's serializable body and its stable
 * task id. Each invocation on a member goes through the {@link TaskLedger}: it returns the recorded
 * outcome if there is one, waits while another invocation on a live member runs the body, and
 * otherwise runs the body and records its outcome (the first recorded stands). What the caller gets
 * is always the recorded outcome: the value, or the recorded exception thrown again.
 *
 * <p>Hazelcast gives the member's instance before {@link #call()} ({@link HazelcastInstanceAware}); a
 * body that is {@code HazelcastInstanceAware} gets it too.
 *
 * @param <T> the body's result
 */
public final class LedgeredTask<T> implements Callable<T>, Serializable, HazelcastInstanceAware {
    private static final long serialVersionUID = 1L;
    /** How long an invocation waits between looks while another one runs the body: 1 ms, doubling. */
    private static final long FIRST_WAIT_NANOS = 1_000_000L;
    private static final long LONGEST_WAIT_NANOS = 50_000_000L;

    private final String taskId;
    private final Callable<T> body;
    private transient HazelcastInstance instance;

    /**
     * @param taskId the stable id chosen at submission (the same for every attempt)
     * @param body   the work; it and its result must be serializable
     */
    public LedgeredTask(String taskId, Callable<T> body) {
        this.taskId = Objects.requireNonNull(taskId, "taskId");
        this.body = Objects.requireNonNull(body, "body");
        if (!(body instanceof Serializable)) {
            throw new IllegalArgumentException("body: " + body.getClass().getName() + " is not Serializable, so it cannot"
                    + " be sent to another member");
        }
    }

    public String taskId() {
        return taskId;
    }

    /** The user's body. */
    public Callable<T> body() {
        return body;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
        this.instance = hazelcastInstance;
        if (body instanceof HazelcastInstanceAware) {
            ((HazelcastInstanceAware) body).setHazelcastInstance(hazelcastInstance);   // Hazelcast sets only ours
        }
    }

    /**
     * Runs the task through the ledger (see the class overview).
     *
     * @throws OutcomeNotDelivered if this member could not reach the ledger (it is leaving, or cut
     *                             off): the caller sends the task again by its id
     */
    @Override
    public T call() throws Exception {
        HazelcastInstance hz = Objects.requireNonNull(instance, "not running on a Hazelcast member");
        return callOn(hz);
    }

    private T callOn(HazelcastInstance hz) throws Exception {
        TaskLedger ledger = TaskLedger.of(hz);
        MemberActivity activity = MemberActivity.of(hz);    // before the ledger grants the body: nothing to undo if it throws
        String member = hz.getCluster().getLocalMember().getUuid().toString();
        String invocation = UUID.randomUUID().toString();
        long wait = FIRST_WAIT_NANOS;
        for (boolean first = true; ; first = false) {
            LedgerEntry entry;
            try {
                entry = ledger.begin(taskId, member, invocation, first);
            } catch (HazelcastInstanceNotActiveException | OperationTimeoutException | SplitBrainProtectionException e) {
                throw new OutcomeNotDelivered(taskId, e);
            }
            if (entry.done()) {
                return recorded(entry);
            }
            if (invocation.equals(entry.invocation())) {
                break;      // this invocation runs the body
            }
            LockSupport.parkNanos(wait);     // another invocation on a live member runs it
            wait = Math.min(LONGEST_WAIT_NANOS, wait * 2);
            if (Thread.interrupted()) {
                throw new InterruptedException("waiting for task " + taskId + " on member " + entry.runner());
            }
        }
        Object outcome;
        boolean failed;
        activity.bodyStarted();
        try {
            outcome = body.call();
            failed = false;
        } catch (Exception | Error e) {
            if (!hz.getLifecycleService().isRunning()) {
                // the member is shutting down: the body's own calls to it fail ("instance is not
                // active") while the ledger's entry processors still go through, so recording this
                // would make the member's departure the task's outcome; it is sent again instead,
                // and the body given up so that the copy need not wait for this member to leave
                try {
                    ledger.release(taskId, invocation);
                } catch (RuntimeException gone) {
                    // the member is gone already: the copy takes over once the cluster sees it so
                }
                throw new OutcomeNotDelivered(taskId, e);
            }
            outcome = e;
            failed = true;
        } finally {
            activity.bodyFinished();
        }
        LedgerEntry done;
        try {
            done = ledger.finish(taskId, member, outcome, failed);
        } catch (HazelcastInstanceNotActiveException | OperationTimeoutException | SplitBrainProtectionException e) {
            throw new OutcomeNotDelivered(taskId, e);       // the body ran; whoever runs it next is told so
        } catch (HazelcastSerializationException e) {
            String what = outcome == null ? "null" : outcome.getClass().getName();
            done = ledger.finish(taskId, member, new IllegalStateException("task " + taskId + ": its "
                    + (failed ? "exception " : "result ") + what + " cannot be serialized: " + e.getMessage()), true);
        }
        return recorded(done);
    }

    @SuppressWarnings("unchecked")
    private T recorded(LedgerEntry entry) throws Exception {
        if (!entry.failed()) {
            return (T) entry.outcome();
        }
        Object thrown = entry.outcome();
        if (thrown instanceof Exception) {
            throw (Exception) thrown;
        }
        if (thrown instanceof Error) {
            throw (Error) thrown;
        }
        throw new IllegalStateException("task " + taskId + " failed with " + thrown);
    }

    @Override
    public String toString() {
        return "LedgeredTask[" + taskId + ", " + body + "]";
    }
}
