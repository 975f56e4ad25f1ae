package io.github.loadstar.algorithms.allocation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.loadstar.core.allocation.Allocation;
import io.github.loadstar.core.allocation.AllocationRequest;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The allocators on the Generalized Assignment Problem instances with proven optima in
 * {@code ../../shared/data/gap} (minimisation; see its README): gap1–gap12 (60 problems of 5–10
 * agents and 15–60 jobs) and types C, D and E (5–20 agents, 100–200 jobs). Skipped, saying so, if the
 * folder is absent. Budgets are short (the default suite must stay fast); the benchmark in
 * {@code scheduler-bench} runs the long ones.
 */
@Timeout(300)
final class GapTest {
    /** Children per C, D or E instance: a budget counted, not timed, so the answers are the same on any machine. */
    private static final int CHILDREN = 400;

    @BeforeAll
    static void dataPresent() {
        assumeTrue(Files.isDirectory(GapInstance.FOLDER), "GAP data folder absent: " + GapInstance.FOLDER.toAbsolutePath()
                + " (the shared data sits beside the project: ../shared/data/gap from the project's root)");
    }

    /**
     * gap1–gap12: every answer feasible and within 1 % of the optimum, the optimum itself on at least
     * 55 of 60 (57 seen, in about 6 s), each run stopped after 2,000 children without a new best or 1 s.
     */
    @Test
    void orLibraryGap1To12AreSolvedToOptimalityAlmostAlways() throws Exception {
        List<GapInstance> all = GapInstance.folder("orlib-gap1-12");
        assertEquals(60, all.size());
        int optimal = 0;
        List<String> misses = new ArrayList<>();
        for (GapInstance g : all) {
            Allocation a = new GeneticAllocator(GeneticConfig.builder().stagnation(2_000).build()).allocate(g.problem(),
                    AllocationRequest.builder().timeBudget(Duration.ofSeconds(20)).seed(1).build());
            assertTrue(a.found(), g.name() + ": " + a);
            assertTrue(g.proven());
            double gap = (a.objective() - g.best()) / g.best();
            assertTrue(gap >= -1e-9, g.name() + " below the proven optimum " + g.best() + ": " + a);
            assertTrue(gap <= 0.01, g.name() + " more than 1 % above the optimum " + g.best() + ": " + a);
            if (Math.round(a.objective()) == g.best()) {
                optimal++;
            } else {
                misses.add(g.name() + " " + a.objective() + " vs " + g.best());
            }
        }
        assertTrue(optimal >= 55, "optimal on " + optimal + " of 60; missed " + misses);
    }

    /**
     * Types C, D and E (tight; D and E inversely correlated): a feasible answer on every one, never
     * below the optimum or lower bound, better than the regret greedy wherever the greedy finds one,
     * and within 15 % after 400 children (seen, seed 1: C 0.16–0.43 %, D 1.11–3.73 %, E 1.44–4.14 %,
     * 0.1–1.0 s each here; before the adaptive penalty, E reached 10.7 %). A guard against
     * regressions, not the quality target: that is the benchmark's.
     */
    @Test
    void typesCdeAreSolvedFeasiblyAndBetterThanTheGreedy() throws Exception {
        List<GapInstance> all = new ArrayList<>(GapInstance.folder("chu1997"));
        all.addAll(GapInstance.folder("yagiura2004"));
        assertEquals(18, all.size());
        StringBuilder table = new StringBuilder();
        for (GapInstance g : all) {
            AllocationRequest r = AllocationRequest.builder().timeBudget(Duration.ofSeconds(20)).seed(1).build();
            Allocation a = new GeneticAllocator(GeneticConfig.builder().maxChildren(CHILDREN).build()).allocate(g.problem(), r);
            Allocation greedy = Baselines.regretGreedy().allocate(g.problem(), r);
            assertTrue(a.found(), g.name() + ": " + a);
            assertTrue(a.objective() >= g.best() - 1e-9, g.name() + " below the bound " + g.best() + ": " + a);
            assertTrue(!greedy.found() || a.objective() < greedy.objective(), g.name() + ": " + a + " vs " + greedy);
            double gap = 100.0 * (a.objective() - g.best()) / g.best();
            table.append(String.format(java.util.Locale.ROOT, "%s %.2f%%; ", g.name(), gap));
            assertTrue(gap < 15, g.name() + " gap " + gap + " %: " + table);
        }
    }
}
