package io.github.loadstar.algorithms.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loadstar.algorithms.Policies;
import io.github.loadstar.core.Scheduler;
import io.github.loadstar.core.TaskOptions;
import io.github.loadstar.core.metrics.LatencySummary;
import io.github.loadstar.core.metrics.SchedulerMetrics;
import io.github.loadstar.core.spi.OrderingPolicy;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Under an ordering policy every task carries its submission time, so the latency summary must say
 * so: one sample per task that ran, and a sampling interval of 1. (Before: the summary claimed
 * "1 in 64 sampled" while every task had been measured.)
 */
@Timeout(60)
final class OrderedLatencySamplesTest {

    static List<Supplier<OrderingPolicy>> policies() {
        return List.of(Policies::cfs, Policies::wfq, Policies::mlfq, Policies::edf);
    }

    @ParameterizedTest
    @MethodSource("policies")
    void everyTaskIsOneSample(Supplier<OrderingPolicy> policy) throws Exception {
        Scheduler scheduler = Scheduler.builder().agents(2).orderingPolicy(policy.get()).build();
        int outside = 400;
        int inside = 3;
        CountDownLatch done = new CountDownLatch(outside * (1 + inside));
        String[] tenants = {"a", "b", "c"};
        for (int i = 0; i < outside; i++) {
            TaskOptions options = TaskOptions.builder().tenant(tenants[i % 3]).build();
            scheduler.execute(() -> {
                for (int k = 0; k < inside; k++) {
                    scheduler.execute(done::countDown, options);    // spawned from inside: timed too
                }
                done.countDown();
            }, options);
        }
        assertTrue(done.await(30, TimeUnit.SECONDS));
        scheduler.shutdown();
        assertTrue(scheduler.awaitTermination(10, TimeUnit.SECONDS));
        SchedulerMetrics m = scheduler.metrics();
        LatencySummary latency = m.queueLatency();
        assertEquals(outside * (1 + inside), m.completed());
        assertEquals(1, latency.samplingInterval(), "every task is timed under " + policy.get());
        assertEquals(m.completed(), latency.samples(), "one sample per task that ran: " + latency);
    }
}
