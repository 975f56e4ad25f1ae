package io.github.loadstar.algorithms.allocation;

import io.github.loadstar.core.allocation.Allocator;

/** The {@link AllocatorContractTest allocator contract} for `genetic`. */
final class GeneticContractTest extends AllocatorContractTest {
    @Override
    protected Allocator allocator() {
        return new GeneticAllocator(GeneticConfig.builder().stagnation(300).build());
    }

    @Override
    protected boolean findsEveryFeasibleTinyProblem() {
        return true;
    }
}
