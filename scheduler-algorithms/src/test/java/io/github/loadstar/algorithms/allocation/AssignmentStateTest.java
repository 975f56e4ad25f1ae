package io.github.loadstar.algorithms.allocation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import io.github.loadstar.core.allocation.AllocationProblem;
import io.github.loadstar.core.allocation.Constraints;
import io.github.loadstar.core.allocation.Objective;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The incremental figures of {@link AssignmentState}: what a shift or swap is predicted to give
 * (penalty, objective) is what making it gives, and after any sequence of moves the kept figures
 * equal a fresh evaluation of the same assignment — with two dimensions, tight capacities, user
 * constraints and every objective weighted.
 */
final class AssignmentStateTest {

    static AllocationProblem randomProblem(SplittableRandom r, boolean constraints) {
        int m = 2 + r.nextInt(5);
        int n = 3 + r.nextInt(25);
        AllocationProblem.Builder b = AllocationProblem.builder(m, n, 2);
        for (int i = 0; i < m; i++) {
            b.capacity(i, 0, 1 + r.nextInt(10 * n / m + 1)).capacity(i, 1, 1 + r.nextInt(10 * n / m + 1));
            for (int j = 0; j < n; j++) {
                b.demand(j, i, 0, r.nextInt(11)).demand(j, i, 1, r.nextDouble() * 10)
                        .cost(j, i, r.nextInt(50)).duration(j, i, 1 + r.nextDouble() * 9);
            }
        }
        if (constraints) {
            b.constraint(Constraints.maxTasksPerAgent(1 + n / m)).constraint(Constraints.apart(0, 1, 2));
        }
        return b.build();
    }

    static Map<Objective, Double> randomWeights(SplittableRandom r) {
        return Map.of(Objective.TOTAL_COST, r.nextDouble(), Objective.MAKESPAN, r.nextDouble(),
                Objective.LOAD_VARIANCE, r.nextDouble(), Objective.UTILIZATION, r.nextDouble());
    }

    @Test
    void predictedMovesAreMadeAndTheFiguresNeverDrift() {
        qt().withFixedSeed(0xA55L).withExamples(300).forAll(longs().all()).checkAssert(seed -> {
            SplittableRandom r = new SplittableRandom(seed);
            AllocationProblem p = randomProblem(r, r.nextBoolean());
            AssignmentState s = new AssignmentState(p, randomWeights(r));
            int[] a = new int[p.tasks()];
            for (int j = 0; j < a.length; j++) {
                a[j] = r.nextInt(p.agents());
            }
            s.set(a);
            for (int move = 0; move < 200; move++) {
                double predictedPenalty;
                double predictedObjective;
                int j = r.nextInt(p.tasks());
                if (r.nextBoolean()) {
                    int to = r.nextInt(p.agents());
                    if (to == s.agentOf[j]) {
                        continue;       // not a move (the evaluations assume one)
                    }
                    predictedPenalty = s.excessAfterShift(j, to) + s.violationAfterShift(j, to);
                    predictedObjective = s.objectiveAfterShift(j, to);
                    s.shift(j, to);
                } else {
                    int k = r.nextInt(p.tasks());
                    if (s.agentOf[j] == s.agentOf[k]) {
                        continue;
                    }
                    predictedPenalty = s.excessAfterSwap(j, k) + s.violationAfterSwap(j, k);
                    predictedObjective = s.objectiveAfterSwap(j, k);
                    s.swap(j, k);
                }
                assertEquals(predictedPenalty, s.penalty(), 1e-6, "penalty as predicted, seed " + seed);
                assertEquals(predictedObjective, s.objective(), 1e-6, "objective as predicted, seed " + seed);
            }
            AssignmentState again = new AssignmentState(p, Map.of());
            again.set(s.agentOf);
            assertEquals(again.excess, s.excess, 1e-6, "excess, seed " + seed);
            assertEquals(again.violation, s.violation, 1e-9, "violation, seed " + seed);
            for (int k = 0; k < s.overload.length; k++) {
                assertEquals(again.overload[k], s.overload[k], 1e-6, "overload of resource " + k + ", seed " + seed);
                assertEquals(again.used[k], s.used[k], 1e-6, "use of resource " + k + ", seed " + seed);
            }
            for (int i = 0; i < p.agents(); i++) {
                assertEquals(again.overloaded(i), s.overloaded(i), "agent " + i + " overloaded, seed " + seed);
            }
            assertEquals(p.evaluate(s.agentOf).feasible(), s.feasible(), "feasible as the problem says, seed " + seed);
        });
    }
}
