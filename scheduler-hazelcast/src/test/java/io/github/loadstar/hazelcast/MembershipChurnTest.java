package io.github.loadstar.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.HazelcastInstance;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A member joining and one leaving gracefully under load. Both move partitions, and Hazelcast's
 * durable executor re-runs every task still queued in a partition that moves (the research measured
 * 15 duplicates on a join, 29 on a graceful leave): the ledger absorbs those invocations — each
 * finds the outcome recorded, or the task running on a live member, and does not run the body —
 * so no task is lost, every outcome is recorded once, and a body runs twice only if its runner
 * left in the middle of it (the leaving worker's one executor thread: at most one task). An
 * invocation on the leaving worker that can no longer reach the ledger ends without an outcome
 * ({@link OutcomeNotDelivered}); the submitter sends that task again by its id.
 */
final class MembershipChurnTest {
    private static final int TASKS = 300;

    @Test
    @Timeout(240)
    void aJoinAndAGracefulLeaveUnderLoadLoseNothingAndRecordEachOutcomeOnce() throws Exception {
        List<Integer> ports = LoopbackWorkers.freePorts(4);
        try (LoopbackWorkers cluster = new LoopbackWorkers("ledger-churn-" + UUID.randomUUID(), ports)) {
            LoopbackWorkers.Worker leaving = cluster.start(ports.get(0), 1);
            leaving.awaitReady();
            LoopbackWorkers.Worker staying = cluster.start(ports.get(1), 1);
            staying.awaitReady();
            HazelcastInstance lite = cluster.liteMember(ports.get(3));
            try {
                MemberKeys keys = MemberKeys.watching(lite);
                List<CompletableFuture<Object>> outcomes = new ArrayList<>();
                int resent;
                LoopbackWorkers.Worker joining = null;
                long leftAt = 0;
                try (ResendingSubmitter submitter = new ResendingSubmitter(lite, keys)) {
                    for (int i = 0; i < TASKS; i++) {
                        if (i == TASKS / 4) {
                            joining = cluster.start(ports.get(2), 1);       // joins while tasks are queued
                        }
                        if (i == TASKS * 3 / 4) {
                            leaving.closeStdin();       // leaves gracefully: its partitions migrate first
                            leftAt = System.nanoTime();
                        }
                        outcomes.add(submitter.submit(i, 20));
                    }
                    assertNotNull(joining);
                    joining.awaitReady();
                    for (int i = 0; i < TASKS; i++) {
                        assertEquals("done-" + i, outcomes.get(i).get(120, TimeUnit.SECONDS), "task " + i + "'s outcome");
                    }
                    resent = submitter.resent();
                }
                double afterLeaveMs = (System.nanoTime() - leftAt) / 1e6;
                LedgerAudit audit = LedgerAudit.of(lite, TASKS);
                assertTrue(audit.reRuns() <= 1, audit.reRun() + " body re-runs; only the leaving worker's running task may run twice");
                System.out.printf("join after %d of %d submitted, graceful leave after %d: lost 0, outcomes recorded once"
                                + " each, body re-runs %d, duplicate invocations absorbed by the ledger %d, sent again after"
                                + " no outcome %d, all done %.0f ms after the leave began%n",
                        TASKS / 4, TASKS, TASKS * 3 / 4, audit.reRuns(), audit.absorbed(), resent, afterLeaveMs);
            } finally {
                lite.shutdown();
            }
        }
    }
}
