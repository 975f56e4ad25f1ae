package io.github.loadstar.algorithms.allocation;

import io.github.loadstar.core.allocation.Allocator;

/** The {@link AllocatorContractTest allocator contract} for `regret-greedy`. */
final class RegretGreedyContractTest extends AllocatorContractTest {
    @Override
    protected Allocator allocator() {
        return Baselines.regretGreedy();
    }
}
