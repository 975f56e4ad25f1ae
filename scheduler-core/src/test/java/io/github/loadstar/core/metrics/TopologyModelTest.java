package io.github.loadstar.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The topology model on measurements chosen by hand, against values worked out on paper. */
final class TopologyModelTest {

    @Test
    void blockingTasksGainFromAnotherAgentComputingOnesDoNotPastTheProcessors() {
        // 4 ms tasks that sleep: 250 per busy second per agent, 10 us of CPU each, 1,000 arriving a second
        TopologyModel.Inputs sleeping = new TopologyModel.Inputs(1, 2, 1000, 500, 250, 0.00001, 300, 2);
        assertEquals(500, TopologyModel.throughput(sleeping, 2), 1e-9);
        assertEquals(750, TopologyModel.throughput(sleeping, 3), 1e-9);
        // 2 ms tasks that compute: 500 per busy second, 2 ms of CPU each, on 2 processors: 1,000 a second at most
        TopologyModel.Inputs computing = new TopologyModel.Inputs(1, 2, 2000, 1000, 500, 0.002, 300, 2);
        assertEquals(1000, TopologyModel.throughput(computing, 2), 1e-9);
        assertEquals(1000, TopologyModel.throughput(computing, 3), 1e-9, "the processors are full");
        assertEquals(2, TopologyModel.servers(computing, 3));
        // light load: 100 a second, whatever the agents
        TopologyModel.Inputs light = new TopologyModel.Inputs(1, 2, 100, 100, 250, 0.00001, 0.1, 2);
        assertEquals(100, TopologyModel.throughput(light, 3), 1e-9);
        assertEquals(100, TopologyModel.throughput(light, 1), 1e-9);
    }

    @Test
    void erlangCAndTheWaitsMatchTheTextbook() {
        assertEquals(0.5, TopologyModel.erlangC(1, 0.5, 1), 1e-12, "M/M/1: C = rho");
        assertEquals(1.0 / 3, TopologyModel.erlangC(2, 1, 1), 1e-12, "M/M/2 at a = 1");
        TopologyModel.Inputs mm1 = new TopologyModel.Inputs(1, 1, 0.5, 0.5, 1, -1, 1, 8);
        assertEquals(Math.log(50) / 0.5, TopologyModel.p99Wait(mm1, 1), 1e-9);
        assertEquals(0.5 / 0.5, TopologyModel.meanWait(mm1, 1), 1e-12, "M/M/1 mean wait rho / (mu - lambda)");
        TopologyModel.Inputs overloaded = new TopologyModel.Inputs(1, 1, 2, 1, 1, -1, 10, 8);
        assertTrue(Double.isInfinite(TopologyModel.p99Wait(overloaded, 1)));
        assertTrue(Double.isFinite(TopologyModel.p99Wait(overloaded, 3)), "three servers carry it");
        assertTrue(TopologyModel.p99Wait(mm1, 2) < TopologyModel.p99Wait(mm1, 1), "a second server shortens the wait");
    }
}
