package io.github.loadstar.algorithms;

import io.github.loadstar.core.spi.OrderingPolicies;
import io.github.loadstar.core.spi.OrderingPolicy;

/** The {@link BacklogContractTest backlog contract} for the fifo policy's backlog. */
final class FifoBacklogContractTest extends BacklogContractTest {
    @Override
    protected OrderingPolicy policy() {
        return OrderingPolicies.fifo();
    }
}
