package io.github.loadstar.hazelcast;

import static io.github.loadstar.hazelcast.RemoteAgentsCrashTest.agent;
import static io.github.loadstar.hazelcast.RemoteAgentsCrashTest.awaitTrue;
import static io.github.loadstar.hazelcast.RemoteAgentsCrashTest.done;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.HazelcastInstance;
import io.github.loadstar.core.Scheduler;
import io.github.loadstar.core.TaskOptions;
import io.github.loadstar.core.metrics.AgentMetrics;
import io.github.loadstar.core.metrics.AgentState;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Members joining and leaving through the scheduler, under load: two worker processes, a remote-only
 * scheduler, 300 tasks of 20 ms; a third worker joins after 75 are done and becomes a remote agent
 * that takes work; one of the first two leaves gracefully after 225 (its partitions migrate, its
 * agent stops admitting, takes back what it had not started and leaves once its tasks are reported).
 * Nothing is lost and each outcome is recorded once.
 */
final class RemoteAgentsChurnTest {
    private static final int TASKS = 300;

    @Test
    @Timeout(240)
    void aMemberJoiningAndOneLeavingUnderLoadLoseNothingAndRecordEachOutcomeOnce() throws Exception {
        List<Integer> ports = LoopbackWorkers.freePorts(4);
        try (LoopbackWorkers cluster = new LoopbackWorkers("remote-churn-" + UUID.randomUUID(), ports)) {
            LoopbackWorkers.Worker leaving = cluster.start(ports.get(0), 1);
            UUID leavingId = leaving.awaitReady();
            cluster.start(ports.get(1), 1).awaitReady();
            HazelcastInstance lite = cluster.liteMember(ports.get(3));
            Scheduler s = Scheduler.builder().name("remote-churn").agents(1).maxAgents(8).build();
            try (RemoteMembers members = RemoteMembers.builder(s, lite).withoutLocalAgents().attach()) {
                awaitTrue(() -> RemoteAgentsCrashTest.remoteAgents(s) == 2, "two remote agents");
                int leavingAgent = members.agents().get(leavingId);
                List<Future<String>> futures = new ArrayList<>();
                for (int i = 0; i < TASKS; i++) {
                    futures.add(s.submit(new CountedWork(i, 20), TaskOptions.builder().idempotenceKey("task-" + i).build()));
                }
                awaitTrue(() -> done(futures) >= TASKS / 4, "a quarter done");
                LoopbackWorkers.Worker joining = cluster.start(ports.get(2), 1);
                UUID joinedId = joining.awaitReady();
                awaitTrue(() -> members.agents().containsKey(joinedId), "the new member is a remote agent");
                int joinedAgent = members.agents().get(joinedId);
                awaitTrue(() -> done(futures) >= TASKS * 3 / 4, "three quarters done");
                leaving.closeStdin();       // leaves gracefully
                long leftAt = System.nanoTime();
                for (int i = 0; i < TASKS; i++) {
                    assertEquals("done-" + i, futures.get(i).get(120, TimeUnit.SECONDS), "task " + i + "'s outcome");
                }
                double afterLeaveMs = (System.nanoTime() - leftAt) / 1e6;
                awaitTrue(() -> agent(s, leavingAgent).state() == AgentState.REMOVED, "the leaving member's agent left");
                LedgerAudit audit = LedgerAudit.of(lite, TASKS);
                assertTrue(audit.reRuns() <= 1, audit.reRun() + ": only the leaving member's running task may run twice");
                long byJoined = agent(s, joinedAgent).completed();
                assertTrue(byJoined > 0, "the member that joined took work");
                long completed = s.metrics().agents().stream().filter(AgentMetrics::remote).mapToLong(AgentMetrics::completed).sum();
                assertEquals(TASKS, completed, () -> "every completion accounted once\n" + s.metrics());
                System.out.printf("scheduler, 2 members + 1 joining after %d of %d done + 1 leaving gracefully after %d:"
                                + " lost 0, outcomes recorded once each, body re-runs %d, duplicate sendings absorbed %d;"
                                + " the joined member ran %d; all done %.0f ms after the leave began%n%s%n",
                        TASKS / 4, TASKS, TASKS * 3 / 4, audit.reRuns(), audit.absorbed(), byJoined, afterLeaveMs, s.metrics());
            } finally {
                s.shutdownNow();
                lite.shutdown();
            }
        }
    }
}
