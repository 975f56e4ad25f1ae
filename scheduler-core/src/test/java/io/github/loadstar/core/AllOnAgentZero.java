package io.github.loadstar.core;

import io.github.loadstar.core.spi.AgentLoads;
import io.github.loadstar.core.spi.PlacementPolicy;

/** Places every task on agent 0: the skewed workload that makes the other agents steal. */
final class AllOnAgentZero implements PlacementPolicy {
    static final PlacementPolicy INSTANCE = new AllOnAgentZero();

    private AllOnAgentZero() {
    }

    @Override
    public int place(TaskOptions options, AgentLoads loads, int random) {
        return 0;
    }

    @Override
    public String name() {
        return "agent-0";
    }
}
