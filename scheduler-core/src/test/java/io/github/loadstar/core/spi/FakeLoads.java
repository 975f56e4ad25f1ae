package io.github.loadstar.core.spi;

import java.util.Arrays;

/** A fixed AgentLoads for policy tests. */
final class FakeLoads implements AgentLoads {
    final int[] backlog;
    final double[] capacity;
    final boolean[] accepting;

    FakeLoads(int... backlog) {
        this.backlog = backlog.clone();
        this.capacity = new double[backlog.length];
        Arrays.fill(capacity, 1.0);
        this.accepting = new boolean[backlog.length];
        Arrays.fill(accepting, true);
    }

    @Override
    public int agentCount() {
        return backlog.length;
    }

    @Override
    public int backlog(int agent) {
        return backlog[agent];
    }

    @Override
    public double capacity(int agent) {
        return capacity[agent];
    }

    @Override
    public double load(int agent) {
        return backlog[agent] / capacity[agent];
    }

    @Override
    public boolean accepting(int agent) {
        return accepting[agent];
    }

    @Override
    public String toString() {
        return "backlogs " + Arrays.toString(backlog) + ", capacities " + Arrays.toString(capacity);
    }
}
