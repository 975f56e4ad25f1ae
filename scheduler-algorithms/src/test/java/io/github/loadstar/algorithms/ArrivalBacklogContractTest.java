package io.github.loadstar.algorithms;

import io.github.loadstar.core.spi.OrderingPolicies;
import io.github.loadstar.core.spi.OrderingPolicy;

/** The {@link BacklogContractTest backlog contract} for the arrival policy's backlog. */
final class ArrivalBacklogContractTest extends BacklogContractTest {
    @Override
    protected OrderingPolicy policy() {
        return OrderingPolicies.arrival();
    }
}
