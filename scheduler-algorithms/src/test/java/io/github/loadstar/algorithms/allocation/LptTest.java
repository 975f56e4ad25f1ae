package io.github.loadstar.algorithms.allocation;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import io.github.loadstar.core.allocation.Allocation;
import io.github.loadstar.core.allocation.AllocationProblem;
import io.github.loadstar.core.allocation.AllocationRequest;
import io.github.loadstar.core.allocation.Objective;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Graham's bound for LPT on identical agents (P||Cmax): makespan ≤ (4/3 − 1/(3m)) × OPT, against the
 * optimum found by brute force (never against a lower bound, which would be weaker than OPT); and the
 * genetic allocator, seeded with LPT, is never worse than LPT.
 */
final class LptTest {

    @Test
    void lptMeetsGrahamsBoundAndTheGeneticAllocatorNeverLosesToIt() {
        qt().withFixedSeed(0x1A7L).withExamples(200).withShrinkCycles(0).forAll(longs().all()).checkAssert(seed -> {
            Random random = new Random(seed);
            int m = 2 + random.nextInt(2);
            int n = m + random.nextInt(9 - m);
            AllocationProblem.Builder b = AllocationProblem.builder(m, n);
            for (int j = 0; j < n; j++) {
                b.work(j, 1 + random.nextInt(30));
            }
            AllocationProblem p = b.build();
            Map<Objective, Double> w = Map.of(Objective.MAKESPAN, 1.0);
            AllocationRequest r = AllocationRequest.builder().weights(w).seed(seed).build();
            double optimum = AllocatorContractTest.bruteForce(p, w);
            Allocation lpt = Baselines.lpt().allocate(p, r);
            double bound = (4.0 / 3 - 1.0 / (3 * m)) * optimum;
            assertTrue(lpt.objective() <= bound + 1e-9, "seed " + seed + ": LPT " + lpt.objective() + " > " + bound);
            Allocation ga = new GeneticAllocator(GeneticConfig.builder().maxChildren(50).build()).allocate(p, r);
            assertTrue(ga.objective() <= lpt.objective() + 1e-9, "seed " + seed + ": GA " + ga + " worse than LPT " + lpt);
        });
    }
}
