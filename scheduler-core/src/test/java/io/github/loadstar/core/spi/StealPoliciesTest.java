package io.github.loadstar.core.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The stock steal policies choose the victims their definitions promise. */
final class StealPoliciesTest {

    private static int[] victims(StealPolicy policy, int thief, FakeLoads loads, int random) {
        int[] out = new int[loads.agentCount()];
        int n = policy.selectVictims(thief, loads, random, out);
        return Arrays.copyOf(out, n);
    }

    @Test
    void thresholdTakesVictimsAboveTheThresholdHeaviestFirst() {
        FakeLoads loads = new FakeLoads(9, 0, 3, 7, 5, 1);
        StealPolicy policy = StealPolicies.threshold(2);
        for (int random : new int[] {0, 12345, -1, Integer.MAX_VALUE}) {
            assertArrayEquals(new int[] {0, 3, 4, 2}, victims(policy, 1, loads, random),
                    "backlogs 9, 7, 5, 3 are above 2; heaviest first");
        }
        assertArrayEquals(new int[] {3, 4, 2}, victims(policy, 0, loads, 7), "the thief is never a victim");
    }

    @Test
    void thresholdZeroTakesEveryAgentWithWork() {
        FakeLoads loads = new FakeLoads(0, 1, 0, 2);
        assertArrayEquals(new int[] {3, 1}, victims(StealPolicies.threshold(), 0, loads, 99));
        assertEquals(0, victims(StealPolicies.threshold(), 0, new FakeLoads(5), 1).length, "one agent has nobody to rob");
    }

    @Test
    void thresholdRejectsANegativeThreshold() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StealPolicies.threshold(-1));
        assertTrue(e.getMessage().contains("stealThreshold"), e.getMessage());
    }

    @Test
    void randomStrideVisitsEveryOtherAgentWithWorkExactlyOnce() {
        qt().withFixedSeed(7L).withExamples(500)
                .forAll(lists().of(integers().between(0, 3)).ofSizeBetween(1, 24), integers().all(),
                        integers().between(0, 23))
                .checkAssert((backlogs, random, thiefSeed) -> {
                    FakeLoads loads = new FakeLoads(backlogs.stream().mapToInt(Integer::intValue).toArray());
                    int thief = thiefSeed % loads.agentCount();
                    int[] v = victims(StealPolicies.randomStride(), thief, loads, random);
                    Set<Integer> expected = new HashSet<>();
                    for (int i = 0; i < loads.agentCount(); i++) {
                        if (i != thief && loads.backlog(i) > 0) {
                            expected.add(i);
                        }
                    }
                    Set<Integer> seen = new HashSet<>();
                    for (int i : v) {
                        assertTrue(seen.add(i), "visited twice: " + i);
                    }
                    assertEquals(expected, seen);
                });
    }

    @Test
    void randomStrideSpreadsStartingPoints() {
        FakeLoads loads = new FakeLoads(1, 1, 1, 1, 1, 1, 1, 1);
        Set<Integer> firsts = new HashSet<>();
        java.util.Random r = new java.util.Random(3);
        for (int i = 0; i < 200; i++) {
            firsts.add(victims(StealPolicies.randomStride(), 0, loads, r.nextInt())[0]);
        }
        assertEquals(7, firsts.size(), "every other agent is sometimes the first victim");
    }

    @Test
    void powerOfTwoChoicesTriesTwoDistinctOtherAgentsHeavierFirst() {
        qt().withFixedSeed(11L).withExamples(500)
                .forAll(lists().of(integers().between(1, 50)).ofSizeBetween(3, 16), integers().all(),
                        integers().between(0, 15))
                .checkAssert((backlogs, random, thiefSeed) -> {
                    FakeLoads loads = new FakeLoads(backlogs.stream().mapToInt(Integer::intValue).toArray());
                    int thief = thiefSeed % loads.agentCount();
                    int[] v = victims(StealPolicies.powerOfTwoChoices(), thief, loads, random);
                    assertEquals(2, v.length, "two candidates, both with work");
                    assertNotEquals(v[0], v[1]);
                    assertNotEquals(thief, v[0]);
                    assertNotEquals(thief, v[1]);
                    assertTrue(loads.backlog(v[0]) >= loads.backlog(v[1]), "heavier first");
                });
        List<Integer> two = List.of(4, 0);
        assertArrayEquals(new int[] {0}, victims(StealPolicies.powerOfTwoChoices(), 1,
                new FakeLoads(two.stream().mapToInt(Integer::intValue).toArray()), 5));
        assertEquals(0, victims(StealPolicies.powerOfTwoChoices(), 0, new FakeLoads(3, 0), 5).length,
                "a candidate without work is dropped");
    }
}
