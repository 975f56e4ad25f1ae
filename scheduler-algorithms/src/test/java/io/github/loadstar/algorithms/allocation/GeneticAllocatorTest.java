package io.github.loadstar.algorithms.allocation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loadstar.core.allocation.Allocation;
import io.github.loadstar.core.allocation.AllocationProblem;
import io.github.loadstar.core.allocation.AllocationRequest;
import io.github.loadstar.core.allocation.Allocators;
import io.github.loadstar.core.allocation.Objective;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The genetic allocator beyond the contract: determinism, its stopping rules, its progress, its settings. */
@Timeout(60)
final class GeneticAllocatorTest {

    private static AllocationProblem tight(long seed, int m, int n) {
        Random random = new Random(seed);
        AllocationProblem.Builder b = AllocationProblem.builder(m, n);
        for (int i = 0; i < m; i++) {
            b.capacity(i, Math.round(0.8 * n * 15 / m));
            for (int j = 0; j < n; j++) {
                b.demand(j, i, 0, 5 + random.nextInt(21)).cost(j, i, 10 + random.nextInt(41));
            }
        }
        return b.build();
    }

    @Test
    void theSameSeedGivesTheSameResultAndProgressOnlyImproves() {
        AllocationProblem p = tight(3, 8, 60);
        GeneticAllocator ga = new GeneticAllocator(GeneticConfig.builder().maxChildren(300).build());
        List<Double> progress = new ArrayList<>();
        AllocationRequest r = AllocationRequest.builder().seed(42).timeBudget(Duration.ofSeconds(30))
                .progress(x -> progress.add(x.best())).build();
        Allocation first = ga.allocate(p, r);
        Allocation second = ga.allocate(p, AllocationRequest.builder().seed(42).timeBudget(Duration.ofSeconds(30)).build());
        assertTrue(first.found(), first.toString());
        assertArrayEquals(first.assignment(), second.assignment(), "same seed, same assignment");
        assertEquals(first.objective(), second.objective());
        assertEquals(300, first.iterations(), "stopped by maxChildren");
        List<Double> feasible = progress.stream().filter(x -> !Double.isNaN(x)).toList();
        for (int k = 1; k < feasible.size(); k++) {
            assertTrue(feasible.get(k) < feasible.get(k - 1), "progress reports improvements only: " + progress);
        }
        assertEquals(first.objective(), feasible.get(feasible.size() - 1), 1e-9, "the last report is the result");
        // stagnation stops a run as well
        Allocation stagnated = new GeneticAllocator(GeneticConfig.builder().stagnation(50).build()).allocate(p,
                AllocationRequest.builder().seed(42).timeBudget(Duration.ofSeconds(30)).build());
        assertTrue(stagnated.found() && stagnated.elapsedNanos() < 30_000_000_000L, stagnated.toString());
    }

    @Test
    void anAssignmentThatMeetsTheLowerBoundIsProvenOptimalAndStopsTheSearch() {
        // loose capacities: every task on its cheapest agent is feasible, and that is the bound
        AllocationProblem.Builder b = AllocationProblem.builder(4, 40);
        Random random = new Random(5);
        for (int j = 0; j < 40; j++) {
            for (int i = 0; i < 4; i++) {
                b.cost(j, i, 1 + random.nextInt(30)).demand(j, i, 0, 1);
            }
        }
        Allocation a = new GeneticAllocator().allocate(b.build(),
                AllocationRequest.builder().timeBudget(Duration.ofSeconds(20)).build());
        assertEquals(Allocation.Status.OPTIMAL, a.status(), a.toString());
        assertEquals(a.bound(), a.objective());
        assertTrue(a.elapsedNanos() < 5_000_000_000L, "stopped at the bound, not at the budget: " + a);
    }

    @Test
    void itBeatsTheBaselinesItStartsFromOnTightProblems() {
        for (long seed = 1; seed <= 5; seed++) {
            AllocationProblem p = tight(seed, 10, 100);
            AllocationRequest r = AllocationRequest.builder().seed(seed).timeBudget(Duration.ofMillis(300)).build();
            Allocation ga = new GeneticAllocator().allocate(p, r);
            assertTrue(ga.found(), ga.toString());
            for (String baseline : new String[] {"regret-greedy", "lpt", "round-robin"}) {
                Allocation base = Allocators.byName(baseline).allocate(p, r);
                assertTrue(!base.found() || ga.objective() <= base.objective(), ga + " vs " + base);
            }
        }
    }

    @Test
    void makespanAloneIsBalancedToItsLowerBoundOnIdenticalAgents() {
        // 4 identical agents, 40 tasks of durations 1..40 (sum 820): the bound 205 is reachable
        AllocationProblem.Builder b = AllocationProblem.builder(4, 40);
        for (int j = 0; j < 40; j++) {
            b.work(j, j + 1);
        }
        Allocation a = new GeneticAllocator().allocate(b.build(), AllocationRequest.builder()
                .weights(Map.of(Objective.MAKESPAN, 1.0)).timeBudget(Duration.ofSeconds(10)).build());
        assertEquals(Allocation.Status.OPTIMAL, a.status(), a.toString());
        assertEquals(205.0, a.evaluation().value(Objective.MAKESPAN));
    }

    /** Without the tabu phase (tabuMoves 0) the descent alone still repairs a tight problem's children. */
    @Test
    void withoutTheTabuPhaseChildrenAreStillRepaired() {
        AllocationProblem p = tight(5, 8, 60);
        Allocation a = new GeneticAllocator(GeneticConfig.builder().tabuMoves(0).maxChildren(200).build()).allocate(p,
                AllocationRequest.builder().seed(7).timeBudget(Duration.ofSeconds(30)).build());
        assertTrue(a.found() && p.evaluate(a.assignment()).feasible(), a.toString());
        assertEquals(200, a.iterations());
    }

    @Test
    void badSettingsAreRefusedByName() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> GeneticConfig.builder().population(1)).getMessage()
                .contains("population"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> GeneticConfig.builder().mutations(-1)).getMessage()
                .contains("mutations"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> GeneticConfig.builder().maxChildren(0)).getMessage()
                .contains("maxChildren"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> GeneticConfig.builder().stagnation(0)).getMessage()
                .contains("stagnation"));
        for (double bad : new double[] {-0.1, 100.5, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> GeneticConfig.builder().tabuMoves(bad))
                    .getMessage().contains("tabuMoves"), "tabuMoves " + bad);
        }
        assertTrue(Allocators.names().containsAll(List.of("genetic", "regret-greedy", "lpt", "round-robin")),
                Allocators.names().toString());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Allocators.byName("annealing")).getMessage()
                .contains("genetic"));
    }
}
