package io.github.loadstar.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A worker that hangs (SIGSTOP) with a full window: its channel admits nothing more, the tasks it
 * had not started are taken back and run on the other two workers, and when it resumes (SIGCONT, before
 * its eviction) its queued copies of those tasks find their outcomes recorded and do not run
 * their bodies again; the task it was running finishes there. Every body runs once. (A hang longer
 * than the heartbeat timeout evicts the worker: it wakes as a cluster of its own, the task it was
 * running is taken over elsewhere, and that body runs twice — seen while this test was written,
 * with a 6.2 s hang.)
 *
 * <p>The ledger line of a task lives in the partition of its id; a line held by the hung member
 * cannot be read until it answers (or is evicted), so such a task is not taken back: the test
 * chooses ids of both kinds and checks each behaves as stated.
 */
final class MemberHangTest {
    /** Short, so that all the test does while the victim hangs ends well before its 5 s eviction. */
    private static final long TASK_MILLIS = 100;

    @Test
    @Timeout(240)
    void aHungMembersUnstartedTasksRunElsewhereAndNothingRunsTwice() throws Exception {
        List<Integer> ports = LoopbackWorkers.freePorts(4);
        // evicted after 15 s of silence: this test is about a member that answers again before that
        try (LoopbackWorkers cluster = new LoopbackWorkers("hang-" + UUID.randomUUID(), ports, 15)) {
            List<LoopbackWorkers.Worker> workers = cluster.startAll(4, 4, 1);
            LoopbackWorkers.Worker first = workers.get(0);
            LoopbackWorkers.Worker second = workers.get(1);
            LoopbackWorkers.Worker victim = workers.get(2);
            UUID firstId = first.awaitReady();
            UUID secondId = second.awaitReady();
            UUID victimId = victim.awaitReady();
            HazelcastInstance lite = cluster.liteMember(ports.get(3));
            try {
                MemberKeys keys = MemberKeys.watching(lite);
                long t0 = System.nanoTime();
                List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
                lite.getCluster().addMembershipListener(new com.hazelcast.cluster.MembershipListener() {
                    @Override
                    public void memberAdded(com.hazelcast.cluster.MembershipEvent e) {
                        events.add(String.format("%.0f ms: added %s", (System.nanoTime() - t0) / 1e6, e.getMember()));
                    }

                    @Override
                    public void memberRemoved(com.hazelcast.cluster.MembershipEvent e) {
                        events.add(String.format("%.0f ms: removed %s", (System.nanoTime() - t0) / 1e6, e.getMember()));
                    }
                });
                // ids whose ledger lines the other workers hold (takeable), and two the victim holds
                List<String> readable = idsWithLedgerOn(lite, java.util.Set.of(firstId, secondId), 6, 0);
                List<String> heldByVictim = idsWithLedgerOn(lite, java.util.Set.of(victimId), 2, 10_000);
                List<String> ids = new ArrayList<>(readable);
                ids.addAll(heldByVictim);
                Map<String, CompletableFuture<Object>> outcomes = new ConcurrentHashMap<>();
                try (MemberChannel toVictim = new MemberChannel(lite, victimId, keys, ids.size());
                     MemberChannel toFirst = new MemberChannel(lite, firstId, keys, ids.size());
                     MemberChannel toSecond = new MemberChannel(lite, secondId, keys, ids.size())) {
                    for (String id : ids) {
                        CompletableFuture<Object> f = new CompletableFuture<>();
                        outcomes.put(id, f);
                        assertTrue(toVictim.trySend(id, new CountedWork(number(id), TASK_MILLIS), (v, t) -> {
                            if (t != null) {
                                f.completeExceptionally(t);
                            } else {
                                f.complete(v);
                            }
                        }), "admitted " + id);
                    }
                    String running = awaitRunningOn(lite, readable.get(0), victimId);
                    while (toVictim.unsent() > 0) {
                        Thread.sleep(1);    // all in the victim's durable queue: the takeable ones are told by their lines
                    }
                    victim.stop();
                    long stoppedAt = System.nanoTime();
                    events.add(String.format("%.0f ms: SIGSTOP", (stoppedAt - t0) / 1e6));
                    assertFalse(toVictim.trySend("extra", new CountedWork(99, 1), (v, t) -> { }),
                            "a full window admits nothing");
                    Thread.sleep(500);
                    List<MemberChannel.Reclaimed> back = new ArrayList<>();
                    for (int round = 0; round < 5 && back.size() < readable.size() - 1; round++) {
                        back.addAll(toVictim.reclaimUnstarted());
                    }
                    double reclaimMs = (System.nanoTime() - stoppedAt) / 1e6;
                    List<String> backIds = new ArrayList<>();
                    for (MemberChannel.Reclaimed r : back) {
                        MemberChannel to = backIds.size() % 2 == 0 ? toFirst : toSecond;
                        backIds.add(r.taskId());
                        assertTrue(to.trySend(r.taskId(), r.body(), (v, t) -> r.onOutcome().accept(v, t)),
                                "another worker takes " + r.taskId());
                    }
                    // the unstarted tasks whose lines are readable came back; the running one and those
                    // whose lines the hung member holds stayed
                    List<String> expected = new ArrayList<>(readable);
                    expected.remove(running);
                    assertEquals(new java.util.TreeSet<>(expected), new java.util.TreeSet<>(backIds), "taken back");
                    // well before the victim's eviction (15 s): a wait that lasts until it means something on
                    // the healthy workers waited for the hung one, and its running task would then be taken over
                    long evictionNear = stoppedAt + TimeUnit.SECONDS.toNanos(12);
                    for (String id : backIds) {
                        assertEquals("done-" + number(id), outcomes.get(id).get(Math.max(0, evictionNear - System.nanoTime()),
                                        TimeUnit.NANOSECONDS), id + " ran on another worker while the victim hung");
                        events.add(String.format("%.0f ms: outcome of %s", (System.nanoTime() - t0) / 1e6, id));
                    }
                    double elsewhereMs = (System.nanoTime() - stoppedAt) / 1e6;
                    victim.resume();
                    events.add(String.format("%.0f ms: SIGCONT", (System.nanoTime() - t0) / 1e6));
                    double hungMs = (System.nanoTime() - stoppedAt) / 1e6;
                    for (String id : ids) {
                        assertEquals("done-" + number(id), outcomes.get(id).get(60, TimeUnit.SECONDS), id + "'s outcome");
                    }
                    Thread.sleep(2 * TASK_MILLIS);      // the victim's queued copies have had time to look
                    StringBuilder wrong = new StringBuilder();
                    for (String id : ids) {
                        LedgerEntry line = TaskLedger.of(lite).entry(id);
                        int runs = CountedWork.runs(lite, id);
                        if (line == null || !line.done() || line.bodyRuns() != 1 || runs != 1) {
                            wrong.append(String.format("%s (%s): line %s, body ran %d times%n", id,
                                    id.equals(running) ? "the running one" : backIds.contains(id) ? "taken back"
                                            : "line held by the victim", line, runs));
                        }
                    }
                    if (wrong.length() > 0) {
                        fail("not every task granted and run once (victim " + victimId + ", first " + firstId
                                + ", second " + secondId + ", running " + running + ", taken back " + backIds + "):\n"
                                + wrong + "membership seen by the lite member:\n" + String.join("\n", events)
                                + "\nworkers' output:\n" + outputs(workers));
                    }
                    assertEquals(backIds.size(), toVictim.reclaimed());
                    System.out.printf("SIGSTOP of 1 of 3 workers with %d tasks in flight there: %d taken back %.0f ms after"
                                    + " the stop and run on the others (all done %.0f ms after the stop; SIGCONT at %.0f ms);"
                                    + " the running one and %d whose ledger lines the hung member held finished after"
                                    + " SIGCONT; every body ran once%n", ids.size(), backIds.size(), reclaimMs, elsewhereMs,
                            hungMs, heldByVictim.size());
                }
            } finally {
                lite.shutdown();
            }
        }
    }

