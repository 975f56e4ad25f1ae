package io.github.loadstar.core.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.github.loadstar.core.TaskOptions;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The stock placement policies place where their definitions promise. */
final class PlacementPoliciesTest {

    @Test
    void powerOfTwoChoicesPicksTheLessLoadedOfTwoDistinctAgents() {
        qt().withFixedSeed(5L).withExamples(1000)
                .forAll(lists().of(integers().between(0, 100)).ofSizeBetween(2, 32), integers().all())
                .checkAssert((backlogs, random) -> {
                    FakeLoads loads = new FakeLoads(backlogs.stream().mapToInt(Integer::intValue).toArray());
                    int chosen = PlacementPolicies.powerOfTwoChoices().place(TaskOptions.DEFAULT, loads, random);
                    assertTrue(chosen >= 0 && chosen < loads.agentCount());
                    // the candidates are the same two the policy drew; the chosen one is never the
                    // heavier: at least one other agent is at least as loaded
                    int atLeastAsLoaded = 0;
                    for (int i = 0; i < loads.agentCount(); i++) {
                        if (i != chosen && loads.load(i) >= loads.load(chosen)) {
                            atLeastAsLoaded++;
                        }
                    }
                    assertTrue(atLeastAsLoaded >= 1, "picked the heavier of its two candidates");
                });
    }

    @Test
    void powerOfTwoChoicesAvoidsTheSingleHeavyAgentAndSpreadsOverTheRest() {
        FakeLoads loads = new FakeLoads(1000, 0, 0, 0);
        int[] placed = new int[4];
        java.util.Random r = new java.util.Random(1);
        for (int i = 0; i < 10_000; i++) {
            placed[PlacementPolicies.powerOfTwoChoices().place(TaskOptions.DEFAULT, loads, r.nextInt())]++;
        }
        assertEquals(0, placed[0], "agent 0 loses every comparison");
        for (int i = 1; i < 4; i++) {
            assertTrue(placed[i] > 2_500, "agent " + i + " got " + placed[i]);
        }
    }

    @Test
    void powerOfTwoChoicesSkipsAgentsThatDoNotAcceptWork() {
        FakeLoads loads = new FakeLoads(5, 0, 5);
        loads.accepting[1] = false;
        java.util.Random r = new java.util.Random(2);
        for (int i = 0; i < 1000; i++) {
            assertNotEquals(1, PlacementPolicies.powerOfTwoChoices().place(TaskOptions.DEFAULT, loads, r.nextInt()));
        }
        loads.accepting[0] = false;
        loads.accepting[2] = false;
        assertEquals(PlacementPolicy.ANY_AGENT, PlacementPolicies.powerOfTwoChoices().place(TaskOptions.DEFAULT, loads, 3),
                "nobody accepts: the shared queue");
    }

    @Test
    void roundRobinCyclesAndSkipsAgentsThatDoNotAcceptWork() {
        FakeLoads loads = new FakeLoads(0, 0, 0, 0);
        loads.accepting[2] = false;
        PlacementPolicy rr = PlacementPolicies.roundRobin();
        int[] counts = new int[4];
        for (int i = 0; i < 400; i++) {
            counts[rr.place(TaskOptions.DEFAULT, loads, 0)]++;
        }
        assertEquals(0, counts[2]);
        assertEquals(400, counts[0] + counts[1] + counts[3]);
        for (int i : new int[] {0, 1, 3}) {
            assertTrue(counts[i] >= 100, "agent " + i + ": " + counts[i]);
        }
    }

    @Test
    void affinityKeepsATenantOnOneHomeAgent() {
        FakeLoads loads = new FakeLoads(0, 0, 0, 0, 0, 0, 0, 0);
        PlacementPolicy affinity = PlacementPolicies.affinity();
        Set<Integer> homes = new HashSet<>();
        for (int t = 0; t < 64; t++) {
            TaskOptions options = TaskOptions.builder().tenant("tenant-" + t).build();
            int home = affinity.place(options, loads, 0);
            for (int random = 1; random < 50; random++) {
                assertEquals(home, affinity.place(options, loads, random * 7919), "tenant-" + t + " moved");
            }
            homes.add(home);
        }
        assertTrue(homes.size() >= 6, "64 tenants spread over most of 8 agents: " + homes);
        loads.accepting[affinity.place(TaskOptions.builder().tenant("tenant-0").build(), loads, 0)] = false;
        int moved = affinity.place(TaskOptions.builder().tenant("tenant-0").build(), loads, 0);
        assertTrue(loads.accepting(moved), "a home that refuses work is bypassed");
    }
}
