package io.github.loadstar.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.HazelcastInstance;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The ledger after a run of {@link CountedWork} tasks {@code task-0 … task-(n-1)}, checked: every task
 * DONE with its own outcome, and the body's own count of its runs at least one and at most what the
 * ledger granted (the body counts itself first thing, but a member that leaves or dies can cut it off
 * even before that: its map calls fail once it shuts down).
 *
 * @param reRuns   body runs beyond the first, over all tasks
 * @param reRun    the tasks whose body ran more than once, described
 * @param absorbed invocations that found the outcome recorded, or the task running on a live member,
 *                 and did not run the body
 */
record LedgerAudit(int reRuns, List<String> reRun, int absorbed) {

    static LedgerAudit of(HazelcastInstance member, int tasks) {
        List<Integer> numbers = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            numbers.add(i);
        }
        return of(member, numbers);
    }

    /** The audit of the tasks {@code task-n} for each n in {@code numbers}. */
    static LedgerAudit of(HazelcastInstance member, List<Integer> numbers) {
        Map<String, LedgerEntry> ledger = TaskLedger.of(member).snapshot();
        Map<String, Integer> bodyRuns = CountedWork.allRuns(member);
        int reRuns = 0;
        int absorbed = 0;
        List<String> reRun = new ArrayList<>();
        for (int i : numbers) {
            String id = "task-" + i;
            LedgerEntry e = ledger.get(id);
            assertNotNull(e, id + " has no ledger entry");
            assertTrue(e.done(), id + " not DONE: " + e);
            assertEquals("done-" + i, e.outcome(), id + "'s recorded outcome");
            int runs = bodyRuns.getOrDefault(id, 0);
            assertTrue(runs >= 1 && runs <= e.bodyRuns(), id + ": the body counted " + runs + " runs, the ledger granted it "
                    + e.bodyRuns());
            if (e.bodyRuns() > 1) {
                reRuns += e.bodyRuns() - 1;
                reRun.add(id + " (granted " + e.bodyRuns() + " times, last to " + e.runner() + ")");
            }
            absorbed += e.invocations() - e.bodyRuns();
        }
        return new LedgerAudit(reRuns, List.copyOf(reRun), absorbed);
    }
}
