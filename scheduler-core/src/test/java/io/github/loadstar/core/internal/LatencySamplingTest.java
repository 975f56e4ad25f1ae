package io.github.loadstar.core.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loadstar.core.Scheduler;
import io.github.loadstar.core.TaskOptions;
import io.github.loadstar.core.spi.AgentLoads;
import io.github.loadstar.core.spi.PlacementPolicy;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Which tasks carry a queue-latency timestamp must not depend on where they are placed: a placement
 * policy may use any bits of the random number it is given, and the sample must not share them.
 * (It did: a task was sampled when the top six bits of the placement's random number were zero,
 * and power-of-two-choices took its second candidate from the same number, so every sampled task
 * had agent 0 or 1 as a candidate.)
 */
@Timeout(60)
final class LatencySamplingTest {
    private static final int TASKS = 64_000;
    private static final int INTERVAL = 64;

    /** A quarter of the tasks to agent 1 (the two top bits zero), the rest to agent 0. */
    private static final PlacementPolicy TOP_BITS = new PlacementPolicy() {
        @Override
        public int place(TaskOptions options, AgentLoads loads, int random) {
            return (random >>> 30) == 0 ? 1 : 0;
        }

        @Override
        public String name() {
            return "top-bits";
        }
    };

    @Test
    void perAgentSampleSharesFollowTaskShares() throws Exception {
        LoadstarScheduler s = (LoadstarScheduler) Scheduler.builder().agents(2).placementPolicy(TOP_BITS)
                .latencySamplingInterval(INTERVAL).build();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch holding = new CountDownLatch(2);
        try {
            // hold both agents, so that every task waits in the inbox it was placed in
            for (int agent = 0; agent < 2; agent++) {
                s.execute(() -> {
                    holding.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, TaskOptions.builder().pinnedTo(agent).build());
            }
            assertTrue(holding.await(30, TimeUnit.SECONDS));
            for (int i = 0; i < TASKS; i++) {
                s.execute(() -> { });
            }
            int[] tasks = new int[2];
            int[] sampled = new int[2];
            for (int agent = 0; agent < 2; agent++) {
                Agent a = s.agents[agent];
                a.acquireClaimForever();
                try {
                    Runnable task;
                    while ((task = a.inbox.relaxedPoll()) != null) {
                        tasks[agent]++;
                        if (((RunnableTask) task).stamped()) {
                            sampled[agent]++;
                        }
                    }
                } finally {
                    a.releaseClaim();
                }
            }
            for (int agent = 0; agent < 2; agent++) {
                // binomial(tasks, 1/64): expected share and a 5-sigma band around it
                double expected = (double) tasks[agent] / INTERVAL;
                double sigma = Math.sqrt(tasks[agent] * (1.0 / INTERVAL) * (1 - 1.0 / INTERVAL));
                assertTrue(Math.abs(sampled[agent] - expected) <= 5 * sigma + 1, String.format(
                        "agent %d: %d tasks, %d sampled; expected %.0f +- %.0f (both agents: tasks %d/%d, samples %d/%d)",
                        agent, tasks[agent], sampled[agent], expected, 5 * sigma, tasks[0], tasks[1],
                        sampled[0], sampled[1]));
            }
            assertTrue(tasks[0] > TASKS / 2 && tasks[1] > TASKS / 8, "the skew: " + tasks[0] + "/" + tasks[1]);
        } finally {
            release.countDown();
            s.shutdownNow();
            s.awaitTermination(10, TimeUnit.SECONDS);
        }
    }
}
