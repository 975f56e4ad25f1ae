package io.github.loadstar.hazelcast;

import static io.github.loadstar.hazelcast.RemoteAgentsCrashTest.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.HazelcastInstance;
import io.github.loadstar.core.Scheduler;
import io.github.loadstar.core.TaskOptions;
import io.github.loadstar.core.metrics.AgentMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A member that hangs (SIGSTOP), through the scheduler: three worker processes (one executor thread
 * each, window 4), this JVM a lite member whose scheduler has only remote agents, tasks of 100 ms.
 * The hung member's breaker opens (its tasks in flight time out after 500 ms), so it admits nothing
 * more; what it had not started is taken back and runs on the others; after SIGCONT a trial probes
 * it back in and it runs tasks again. Every task completes with its own value and every body runs
 * once (the ledger's audit). The hang (6 s) stays under the heartbeat timeout (15 s here): an
 * evicted member is the crash case.
 */
final class RemoteAgentsHangTest {
    private static final long TASK_MILLIS = 100;
    private static final int FIRST = 60;
    private static final int AFTER = 30;

    @Test
    @Timeout(240)
    void aHungMembersBreakerOpensItsUnstartedTasksRunElsewhereAndItIsProbedBackIn() throws Exception {
        List<Integer> ports = LoopbackWorkers.freePorts(4);
        try (LoopbackWorkers cluster = new LoopbackWorkers("remote-hang-" + UUID.randomUUID(), ports, 15)) {
            LoopbackWorkers.Worker victim = cluster.startAll(1, 1, 1).get(2);
            UUID victimId = victim.awaitReady();
            HazelcastInstance lite = cluster.liteMember(ports.get(3));
            Scheduler s = Scheduler.builder().name("remote-hang").agents(1).maxAgents(8).build();
            try (RemoteMembers members = RemoteMembers.builder(s, lite).responseTimeout(Duration.ofMillis(500)).windowPerThread(4)
                    .withoutLocalAgents().attach()) {
                awaitTrue(() -> RemoteAgentsCrashTest.remoteAgents(s) == 3, "three remote agents");
                int victimAgent = members.agents().get(victimId);
                MemberChannel toVictim = members.link(victimId).orElseThrow().channel();
                // warm the members up (class loading, the maps' first use): a cold first task can take
                // longer than the 500 ms timeout, and the breakers would open before the test begins
                List<Future<String>> warmUp = new ArrayList<>();
                for (int i = 0; i < 30; i++) {
                    warmUp.add(s.submit(new CountedWork(1_000 + i, 1), TaskOptions.builder().idempotenceKey("warm-" + i).build()));
                }
                for (Future<String> f : warmUp) {
                    f.get(60, TimeUnit.SECONDS);
                }
                awaitTrue(() -> s.metrics().agents().stream().filter(AgentMetrics::remote)
                        .allMatch(a -> "CLOSED".equals(a.breakerState())), () -> "breakers closed after the warm-up\n" + s.metrics());
                // tasks whose ledger lines the other members hold: a line on the hung member can be read
                // by nobody until it answers, so such a task is neither taken back nor run elsewhere
                List<Integer> numbers = new ArrayList<>();
                for (int i = 0; numbers.size() < FIRST + AFTER; i++) {
                    if (!victimId.equals(lite.getPartitionService().getPartition("task-" + i).getOwner().getUuid())) {
                        numbers.add(i);
                    }
                }
                List<Future<String>> futures = new ArrayList<>();
                for (int k = 0; k < FIRST; k++) {
                    int i = numbers.get(k);
                    futures.add(s.submit(new CountedWork(i, TASK_MILLIS), TaskOptions.builder().idempotenceKey("task-" + i).build()));
                }
                awaitTrue(() -> RemoteAgentsCrashTest.done(futures) >= 6 && toVictim.inFlight() == toVictim.window(),
                        () -> "work under way, the victim's window full: " + RemoteAgentsCrashTest.done(futures) + " done, "
                                + toVictim + "\n" + s.metrics());
                victim.stop();
                long stoppedAt = System.nanoTime();
                awaitTrue(() -> "OPEN".equals(agent(s, victimAgent).breakerState()), "the hung member's breaker opens");
                double isolatedMs = (System.nanoTime() - stoppedAt) / 1e6;
                long admittedAtOpen = toVictim.completed() + toVictim.failed() + toVictim.reclaimed() + toVictim.inFlight();
                Thread.sleep(5_000);
                long admittedLater = toVictim.completed() + toVictim.failed() + toVictim.reclaimed() + toVictim.inFlight();
                assertEquals(admittedAtOpen, admittedLater, "a hung member is admitted nothing more");
                long reclaimed = toVictim.reclaimed();
                int doneWhileHung = RemoteAgentsCrashTest.done(futures);
                victim.resume();
                long resumedAt = System.nanoTime();
                awaitTrue(() -> !"OPEN".equals(agent(s, victimAgent).breakerState()), "trials let through");
                for (int k = FIRST; k < FIRST + AFTER; k++) {
                    int i = numbers.get(k);
                    futures.add(s.submit(new CountedWork(i, TASK_MILLIS),
                            TaskOptions.builder().idempotenceKey("task-" + i).preferAgent(victimAgent).build()));
                }
                awaitTrue(() -> "CLOSED".equals(agent(s, victimAgent).breakerState()),
                        () -> "probed back in: " + s.metrics());
                double backInMs = (System.nanoTime() - resumedAt) / 1e6;
                for (int k = 0; k < FIRST + AFTER; k++) {
                    int i = numbers.get(k);
                    assertEquals("done-" + i, futures.get(k).get(60, TimeUnit.SECONDS), "task " + i + "'s outcome");
                }
                Thread.sleep(2 * TASK_MILLIS);      // queued copies on the woken member have looked at the ledger
                LedgerAudit audit = LedgerAudit.of(lite, numbers);
                assertEquals(0, audit.reRuns(), () -> "every body ran once: " + audit.reRun());
                int byVictim = 0;
                for (int k = FIRST; k < FIRST + AFTER; k++) {
                    LedgerEntry line = TaskLedger.of(lite).entry("task-" + numbers.get(k));
                    byVictim += victimId.toString().equals(line.doneBy()) ? 1 : 0;
                }
                assertTrue(byVictim > 0, "the member probed back in ran tasks again");
                assertTrue(reclaimed > 0, "its unstarted tasks were taken back");
                System.out.printf("SIGSTOP of 1 of 3 members (window 4, timeout 500 ms): breaker OPEN %.0f ms after the stop,"
                                + " nothing admitted for 5 s after; %d of its tasks taken back, %d of %d tasks done while"
                                + " it hung; after SIGCONT back to CLOSED in %.0f ms and it ran %d of the next %d; every body"
                                + " ran once (%d duplicate sendings absorbed)%n%s%n",
                        isolatedMs, reclaimed, doneWhileHung, FIRST, backInMs, byVictim, AFTER, audit.absorbed(), s.metrics());
            } finally {
                s.shutdownNow();
                lite.shutdown();
            }
        }
    }

    private static AgentMetrics agent(Scheduler s, int index) {
        return RemoteAgentsCrashTest.agent(s, index);
    }
}
