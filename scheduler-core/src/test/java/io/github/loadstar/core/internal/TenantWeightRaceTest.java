package io.github.loadstar.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loadstar.core.Scheduler;
import io.github.loadstar.core.SchedulerListener;
import io.github.loadstar.core.TaskOptions;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A reconfiguration that names a tenant in the registry writes the settings and then the tenant's
 * weight. A task of that tenant, queued before with no weight, that completes between its own read
 * of the registry (before the settings write) and its read of the weight (after the weight write)
 * sees a tenant "fixed" at the registry's weight and a registry that does not name it. The soak hit
 * this twice in about 370 rounds (an IllegalArgumentException thrown on an agent's thread, which was
 * replaced); here that view is made exact — the weight written, the registry not yet — and the task
 * completes in it. Its completion must account it and nothing else: no agent thread dies.
 */
final class TenantWeightRaceTest {

    @Test
    void aCompletionDoesNotCheckTheWeightRuleAgain() throws Exception {
        AtomicInteger replaced = new AtomicInteger();
        SchedulerListener listener = new SchedulerListener() {
            @Override
            public void onAgentReplaced(int agent, Thread dead, Thread replacement, Throwable cause) {
                replaced.incrementAndGet();
            }
        };
        LoadstarScheduler s = (LoadstarScheduler) Scheduler.builder().agents(1).listener(listener).build();
        try {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            s.execute(() -> {
                started.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertTrue(started.await(10, TimeUnit.SECONDS));
            AtomicInteger ran = new AtomicInteger();
            s.execute(ran::incrementAndGet, TaskOptions.builder().tenant("t").build());     // weight 1, queued
            // the reconfiguration's second write, as the completing task sees it: the weight, not the registry
            s.figures.onTenantWeights(Map.of("t", 0.5));
            release.countDown();
            assertEquals(1, s.submit(() -> 1).get(10, TimeUnit.SECONDS));
            assertEquals(1, ran.get());
            assertEquals(0, replaced.get(), "agent threads that died");
            assertEquals(3, s.metrics().completed());
            assertEquals(1, s.metrics().tenants().get(0).completed(), "the tenant's task is accounted");
        } finally {
            s.shutdownNow();
        }
    }
}
