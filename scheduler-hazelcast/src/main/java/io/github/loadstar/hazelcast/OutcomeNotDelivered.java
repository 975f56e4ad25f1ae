package io.github.loadstar.hazelcast;

import com.hazelcast.core.MemberLeftException;
import com.hazelcast.spi.exception.TargetDisconnectedException;
import com.hazelcast.spi.exception.TargetNotMemberException;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionException;

/**
 * An invocation of a remote task ended without an outcome: its member could not reach the ledger
 * (it is leaving the cluster, or cut off from it), so it neither ran the body to a recorded end nor
 * read a recorded outcome. The task may still run elsewhere — Hazelcast re-runs the durable tasks of a
 * partition that moves — so the caller sends it again, with the same id, and gets the one recorded
 * outcome. Never the body's own failure: those are recorded and returned as thrown — unless the body failed
 * while its member was shutting down (the member's own calls then fail, "instance is not active").
 */
public final class OutcomeNotDelivered extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public OutcomeNotDelivered(String taskId, Throwable cause) {
        super("task " + taskId + ": no outcome from this member (" + cause + "); send it again by its id", null, false,
                false);
    }

    /**
     * Whether {@code failure}, as a task's future reported it, means "no outcome delivered" (send the
     * task again) rather than the task's own outcome: this exception, the executor's member-left and
     * target errors, or a split-brain protection's refusal, anywhere in its cause chain.
     */
    public static boolean isNotDelivered(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof OutcomeNotDelivered || t instanceof MemberLeftException || t instanceof TargetNotMemberException
                    || t instanceof TargetDisconnectedException || t instanceof SplitBrainProtectionException) {
                return true;
            }
        }
        return false;
    }
}
