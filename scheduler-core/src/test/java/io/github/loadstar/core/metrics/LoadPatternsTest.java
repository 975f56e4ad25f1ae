package io.github.loadstar.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Each pattern from a history that has it, and none from the control beside it: a steady pool, a
 * pool imbalanced by chance (a different agent each time), imbalance that never goes away, and
 * arrivals that vary without a period.
 */
final class LoadPatternsTest {

    /** A snapshot one second after the last: agents with these queued loads, completions and migrations so far. */
    private static SchedulerMetrics at(int second, long completed, long migrations, long... queued) {
        List<AgentMetrics> agents = new ArrayList<>();
        for (int i = 0; i < queued.length; i++) {
            agents.add(new AgentMetrics(i, "t" + i, AgentState.RUNNING, 1.0, queued[i], false,
                    i == 0 ? completed : 0, 0, 0, 0, 0, 0, i == 0 ? migrations : 0, 0, 0, 0,
                    second * 500_000_000L, 0.5, queued[i], "NONE", 0, 0, -1, false, AgentMetrics.LOCAL, 0, 0.0, 1.0, -1, -1.0, -1.0, 0L));
        }
        return new SchedulerMetrics(second * 1_000_000_000L, agents, List.of(), LatencySummary.empty(64), 0, 0, 0, 0, 0);
    }

    private static List<LoadPattern.Kind> kinds(List<SchedulerMetrics> history) {
        return LoadPatterns.find(history).stream().map(LoadPattern::kind).toList();
    }

    @Test
    void oneAgentHotInMostImbalancedSnapshotsIsAHotAgentAndChanceIsNot() {
        List<SchedulerMetrics> hot = new ArrayList<>();
        List<SchedulerMetrics> chance = new ArrayList<>();
        for (int t = 0; t < 12; t++) {
            hot.add(at(t, t * 100L, 0, 1, t == 5 ? 30 : 2, t == 5 ? 2 : 30));  // agent 2 hot in 11 of 12
            long[] q = {1, 1, 1};
            q[t % 3] = 30;                                                     // each agent hot in turn
            chance.add(at(t, t * 100L, 0, q));
        }
        List<LoadPattern> found = LoadPatterns.find(hot);
        assertEquals(List.of(LoadPattern.Kind.HOT_AGENT), found.stream().map(LoadPattern::kind).toList(), found.toString());
        assertEquals("agent 2", found.get(0).subject());
        assertEquals(11.0, found.get(0).evidence().get("snapshotsHottest"));
        assertEquals(12.0, found.get(0).evidence().get("snapshotsImbalanced"));
        assertEquals(List.of(), kinds(chance));
    }

    @Test
    void imbalanceThatKeepsComingBackRecursAndImbalanceThatStaysDoesNot() {
        List<SchedulerMetrics> recurring = new ArrayList<>();
        List<SchedulerMetrics> persistent = new ArrayList<>();
        for (int t = 0; t < 12; t++) {
            boolean imbalanced = t % 3 == 2;                                    // balanced, balanced, skewed: 4 times
            recurring.add(at(t, t * 100L, t * 10L, 5, imbalanced ? 40 : 5, 5, 5));
            persistent.add(at(t, t * 100L, 0, 5, 40 + t % 2, 5, 5));
        }
        List<LoadPattern> found = LoadPatterns.find(recurring);
        assertEquals(List.of(LoadPattern.Kind.RECURRING_IMBALANCE), found.stream().map(LoadPattern::kind).toList(),
                found.toString());
        assertEquals(4.0, found.get(0).evidence().get("episodes"));
        assertEquals(110.0, found.get(0).evidence().get("migrations"));
        // always imbalanced: no episode recurs, but it is one hot agent
        assertEquals(List.of(LoadPattern.Kind.HOT_AGENT), kinds(persistent));
    }

    @Test
    void arrivalsWithAPeriodArePeriodicAndSteadyOrRandomArrivalsAreNot() {
        int[] cycle = {100, 100, 10, 10};        // tasks arriving per second, a period of 4 s
        List<SchedulerMetrics> periodic = new ArrayList<>();
        List<SchedulerMetrics> steady = new ArrayList<>();
        List<SchedulerMetrics> noisy = new ArrayList<>();
        Random random = new Random(42);
        long done = 0;
        long doneSteady = 0;
        long doneNoisy = 0;
        for (int t = 0; t <= 60; t++) {
            periodic.add(at(t, done, 0, 0, 0));
            steady.add(at(t, doneSteady, 0, 0, 0));
            noisy.add(at(t, doneNoisy, 0, 0, 0));
            done += cycle[t % 4];
            doneSteady += 55;
            doneNoisy += 10 + random.nextInt(91);
        }
        List<LoadPattern> found = LoadPatterns.find(periodic);
        assertEquals(List.of(LoadPattern.Kind.PERIODIC_LOAD), found.stream().map(LoadPattern::kind).toList());
        assertEquals(4.0, found.get(0).evidence().get("periodSeconds"), 1e-9);
        assertEquals(10.0, found.get(0).evidence().get("lowArrivalsPerSecond"), 1e-9);
        assertEquals(100.0, found.get(0).evidence().get("highArrivalsPerSecond"), 1e-9);
        assertTrue(found.get(0).evidence().get("autocorrelation") > 0.9, found.toString());
        assertEquals(List.of(), kinds(steady));
        assertEquals(List.of(), kinds(noisy));
        assertEquals(List.of(), kinds(periodic.subList(0, 10)), "too short a stretch to call anything periodic");
    }

    @Test
    void anIdleOrShortHistoryHasNoPatterns() {
        List<SchedulerMetrics> idle = new ArrayList<>();
        for (int t = 0; t < 30; t++) {
            idle.add(at(t, 0, 0, 0, 0, 0));
        }
        assertEquals(List.of(), kinds(idle));
        assertEquals(List.of(), kinds(idle.subList(0, 1)));
        assertEquals(List.of(), kinds(List.of()));
    }
}
