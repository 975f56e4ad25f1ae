package io.github.loadstar.algorithms;

import io.github.loadstar.core.spi.OrderingPolicy;

/** The {@link BacklogContractTest backlog contract} for the edf policy's backlog. */
final class EdfBacklogContractTest extends BacklogContractTest {
    @Override
    protected OrderingPolicy policy() {
        return Policies.edf();
    }
}
