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

    @Test
    void theSplitModelIsOneMm1QueuePerAgentFedItsShare() {
        // one agent: M/M/1 with rho 0.8, P(W > t) = 0.8 e^{-(mu - lambda) t} = 0.01 at t = ln 80 / 50
        assertEquals(Math.log(80) / 50, TopologyModel.splitP99Wait(200, new double[] {1}, new double[] {250}), 1e-9);
        // two equal agents with equal shares: the same as each alone
        assertEquals(Math.log(80) / 50, TopologyModel.splitP99Wait(400, new double[] {0.5, 0.5},
                new double[] {250, 250}), 1e-9);
        // a quarter-speed agent with a third of 600 a second: 200 of 250 a second, and it sets the tail
        double[] mu = {250, 1000, 1000};
        double equal = TopologyModel.splitP99Wait(600, TopologyModel.shares(new double[] {1, 1, 1}), mu);
        double calibrated = TopologyModel.splitP99Wait(600, TopologyModel.shares(new double[] {250, 1000, 1000}), mu);
        assertTrue(equal > 0.05 && calibrated < equal / 5, equal + " -> " + calibrated);
        // with 300 a second for the quarter-speed agent it is overloaded: an infinite wait, and lost throughput
        assertEquals(Double.POSITIVE_INFINITY, TopologyModel.splitP99Wait(900, TopologyModel.shares(new double[] {1, 1, 1}), mu));
        assertEquals(250 + 300 + 300, TopologyModel.splitThroughput(900, TopologyModel.shares(new double[] {1, 1, 1}), mu), 1e-9);
        assertEquals(900, TopologyModel.splitThroughput(900, TopologyModel.shares(new double[] {250, 1000, 1000}), mu), 1e-9);
        // a light load that waits less than 1 % of the time: no p99 wait at all
        assertEquals(0, TopologyModel.splitP99Wait(2, new double[] {1}, new double[] {250}));
    }
}
