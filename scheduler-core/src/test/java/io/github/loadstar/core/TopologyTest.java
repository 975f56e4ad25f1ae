package io.github.loadstar.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loadstar.core.metrics.TopologyDecision;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The topology optimiser on live workloads of tasks that sleep 4 ms (an agent completes about 250 a
 * second, and CPU is no limit): offered 1,000 a second, two agents carry about 500, and a third is
 * predicted to add half as much again — the optimiser adds it, and the next window measures the
 * gain; offered 100 a second, one more agent would change nothing, and it changes nothing.
 */
@Timeout(60)
final class TopologyTest {
    private static final Duration WINDOW = Duration.ofMillis(250);

    private static Scheduler scheduler(int minAgents) {
        return Scheduler.builder().agents(2).maxAgents(3)
                .coordinator(CoordinatorConfig.builder().historyInterval(Duration.ofMillis(20))
                        .topology(TopologyConfig.builder().agents(minAgents, 3).threshold(0.10).window(WINDOW).build())
                        .build())
                .build();
    }

    /** Submits {@code perSecond} tasks of 4 ms sleep a second until {@code done} holds or 20 s pass. */
    private static void offer(Scheduler s, int perSecond, Predicate<List<TopologyDecision>> done) throws Exception {
        Runnable sleep = () -> {
            try {
                Thread.sleep(4);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        long start = System.nanoTime();
        long submitted = 0;
        long deadline = start + TimeUnit.SECONDS.toNanos(20);
        while (!done.test(s.topologyDecisions()) && System.nanoTime() - deadline < 0) {
            long due = (System.nanoTime() - start) * perSecond / 1_000_000_000L;
            for (; submitted < due; submitted++) {
                s.execute(sleep);
            }
            Thread.sleep(5);
        }
    }

    @Test
    void anAgentIsAddedWhereItHelpsAndTheNextWindowConfirmsIt() throws Exception {
        Scheduler s = scheduler(2);
        try {
            offer(s, 1_000, d -> d.stream().anyMatch(x -> x.action() == TopologyDecision.Action.ADD_AGENT && x.checked()));
            List<TopologyDecision> decisions = s.topologyDecisions();
            TopologyDecision add = decisions.stream().filter(x -> x.action() == TopologyDecision.Action.ADD_AGENT)
                    .findFirst().orElseThrow(() -> new AssertionError("no agent added: " + decisions));
            assertTrue(add.applied(), add.toString());
            assertEquals(2, add.agentsBefore());
            assertTrue(add.predictedImprovement() > 0.10, add.toString());
            assertTrue(add.checked(), add.toString());
            assertTrue(add.measuredImprovement() > 0.10, "the next window measured the gain: " + add);
            assertEquals(3, s.settings().agentCount());
            assertTrue(add.evidence().get("arrivalsPerSecond") > 600, add.toString());
        } finally {
            s.shutdownNow();
            assertTrue(s.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void whereAnotherAgentWouldNotHelpNothingChanges() throws Exception {
        Scheduler s = scheduler(2);
        try {
            offer(s, 100, d -> d.size() >= 3);
            List<TopologyDecision> decisions = s.topologyDecisions();
            assertTrue(decisions.size() >= 3, decisions.toString());
            for (TopologyDecision d : decisions) {
                assertEquals(TopologyDecision.Action.NONE, d.action(), decisions.toString());
                assertTrue(!d.applied() && d.predictedImprovement() < 0.10, d.toString());
            }
            assertEquals(2, s.settings().agentCount());
        } finally {
            s.shutdownNow();
            assertTrue(s.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    /** With one agent allowed, the light load is carried by fewer agents: one is removed and throughput holds. */
    @Test
    void anIdleAgentIsRemovedWhenThroughputHolds() throws Exception {
        Scheduler s = scheduler(1);
        try {
            offer(s, 100, d -> d.stream().anyMatch(x -> x.action() == TopologyDecision.Action.REMOVE_AGENT && x.checked()));
            TopologyDecision removal = s.topologyDecisions().stream()
                    .filter(x -> x.action() == TopologyDecision.Action.REMOVE_AGENT).findFirst().orElseThrow();
            assertTrue(removal.applied(), removal.toString());
            assertEquals(1, s.settings().agentCount());
            assertTrue(removal.measuredImprovement() > -0.2, "throughput held: " + removal);
        } finally {
            s.shutdownNow();
            assertTrue(s.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void badSettingsAreRefusedByName() {
        assertThrows(IllegalArgumentException.class, () -> TopologyConfig.builder().threshold(0));
        assertThrows(IllegalArgumentException.class, () -> TopologyConfig.builder().agents(3, 2));
        assertThrows(IllegalArgumentException.class, () -> TopologyConfig.builder().window(Duration.ofMillis(1)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CoordinatorConfig.builder()
                .historyInterval(Duration.ZERO).topology(TopologyConfig.builder().build()).build());
        assertTrue(e.getMessage().startsWith("topology"), e.getMessage());
    }
}
