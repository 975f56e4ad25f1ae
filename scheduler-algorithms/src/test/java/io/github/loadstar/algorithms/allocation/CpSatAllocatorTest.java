package io.github.loadstar.algorithms.allocation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.loadstar.core.allocation.Allocation;
import io.github.loadstar.core.allocation.AllocationProblem;
import io.github.loadstar.core.allocation.AllocationRequest;
import io.github.loadstar.core.allocation.Allocators;
import io.github.loadstar.core.allocation.Constraints;
import io.github.loadstar.core.allocation.Objective;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The CP-SAT allocator: proofs of optimality and of infeasibility, with the rules in conflict named. */
@Timeout(300)
final class CpSatAllocatorTest {

    /** Every one of gap1–gap12 (as minimisation) solved and proven optimal, at the proven optimum. */
    @Test
    void provesTheOptimumOfEveryOrLibraryInstance() throws Exception {
        assumeTrue(Files.isDirectory(GapInstance.FOLDER), "GAP data folder absent: " + GapInstance.FOLDER.toAbsolutePath());
        List<GapInstance> all = GapInstance.folder("orlib-gap1-12");
        long start = System.nanoTime();
        for (GapInstance g : all) {
            Allocation a = new CpSatAllocator(2).allocate(g.problem(),
                    AllocationRequest.builder().timeBudget(Duration.ofSeconds(30)).build());
            assertEquals(Allocation.Status.OPTIMAL, a.status(), g.name() + ": " + a);
            assertEquals(g.best(), Math.round(a.objective()), g.name() + ": " + a);
            assertEquals(a.objective(), a.bound(), g.name());
        }
        assertTrue(System.nanoTime() - start < 120_000_000_000L, "60 proofs within two minutes");
    }

    /**
     * Three tasks of 6 on two agents of capacity 10: each fits alone and the total (18) is below the
     * capacity (20), so the quick checks find nothing — CP-SAT proves it impossible and names both
     * capacities; the genetic allocator, which proves nothing, says UNKNOWN.
     */
    @Test
    void provesInfeasibilityAndNamesTheConflictingRules() {
        AllocationProblem bins = AllocationProblem.builder(2, 3).capacity(0, 10).capacity(1, 10)
                .demand(0, 0, 6).demand(1, 0, 6).demand(2, 0, 6).build();
        assertTrue(bins.provablyInfeasible().isEmpty());
        Allocation a = Allocators.byName("cp-sat").allocate(bins, AllocationRequest.builder().build());
        assertEquals(Allocation.Status.INFEASIBLE, a.status(), a.toString());
        String reasons = String.join(" | ", a.reasons());
        assertTrue(reasons.contains("agent 0 capacity[0]") && reasons.contains("agent 1 capacity[0]"), reasons);
        Allocation ga = new GeneticAllocator(GeneticConfig.builder().stagnation(100).build()).allocate(bins,
                AllocationRequest.builder().build());
        assertEquals(Allocation.Status.UNKNOWN, ga.status(), ga.toString());
        // a rule, not a capacity: four tasks of which three must be apart and two together, on two agents
        AllocationProblem rules = AllocationProblem.builder(3, 4).constraint(Constraints.together(0, 1))
                .constraint(Constraints.apart(1, 2, 3)).constraint(Constraints.onlyOn(0, 0)).constraint(Constraints.onlyOn(2, 0))
                .build();
        assertTrue(rules.provablyInfeasible().isEmpty());
        a = Allocators.byName("cp-sat").allocate(rules, AllocationRequest.builder().build());
        assertEquals(Allocation.Status.INFEASIBLE, a.status(), a.toString());
        reasons = String.join(" | ", a.reasons());
        assertTrue(reasons.contains("together(tasks [0, 1])") && reasons.contains("apart(tasks [1, 2, 3])"), reasons);
    }

    @Test
    void modelsMakespanAndSaysWhatItCannotModel() {
        AllocationProblem.Builder b = AllocationProblem.builder(3, 12);
        for (int j = 0; j < 12; j++) {
            b.work(j, 1 + j % 5);
        }
        AllocationProblem p = b.build();
        Allocation a = new CpSatAllocator(2).allocate(p, AllocationRequest.builder().objective(Objective.MAKESPAN).build());
        assertEquals(Allocation.Status.OPTIMAL, a.status(), a.toString());
        assertEquals(11.0, a.evaluation().value(Objective.MAKESPAN));
        Allocation variance = new CpSatAllocator(2).allocate(p, AllocationRequest.builder()
                .weights(Map.of(Objective.LOAD_VARIANCE, 1.0)).build());
        assertEquals(Allocation.Status.UNKNOWN, variance.status());
        assertTrue(variance.reasons().get(0).contains("LOAD_VARIANCE"), variance.reasons().toString());
        // fractional data: scaled exactly by 10
        AllocationProblem fractions = AllocationProblem.builder(2, 3).capacity(0, 1.0).capacity(1, 0.5)
                .demand(0, 0, 0.5).demand(1, 0, 0.5).demand(2, 0, 0.5).cost(0, 0, 1).build();
        Allocation f = new CpSatAllocator(2).allocate(fractions, AllocationRequest.builder().build());
        assertTrue(f.found() && f.reasons().isEmpty(), f.toString());
    }
}
