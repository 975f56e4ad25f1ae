package io.github.loadstar.algorithms.allocation;

import io.github.loadstar.core.allocation.Allocator;

/** The {@link AllocatorContractTest allocator contract} for `round-robin`. */
final class RoundRobinContractTest extends AllocatorContractTest {
    @Override
    protected Allocator allocator() {
        return Baselines.roundRobin();
    }
}