    private static String outputs(List<LoopbackWorkers.Worker> workers) {
        StringBuilder b = new StringBuilder();
        for (LoopbackWorkers.Worker w : workers) {
            b.append("--- worker on port ").append(w.port()).append('\n');
            for (String line : w.output()) {
                b.append(line).append('\n');
            }
        }
        return b.toString();
    }

    private static int number(String id) {
        return Integer.parseInt(id.substring(id.lastIndexOf('-') + 1));
    }

    /** {@code n} task ids ({@code task-…}, from {@code base} up) whose ledger lines are in partitions {@code owners} own. */
    private static List<String> idsWithLedgerOn(HazelcastInstance hz, java.util.Set<UUID> owners, int n, int base) {
        List<String> ids = new ArrayList<>();
        for (int i = base; ids.size() < n; i++) {
            Member m = hz.getPartitionService().getPartition("task-" + i).getOwner();
            if (m != null && owners.contains(m.getUuid())) {
                ids.add("task-" + i);
            }
        }
        return ids;
    }

    /** Waits until the victim runs one of the tasks (its line says RUNNING there); returns its id. */
    private static String awaitRunningOn(HazelcastInstance hz, String likely, UUID member) throws InterruptedException {
        TaskLedger ledger = TaskLedger.of(hz);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() - deadline < 0) {
            LedgerEntry line = ledger.entry(likely);
            if (line != null && line.runner().equals(member.toString())) {
                return likely;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("the victim never started " + likely);
    }
}
