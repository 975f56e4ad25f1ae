package io.github.loadstar.algorithms.allocation;

import io.github.loadstar.core.allocation.Allocator;

/** The {@link AllocatorContractTest allocator contract} for `lpt`. */
final class LptContractTest extends AllocatorContractTest {
    @Override
    protected Allocator allocator() {
        return Baselines.lpt();
    }
}
