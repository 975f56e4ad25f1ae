package io.github.loadstar.algorithms.allocation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import io.github.loadstar.core.allocation.Allocation;
import io.github.loadstar.core.allocation.AllocationProblem;
import io.github.loadstar.core.allocation.AllocationRequest;
import io.github.loadstar.core.allocation.Allocator;
import io.github.loadstar.core.allocation.Constraints;
import io.github.loadstar.core.allocation.Evaluation;
import io.github.loadstar.core.allocation.Objective;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link Allocator} contract, run against every allocator (JCTools' way: one abstract test, a
 * subclass per implementation). Over random small problems — 1–5 agents, 1–9 tasks, one or two
 * resource dimensions, tight or loose capacities, random affinity, anti-affinity, per-agent limits,
 * together and apart rules — compared with brute force over every assignment:
 * <ul>
 *   <li>a result reported feasible or optimal keeps every rule (checked again by hand, not by the
 *       problem's own evaluation) and its objective is the weighted sum of its values;</li>
 *   <li>optimal only when no assignment is better; never below the brute-force optimum;</li>
 *   <li>infeasible only when brute force finds no feasible assignment, and then with reasons;</li>
 * </ul>
 * and the time budget, cancellation and progress callback.
 */
@Timeout(120)
abstract class AllocatorContractTest {

    protected abstract Allocator allocator();

    /** Whether the allocator always finds a feasible assignment of these tiny problems when one exists. */
    protected boolean findsEveryFeasibleTinyProblem() {
        return false;
    }

    static AllocationProblem randomProblem(Random random) {
        int m = 1 + random.nextInt(5);
        int n = 1 + random.nextInt(9);
        while (Math.pow(m, n) > 20_000) {
            n--;
        }
        int dims = 1 + random.nextInt(2);
        AllocationProblem.Builder b = AllocationProblem.builder(m, n, dims);
        double tightness = 0.3 + random.nextDouble();     // below ~0.5: often infeasible
        for (int d = 0; d < dims; d++) {
            for (int i = 0; i < m; i++) {
                b.capacity(i, d, Math.round(10 * n * tightness / m));
            }
        }
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < m; i++) {
                b.cost(j, i, 1 + random.nextInt(20)).duration(j, i, 1 + random.nextInt(10));
                for (int d = 0; d < dims; d++) {
                    b.demand(j, i, d, random.nextInt(11));
                }
            }
        }
        int rules = random.nextInt(4);
        for (int k = 0; k < rules; k++) {
            switch (random.nextInt(5)) {
                case 0:
                    b.constraint(Constraints.onlyOn(random.nextInt(n), random.nextInt(m), random.nextInt(m)));
                    break;
                case 1:
                    b.constraint(Constraints.notOn(random.nextInt(n), random.nextInt(m)));
                    break;
                case 2:
                    b.constraint(Constraints.maxTasksPerAgent(1 + random.nextInt(Math.max(1, n))));
                    break;
                case 3:
                    if (n >= 2) {
                        b.constraint(Constraints.together(0, 1 + random.nextInt(n - 1)));
                    }
                    break;
                default:
                    if (n >= 2) {
                        b.constraint(Constraints.apart(0, 1 + random.nextInt(n - 1)));
                    }
                    break;
            }
        }
        return b.build();
    }

    static Map<Objective, Double> randomWeights(Random random) {
        switch (random.nextInt(4)) {
            case 0:
                return Map.of(Objective.TOTAL_COST, 1.0);
            case 1:
                return Map.of(Objective.MAKESPAN, 1.0);
            case 2:
                return Map.of(Objective.TOTAL_COST, 1.0, Objective.LOAD_VARIANCE, 0.5);
            default:
                return Map.of(Objective.UTILIZATION, 10.0, Objective.MAKESPAN, 1.0);
        }
    }

    /** Keeps every rule, checked from the problem's figures by hand. */
    static boolean keepsEveryRule(AllocationProblem p, int[] a) {
        for (int d = 0; d < p.dimensions(); d++) {
            double[] used = new double[p.agents()];
            for (int j = 0; j < p.tasks(); j++) {
                used[a[j]] += p.demand(j, a[j], d);
            }
            for (int i = 0; i < p.agents(); i++) {
                if (used[i] > p.capacity(i, d) + 1e-9) {
                    return false;
                }
            }
        }
        for (var c : p.constraints()) {
            if (c.violation(p, a) != 0) {
                return false;
            }
            for (int j = 0; j < p.tasks(); j++) {
                if (!c.allows(p, j, a[j])) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The brute-force optimum of the weighted objective over feasible assignments, or NaN if none. */
    static double bruteForce(AllocationProblem p, Map<Objective, Double> weights) {
        int m = p.agents();
        int n = p.tasks();
        int[] a = new int[n];
        double best = Double.NaN;
        while (true) {
            if (keepsEveryRule(p, a)) {
                double v = p.evaluate(a).weighted(weights);
                if (Double.isNaN(best) || v < best) {
                    best = v;
                }
            }
            int k = 0;
            while (k < n && ++a[k] == m) {
                a[k++] = 0;
            }
            if (k == n) {
                return best;
            }
        }
    }

    @Test
    void resultsKeepEveryRuleAndAreNeverBetterThanTheOptimumNorCalledInfeasibleWrongly() {
        int[] found = new int[1];
        int[] feasibleCases = new int[1];
        qt().withFixedSeed(0xA110CL).withExamples(300).withShrinkCycles(0).forAll(longs().all()).checkAssert(seed -> {
            Random random = new Random(seed);
            AllocationProblem p = randomProblem(random);
            Map<Objective, Double> w = randomWeights(random);
            AllocationRequest r = AllocationRequest.builder().weights(w).timeBudget(Duration.ofMillis(200)).seed(seed)
                    .build();
            Allocation a = allocator().allocate(p, r);
            double optimum = bruteForce(p, w);
            String what = "seed " + seed + " " + p + " " + w + ": " + a;
            if (a.found()) {
                int[] x = a.assignment();
                assertTrue(keepsEveryRule(p, x), what);
                Evaluation e = p.evaluate(x);
                assertEquals(e.weighted(w), a.objective(), 1e-9 * Math.max(1, Math.abs(a.objective())), what);
                assertFalse(Double.isNaN(optimum), "found a feasible assignment where brute force found none: " + what);
                assertTrue(a.objective() >= optimum - 1e-9 * Math.max(1, optimum), what + " below the optimum " + optimum);
                if (a.status() == Allocation.Status.OPTIMAL) {
                    assertEquals(optimum, a.objective(), 1e-9 * Math.max(1, optimum), "claimed optimal: " + what);
                }
                if (!Double.isNaN(a.bound())) {
                    assertTrue(a.bound() <= optimum + 1e-9 * Math.max(1, optimum), "bound above the optimum: " + what);
                }
                found[0]++;
            } else if (a.status() == Allocation.Status.INFEASIBLE) {
                assertTrue(Double.isNaN(optimum), "called infeasible, but brute force found " + optimum + ": " + what);
                assertFalse(a.reasons().isEmpty(), what);
            } else {
                assertFalse(a.reasons().isEmpty(), what);
                if (findsEveryFeasibleTinyProblem()) {
                    assertTrue(Double.isNaN(optimum), "missed a feasible assignment (optimum " + optimum + "): " + what);
                }
            }
            if (!Double.isNaN(optimum)) {
                feasibleCases[0]++;
            }
        });
        assertTrue(feasibleCases[0] > 60, "the generator made feasible problems: " + feasibleCases[0] + " of 300");
        assertTrue(found[0] > feasibleCases[0] / 3, allocator().name() + " found " + found[0] + " of " + feasibleCases[0]);
    }

    @Test
    void aProblemThatCannotBeMetIsReportedWithTheRulesInConflict() {
        AllocationProblem tooBig = AllocationProblem.builder(2, 2).capacity(0, 5).capacity(1, 5)
                .demand(0, 0, 9).demand(1, 0, 1).build();
        Allocation a = allocator().allocate(tooBig, AllocationRequest.builder().build());
        assertEquals(Allocation.Status.INFEASIBLE, a.status());
        assertTrue(a.reasons().get(0).startsWith("task 0 fits no agent"), a.reasons().toString());
        AllocationProblem apart = AllocationProblem.builder(2, 3).constraint(Constraints.apart(0, 1, 2)).build();
        a = allocator().allocate(apart, AllocationRequest.builder().build());
        assertEquals(Allocation.Status.INFEASIBLE, a.status());
        assertTrue(a.reasons().get(0).contains("apart"), a.reasons().toString());
        AllocationProblem together = AllocationProblem.builder(2, 2).capacity(0, 3).capacity(1, 3)
                .demand(0, 0, 2).demand(1, 0, 2).constraint(Constraints.together(0, 1)).build();
        a = allocator().allocate(together, AllocationRequest.builder().build());
        assertEquals(Allocation.Status.INFEASIBLE, a.status());
        assertTrue(a.reasons().get(0).contains("together"), a.reasons().toString());
        AllocationProblem limit = AllocationProblem.builder(2, 5).constraint(Constraints.maxTasksPerAgent(2)).build();
        a = allocator().allocate(limit, AllocationRequest.builder().build());
        assertEquals(Allocation.Status.INFEASIBLE, a.status());
        assertTrue(a.reasons().get(0).contains("maxTasksPerAgent(2)"), a.reasons().toString());
        assertTrue(a.assignment().length == 0 && a.evaluation() == null && Double.isNaN(a.objective()));
    }

    @Test
    void theTimeBudgetAndCancellationAreKeptAndProgressExceptionsReachTheCaller() throws Exception {
        Random random = new Random(7);
        AllocationProblem.Builder b = AllocationProblem.builder(10, 400);
        for (int i = 0; i < 10; i++) {
            b.capacity(i, 400 * 6 / 10 * 1.3);
            for (int j = 0; j < 400; j++) {
                b.demand(j, i, 0, 1 + random.nextInt(10)).cost(j, i, 1 + random.nextInt(50));
            }
        }
        AllocationProblem big = b.build();
        long start = System.nanoTime();
        Allocation a = allocator().allocate(big, AllocationRequest.builder().timeBudget(Duration.ofMillis(100)).build());
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ms < 100 + 400, "budget 100 ms, took " + ms + " ms: " + a);
        start = System.nanoTime();
        a = allocator().allocate(big, AllocationRequest.builder().timeBudget(Duration.ofSeconds(30)).cancellation(() -> true)
                .build());
        ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ms < 2_000, "cancelled at once, took " + ms + " ms: " + a);
        RuntimeException boom = new RuntimeException("progress callback failed");
        AllocationRequest throwing = AllocationRequest.builder().progress(p -> {
            throw boom;
        }).build();
        RuntimeException thrown = null;
        try {
            allocator().allocate(big, throwing);
        } catch (RuntimeException e) {
            thrown = e;
        }
        if (thrown != null) {
            assertSame(boom, thrown);
        }
    }

    @Test
    void badArgumentsAreRefused() {
        assertThrows(NullPointerException.class, () -> allocator().allocate(null, AllocationRequest.builder().build()));
        AllocationProblem p = AllocationProblem.builder(1, 1).build();
        assertThrows(NullPointerException.class, () -> allocator().allocate(p, null));
        Allocation a = allocator().allocate(p, AllocationRequest.builder().build());
        assertTrue(a.found(), a.toString());
        assertEquals(List.of(), a.reasons());
    }
}
