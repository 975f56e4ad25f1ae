package io.github.loadstar.bench;

import io.github.loadstar.core.allocation.AllocationProblem;
import io.jenetics.Genotype;
import io.jenetics.IntegerChromosome;
import io.jenetics.IntegerGene;
import io.jenetics.Mutator;
import io.jenetics.SinglePointCrossover;
import io.jenetics.engine.Engine;
import io.jenetics.engine.EvolutionResult;
import io.jenetics.engine.Limits;
import java.time.Duration;

/**
 * The generic-framework peer for the GAP benchmark: a genetic algorithm built on Jenetics 7.2 (bench
 * only, never a dependency of the library), as a user would write it — the natural encoding (one
 * integer gene per job, the agent), single-point crossover and mutation, a penalty for capacity
 * excess in the fitness (the usual way without a repair operator), minimised over the same time
 * budget, on one thread. Returns the best feasible assignment it saw at the end, or null.
 */
final class JeneticsGapPeer {
    private JeneticsGapPeer() {
    }

    static int[] solve(AllocationProblem p, Duration budget) {
        int m = p.agents();
        int n = p.tasks();
        double maxCost = 0;
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < m; i++) {
                maxCost = Math.max(maxCost, p.cost(j, i));
            }
        }
        double penalty = maxCost * n;      // any excess outweighs any cost difference
        Engine<IntegerGene, Double> engine = Engine.builder((Genotype<IntegerGene> g) -> fitness(p, g, penalty),
                        Genotype.of(IntegerChromosome.of(0, m - 1, n)))
                .minimizing()
                .populationSize(100)
                .alterers(new SinglePointCrossover<>(0.7), new Mutator<>(1.0 / n))
                .executor(Runnable::run)
                .build();
        Genotype<IntegerGene> best = engine.stream().limit(Limits.byExecutionTime(budget))
                .collect(EvolutionResult.toBestGenotype());
        int[] a = decode(best, n);
        return p.evaluate(a).feasible() ? a : null;
    }

    private static int[] decode(Genotype<IntegerGene> g, int n) {
        int[] a = new int[n];
        var chromosome = g.chromosome();
        for (int j = 0; j < n; j++) {
            a[j] = chromosome.get(j).allele();
        }
        return a;
    }

    private static double fitness(AllocationProblem p, Genotype<IntegerGene> g, double penalty) {
        int n = p.tasks();
        double[] used = new double[p.agents()];
        double cost = 0;
        var chromosome = g.chromosome();
        for (int j = 0; j < n; j++) {
            int i = chromosome.get(j).allele();
            used[i] += p.demand(j, i, 0);
            cost += p.cost(j, i);
        }
        double excess = 0;
        for (int i = 0; i < used.length; i++) {
            excess += Math.max(0, used[i] - p.capacity(i, 0));
        }
        return cost + penalty * excess;
    }
}
