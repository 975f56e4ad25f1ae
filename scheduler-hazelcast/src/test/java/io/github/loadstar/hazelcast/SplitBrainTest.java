package io.github.loadstar.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A worker that hangs longer than the heartbeat timeout is evicted, and wakes as a cluster of its
 * own. Its tasks run on the others meanwhile (Hazelcast's durable re-run, the ledger handing over the
 * body of the one it was running). With split-brain protection (at least 2 of the 3 workers; the
 * scheduler's lite member does not count), the woken worker's ledger and executor refuse to work: its queued copies run no body,
 * so only the task it was running when it stopped can have run twice. Runs are counted from the
 * workers' own output, since the woken worker's maps are a split copy the others never see.
 */
final class SplitBrainTest {
    private static final long TASK_MILLIS = 300;

    @Test
    @Timeout(240)
    void aWorkerWokenAfterItsEvictionRunsNoQueuedBody() throws Exception {
        List<Integer> ports = LoopbackWorkers.freePorts(4);
        try (LoopbackWorkers cluster = new LoopbackWorkers("split-" + UUID.randomUUID(), ports, 5)
                .minimumClusterSize(Integer.getInteger("loadstar.test.minimumClusterSize", 2))) {
            List<LoopbackWorkers.Worker> workers = cluster.startAll(2, 2, 1);
            LoopbackWorkers.Worker first = workers.get(0);
            LoopbackWorkers.Worker second = workers.get(1);
            LoopbackWorkers.Worker victim = workers.get(2);
            UUID firstId = first.awaitReady();
            UUID secondId = second.awaitReady();
            UUID victimId = victim.awaitReady();
            HazelcastInstance lite = cluster.liteMember(ports.get(3));
            try {
                MemberKeys keys = MemberKeys.watching(lite);
                List<String> ids = new ArrayList<>();
                for (int i = 0; ids.size() < 6; i++) {
                    Member owner = lite.getPartitionService().getPartition("task-" + i).getOwner();
                    if (owner != null && Set.of(firstId, secondId).contains(owner.getUuid())) {
                        ids.add("task-" + i);      // ledger lines the majority holds
                    }
                }
                Map<String, CompletableFuture<Object>> outcomes = new HashMap<>();
                try (MemberChannel toVictim = new MemberChannel(lite, victimId, keys, ids.size());
                     MemberChannel toFirst = new MemberChannel(lite, firstId, keys, ids.size());
                     MemberChannel toSecond = new MemberChannel(lite, secondId, keys, ids.size())) {
                    for (String id : ids) {
                        CompletableFuture<Object> f = new CompletableFuture<>();
                        outcomes.put(id, f);
                        assertTrue(toVictim.trySend(id, new CountedWork(number(id), TASK_MILLIS),
                                resendOnNoOutcome(id, f, List.of(toFirst, toSecond), 0)));
                    }
                    String running = awaitRunningOn(lite, ids, victimId);
                    victim.stop();
                    Thread.sleep(7_000);        // past the 5 s heartbeat timeout: evicted
                    for (String id : ids) {
                        assertEquals("done-" + number(id), outcomes.get(id).get(60, TimeUnit.SECONDS), id + "'s outcome");
                    }
                    victim.resume();
                    Thread.sleep(3 * TASK_MILLIS + 2_000);      // the woken worker's executor has had its chance
                    Map<String, Integer> runs = new HashMap<>();
                    for (LoopbackWorkers.Worker w : List.of(first, second, victim)) {
                        for (String line : w.output()) {
                            if (line.startsWith(CountedWork.RAN)) {
                                runs.merge(line.substring(CountedWork.RAN.length()).trim(), 1, Integer::sum);
                            }
                        }
                    }
                    for (String id : ids) {
                        LedgerEntry line = TaskLedger.of(lite).entry(id);
                        assertNotNull(line, id);
                        assertTrue(line.done(), id + ": " + line);
                        assertEquals("done-" + number(id), line.outcome(), id + "'s recorded outcome");
                        int ran = runs.getOrDefault(id, 0);
                        if (id.equals(running)) {
                            assertTrue(ran >= 1 && ran <= 2, id + " (running at the stop) ran " + ran + " times");
                        } else {
                            assertEquals(1, ran, id + " (queued at the stop) ran " + ran + " times: " + runs);
                        }
                    }
                    System.out.printf("hang of 7 s (eviction at 5 s) with %d tasks on the worker: all outcomes recorded once"
                            + " by the majority; body runs %s (the running one: %s)%n", ids.size(), runs, running);
                }
            } finally {
                lite.shutdown();
            }
        }
    }

    /** The outcome, or — when an invocation ended without one — the task sent again to the others in turn. */
    private static java.util.function.BiConsumer<Object, Throwable> resendOnNoOutcome(String id, CompletableFuture<Object> f,
                                                                                  List<MemberChannel> others, int attempt) {
        return (v, t) -> {
            if (t != null && OutcomeNotDelivered.isNotDelivered(t) && attempt < 10) {
                MemberChannel next = others.get(attempt % others.size());
                if (!next.trySend(id, new CountedWork(number(id), TASK_MILLIS), resendOnNoOutcome(id, f, others, attempt + 1))) {
                    f.completeExceptionally(new IllegalStateException("no room to send " + id + " again"));
                }
            } else {
                complete(f, v, t);
            }
        };
    }

    private static void complete(CompletableFuture<Object> f, Object v, Throwable t) {
        if (t != null) {
            f.completeExceptionally(t);
        } else {
            f.complete(v);
        }
    }

    private static int number(String id) {
        return Integer.parseInt(id.substring(id.lastIndexOf('-') + 1));
    }

    private static String awaitRunningOn(HazelcastInstance hz, List<String> ids, UUID member) throws InterruptedException {
        TaskLedger ledger = TaskLedger.of(hz);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() - deadline < 0) {
            for (String id : ids) {
                LedgerEntry line = ledger.entry(id);
                if (line != null && !line.done() && line.runner().equals(member.toString())) {
                    return id;
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError("the victim never started a task");
    }
}
