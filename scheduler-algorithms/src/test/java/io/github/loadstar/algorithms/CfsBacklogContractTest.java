package io.github.loadstar.algorithms;

import io.github.loadstar.core.spi.OrderingPolicy;

/** The {@link BacklogContractTest backlog contract} for the cfs policy's backlog. */
final class CfsBacklogContractTest extends BacklogContractTest {
    @Override
    protected OrderingPolicy policy() {
        return Policies.cfs();
    }
}
