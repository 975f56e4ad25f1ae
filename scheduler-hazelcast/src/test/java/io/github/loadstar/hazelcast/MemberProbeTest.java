package io.github.loadstar.hazelcast;

import static io.github.loadstar.hazelcast.RemoteAgentsCrashTest.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.HazelcastInstance;
import io.github.loadstar.core.Scheduler;
import io.github.loadstar.core.TaskOptions;
import io.github.loadstar.core.metrics.AgentMetrics;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The periodic probe of real worker processes (StatusProbe through the plain executor): each
 * member's own figures reach the scheduler's metrics — the bodies it runs, its machine's CPU load —
 * and a member that hangs (SIGSTOP) while nothing is in flight to it has its breaker opened by its
 * unanswered probes, with no task spent on finding it out, and is pinged back in after SIGCONT.
 */
final class MemberProbeTest {

    @Test
    @Timeout(180)
    void membersReportTheirOwnFiguresAndAnIdleMemberThatHangsIsIsolatedByItsProbes() throws Exception {
        List<Integer> ports = LoopbackWorkers.freePorts(3);
        try (LoopbackWorkers cluster = new LoopbackWorkers("member-probe-" + UUID.randomUUID(), ports, 15)) {
            List<LoopbackWorkers.Worker> workers = cluster.startAll(1, 1);
            UUID busyId = workers.get(0).awaitReady();
            LoopbackWorkers.Worker idle = workers.get(1);
            UUID idleId = idle.awaitReady();
            HazelcastInstance lite = cluster.liteMember(ports.get(2));
            Scheduler s = Scheduler.builder().name("member-probe").agents(1).maxAgents(4).build();
            try (RemoteMembers members = RemoteMembers.builder(s, lite).responseTimeout(Duration.ofMillis(500))
                    .withoutLocalAgents().attach()) {
                awaitTrue(() -> RemoteAgentsCrashTest.remoteAgents(s) == 2, "two remote agents");
                int busyAgent = members.agents().get(busyId);
                int idleAgent = members.agents().get(idleId);
                awaitTrue(() -> agent(s, busyAgent).probeMillis() >= 0 && agent(s, idleAgent).probeMillis() >= 0,
                        () -> "both members answered a probe\n" + s.metrics());
                AgentMetrics first = agent(s, busyAgent);
                assertEquals(0, first.memberRunning(), "nothing runs on the member yet");
                assertTrue(first.memberCpuLoad() == -1.0 || (first.memberCpuLoad() >= 0 && first.memberCpuLoad() <= 1),
                        "CPU load " + first.memberCpuLoad());

                // one long body on the busy member: its probe says so
                Future<String> longTask = s.submit(new CountedWork(1, 2_500),
                        TaskOptions.builder().idempotenceKey("long-1").pinnedTo(busyAgent).build());
                awaitTrue(() -> agent(s, busyAgent).memberRunning() == 1, () -> "the member runs the body\n" + s.metrics());
                AgentMetrics running = agent(s, busyAgent);
                assertEquals("done-1", longTask.get(60, TimeUnit.SECONDS));
                awaitTrue(() -> agent(s, busyAgent).memberRunning() == 0, "and then none");

                // the other member hangs with nothing in flight to it
                MemberChannel toIdle = members.link(idleId).orElseThrow().channel();
                long admittedBefore = toIdle.completed() + toIdle.failed() + toIdle.reclaimed() + toIdle.inFlight();
                assertEquals("CLOSED", agent(s, idleAgent).breakerState());
                idle.stop();
                long stoppedAt = System.nanoTime();
                awaitTrue(() -> "OPEN".equals(agent(s, idleAgent).breakerState()),
                        () -> "unanswered probes open the idle member's breaker\n" + s.metrics());
                double isolatedMs = (System.nanoTime() - stoppedAt) / 1e6;
                long unanswered = agent(s, idleAgent).probesUnanswered();
                long admittedAfter = toIdle.completed() + toIdle.failed() + toIdle.reclaimed() + toIdle.inFlight();
                assertEquals(admittedBefore, admittedAfter, "no task was sent to find it out");
                assertTrue(unanswered >= 2, unanswered + " probes unanswered");
                assertTrue(isolatedMs < 5_000, "isolated in " + isolatedMs + " ms");
                idle.resume();
                long resumedAt = System.nanoTime();
                awaitTrue(() -> "CLOSED".equals(agent(s, idleAgent).breakerState()),
                        () -> "pinged back in after SIGCONT\n" + s.metrics());
                double backInMs = (System.nanoTime() - resumedAt) / 1e6;
                Future<String> after = s.submit(new CountedWork(2, 10),
                        TaskOptions.builder().idempotenceKey("after-2").pinnedTo(idleAgent).build());
                assertEquals("done-2", after.get(60, TimeUnit.SECONDS));
                System.out.printf("member probes: answered in %.1f ms (member CPU load %.2f); while a body ran the member"
                                + " said it ran %d; an idle member stopped (SIGSTOP): breaker OPEN %.0f ms after, %d probes"
                                + " unanswered, no task sent; after SIGCONT CLOSED in %.0f ms%n%s%n",
                        first.probeMillis(), first.memberCpuLoad(), running.memberRunning(), isolatedMs, unanswered,
                        backInMs, s.metrics());
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
