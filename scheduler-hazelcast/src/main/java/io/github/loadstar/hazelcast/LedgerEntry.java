package io.github.loadstar.hazelcast;

import java.io.Serializable;

/**
 * One remote task's line in the idempotence ledger ({@link TaskLedger}), keyed by its stable task id.
 * No line means the task has not started anywhere. A line moves only forward, and only through the
 * ledger's entry processors, which Hazelcast runs one at a time per key on the key's owner:
 *
 * <pre>
 *   (none) ──begin──▶ RUNNING(runner, invocation) ──finish──▶ DONE(outcome)
 *                        │  ▲
 *                        └──┘ begin by another invocation, once the runner has left the cluster,
 *                             or released it (release by the runner's own invocation, leaving)
 * </pre>
 *
 * @param state      RUNNING or DONE
 * @param runner     the UUID of the member whose invocation runs (or ran) the task's body
 * @param invocation the id of that invocation (one per attempt to run the task on a member)
 * @param invocations how many invocations of the task asked the ledger (Hazelcast's re-runs after a
 *                   crash or a migration included); those beyond {@code bodyRuns} were absorbed
 * @param bodyRuns   how many invocations started the body: more than one means re-runs (a member
 *                   died while running it, or an evicted member woke up and finished too)
 * @param outcome    the recorded result (may be null), or the Throwable the body threw; set when DONE
 * @param failed     whether the outcome is a Throwable the body threw
 * @param doneBy     the member whose invocation recorded the outcome; null until DONE
 */
public record LedgerEntry(State state, String runner, String invocation, int invocations, int bodyRuns, Object outcome,
                          boolean failed, String doneBy) implements Serializable {
    private static final long serialVersionUID = 1L;
    /** The runner of a released line: no member's UUID, so every member sees it gone. */
    static final String RELEASED = "released";

    /** Where a task stands in the ledger. */
    public enum State {
        /** An invocation on {@code runner} started the body and has not recorded an outcome. */
        RUNNING,
        /** The outcome is recorded: every later invocation returns it without running the body. */
        DONE
    }

    /** Whether the outcome is recorded. */
    public boolean done() {
        return state == State.DONE;
    }

    LedgerEntry running(String member, String newInvocation) {
        return new LedgerEntry(State.RUNNING, member, newInvocation, invocations, bodyRuns + 1, null, false, null);
    }

    /** The runner that ran the body is given up (it is leaving without an outcome): any live member may take over. */
    LedgerEntry givenUp() {
        return new LedgerEntry(State.RUNNING, RELEASED, invocation, invocations, bodyRuns, null, false, null);
    }

    /** Whether the body's runner gave it up (released) without recording an outcome. */
    public boolean isReleased() {
        return state == State.RUNNING && RELEASED.equals(runner);
    }

    LedgerEntry finished(String member, Object result, boolean threw) {
        return new LedgerEntry(State.DONE, runner, invocation, invocations, bodyRuns, result, threw, member);
    }

    LedgerEntry counted() {
        return new LedgerEntry(state, runner, invocation, invocations + 1, bodyRuns, outcome, failed, doneBy);
    }

    static LedgerEntry first(String member, String invocation) {
        return new LedgerEntry(State.RUNNING, member, invocation, 0, 1, null, false, null);
    }
}
