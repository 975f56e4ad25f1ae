package io.github.loadstar.algorithms.allocation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import io.github.loadstar.core.allocation.Allocation;
import io.github.loadstar.core.allocation.AllocationProblem;
import io.github.loadstar.core.allocation.AllocationRequest;
import io.github.loadstar.core.allocation.Objective;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Non-dominated sorting and crowding distance on known fronts and random points, and the NSGA-II front. */
@Timeout(60)
final class ParetoTest {

    @Test
    void frontsAndCrowdingDistancesOfKnownPoints() {
        double[][] points = {{1, 5}, {2, 3}, {3, 1}, {2, 4}, {4, 4}, {5, 5}};
        assertArrayEquals(new int[] {0, 0, 0, 1, 2, 3}, Pareto.ranks(points));
        // x: 0, 1, 3, 10 and y: 10, 6, 5, 0, both ranging over 10
        double[][] front = {{0, 10}, {1, 6}, {3, 5}, {10, 0}};
        double[] d = Pareto.crowding(front, new int[] {0, 1, 2, 3});
        assertEquals(Double.POSITIVE_INFINITY, d[0]);
        assertEquals(Double.POSITIVE_INFINITY, d[3]);
        assertEquals(0.3 + 0.5, d[1], 1e-12, "(3 − 0)/10 by x, (10 − 5)/10 by y");
        assertEquals(0.9 + 0.6, d[2], 1e-12, "(10 − 1)/10 by x, (6 − 0)/10 by y");
        assertEquals(0, Pareto.crowding(front, new int[0]).length);
        assertTrue(Pareto.dominates(new double[] {1, 1}, new double[] {1, 2}));
        assertFalse(Pareto.dominates(new double[] {1, 2}, new double[] {1, 2}), "equal points do not dominate");
    }

    @Test
    void everyFrontIsDominatedOnlyByTheOnesBeforeIt() {
        qt().withFixedSeed(0xFA7EL).withExamples(300).withShrinkCycles(0).forAll(longs().all()).checkAssert(seed -> {
            Random random = new Random(seed);
            int n = 1 + random.nextInt(30);
            int k = 1 + random.nextInt(3);
            double[][] points = new double[n][k];
            for (double[] p : points) {
                for (int c = 0; c < k; c++) {
                    p[c] = random.nextInt(6);        // ties on purpose
                }
            }
            int[] rank = Pareto.ranks(points);
            for (int i = 0; i < n; i++) {
                assertTrue(rank[i] >= 0);
                boolean byPrevious = rank[i] == 0;
                for (int j = 0; j < n; j++) {
                    if (Pareto.dominates(points[j], points[i])) {
                        assertTrue(rank[j] < rank[i], "seed " + seed + ": a point dominated by one of its front or a later one");
                        byPrevious |= rank[j] == rank[i] - 1;
                    }
                }
                assertTrue(byPrevious, "seed " + seed + ": front " + rank[i] + " but nothing of front " + (rank[i] - 1)
                        + " dominates it");
            }
        });
    }

    /** Agent 0 is cheap and slow-to-finish (everything fits there), agents 1–3 dear: cost against makespan. */
    private static AllocationProblem tradeOff() {
        Random random = new Random(3);
        AllocationProblem.Builder b = AllocationProblem.builder(4, 30);
        for (int j = 0; j < 30; j++) {
            b.work(j, 1 + random.nextInt(10));
            b.cost(j, 0, 1);
            for (int i = 1; i < 4; i++) {
                b.cost(j, i, 5 + random.nextInt(5));
            }
        }
        return b.build();
    }

    @Test
    void theFrontIsFeasibleNonDominatedSpreadAndRepeatable() {
        AllocationProblem p = tradeOff();
        GeneticAllocator ga = new GeneticAllocator(GeneticConfig.builder().maxChildren(2_000).build());
        AllocationRequest r = AllocationRequest.builder().seed(9).timeBudget(Duration.ofSeconds(30)).build();
        List<Objective> objectives = List.of(Objective.TOTAL_COST, Objective.MAKESPAN);
        List<Allocation> front = ga.paretoFront(p, r, objectives);
        assertTrue(front.size() >= 5, "a spread of trade-offs: " + front.size());
        for (Allocation a : front) {
            assertTrue(a.found(), a.toString());
            for (Allocation b : front) {
                double[] va = {a.evaluation().value(Objective.TOTAL_COST), a.evaluation().value(Objective.MAKESPAN)};
                double[] vb = {b.evaluation().value(Objective.TOTAL_COST), b.evaluation().value(Objective.MAKESPAN)};
                assertFalse(Pareto.dominates(vb, va), "a member of the front is dominated");
            }
        }
        // the ends: everything on the cheap agent (cost 30), and a makespan near the balanced bound
        assertEquals(30.0, front.get(0).evaluation().value(Objective.TOTAL_COST), "the cheapest end");
        double total = 0;
        for (int j = 0; j < 30; j++) {
            total += p.duration(j, 0);
        }
        double balanced = front.get(front.size() - 1).evaluation().value(Objective.MAKESPAN);
        assertTrue(balanced <= Math.ceil(total / 4) + 2, "the fastest end " + balanced + " vs bound " + Math.ceil(total / 4));
        List<Allocation> again = ga.paretoFront(p, r, objectives);
        assertEquals(front.size(), again.size());
        for (int i = 0; i < front.size(); i++) {
            assertArrayEquals(front.get(i).assignment(), again.get(i).assignment(), "same seed, same front");
        }
        assertThrows(IllegalArgumentException.class, () -> ga.paretoFront(p, r, List.of()));
        assertThrows(IllegalArgumentException.class, () -> ga.paretoFront(p, r, List.of(Objective.MAKESPAN, Objective.MAKESPAN)));
        AllocationProblem impossible = AllocationProblem.builder(1, 2).capacity(0, 1).demand(0, 0, 2).build();
        List<Allocation> none = ga.paretoFront(impossible, r, objectives);
        assertEquals(1, none.size());
        assertEquals(Allocation.Status.INFEASIBLE, none.get(0).status());
    }
}
