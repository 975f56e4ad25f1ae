package io.github.loadstar.algorithms.allocation;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import io.github.loadstar.core.allocation.AllocationProblem;
import io.github.loadstar.core.allocation.Objective;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The tabu search leaves the state at the best feasible assignment it visited: with the same seed
 * (the same moves), a longer run never ends worse than a shorter one, a feasible start is never
 * lost, and a run that visits a feasible state ends feasible.
 */
final class TabuSearchTest {

    /** The state after {@code moves} moves of a fresh search from {@code start} with {@code seed}. */
    private static AssignmentState after(AllocationProblem p, Map<Objective, Double> w, int[] start, int moves,
                                         long seed) {
        AssignmentState s = new AssignmentState(p, w);
        s.set(start);
        new TabuSearch(s, new Candidates(p), 1.0).run(moves, new SplittableRandom(seed), Long.MAX_VALUE);
        return s;
    }

    @Test
    void aLongerRunNeverEndsWorseAndAFeasibleStartIsNeverLost() {
        qt().withFixedSeed(0x7AB0L).withExamples(150).forAll(longs().all()).checkAssert(seed -> {
            SplittableRandom r = new SplittableRandom(seed);
            AllocationProblem p = AssignmentStateTest.randomProblem(r, r.nextBoolean());
            Map<Objective, Double> w = r.nextBoolean() ? Map.of(Objective.TOTAL_COST, 1.0)
                    : AssignmentStateTest.randomWeights(r);
            int[] start = new int[p.tasks()];
            for (int j = 0; j < start.length; j++) {
                start[j] = r.nextInt(p.agents());
            }
            AssignmentState initial = new AssignmentState(p, w);
            initial.set(start);
            boolean seen = initial.feasible();
            double best = seen ? initial.objective() : Double.POSITIVE_INFINITY;
            for (int moves = 1; moves <= 60; moves++) {
                AssignmentState s = after(p, w, start, moves, seed);
                if (seen) {
                    assertTrue(s.feasible(), "a feasible state was visited within " + moves + " moves, seed " + seed);
                    assertTrue(s.objective() <= best + 1e-9 * Math.max(1, Math.abs(best)),
                            "worse after " + moves + " moves than after fewer: " + s.objective() + " > " + best
                                    + ", seed " + seed);
                }
                if (s.feasible()) {
                    seen = true;
                    best = Math.min(best, s.objective());
                }
            }
        });
    }
}
