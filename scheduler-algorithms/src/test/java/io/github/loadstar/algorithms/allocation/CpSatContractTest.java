package io.github.loadstar.algorithms.allocation;

import io.github.loadstar.core.allocation.Allocator;

/** The {@link AllocatorContractTest allocator contract} for {@code cp-sat} (OR-Tools CP-SAT, on two workers). */
final class CpSatContractTest extends AllocatorContractTest {
    @Override
    protected Allocator allocator() {
        return new CpSatAllocator(2);
    }
}
