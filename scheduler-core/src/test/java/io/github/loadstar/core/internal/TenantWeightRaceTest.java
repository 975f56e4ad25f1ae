package io.github.loadstar.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (s.metrics().completed() < 3 && System.nanoTime() - deadline < 0) {
                Thread.onSpinWait();     // a task's count follows its future's completion by a few instructions
            }
            assertEquals(3, s.metrics().completed());
            assertEquals(1, s.metrics().tenants().get(0).completed(), "the tenant's task is accounted");
        } finally {
            s.shutdownNow();
        }
    }

    /**
     * A submission judged against the registry as one read sees it: a tenant its first task fixed at
     * 1 and the registry then named at 1 refuses weight 2 and takes no weight or 1. (A submission
     * used to read the registry twice — when its options were resolved and when its tenant was
     * looked up — and a reconfiguration between the two let weight 2 through: SettingsLincheckTest
     * found it, and a version of this test that called the two halves around a reconfiguration
     * failed on that code. Admission now reads the registry once; the race itself is
     * SettingsLincheckTest's.)
     */
    @Test
    void aTenantNamedAfterItsFirstTaskTakesTheRegistrysRule() throws Exception {
        LoadstarScheduler s = (LoadstarScheduler) Scheduler.builder().agents(1).build();
        try {
            s.execute(() -> { }, TaskOptions.builder().tenant("t", 1).build());     // fixes t at 1
            assertEquals(2.0, s.figures.admit(TaskOptions.builder().tenant("u", 2).build()).tenantWeight());
            s.reconfigure(x -> x.withTenantWeight("t", 1).withTenantWeight("u", 3));
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> s.figures.admit(TaskOptions.builder().tenant("t", 2).build()));
            assertTrue(e.getMessage().contains("tenantWeight"), e.getMessage());
            assertEquals(1.0, s.figures.admit(TaskOptions.builder().tenant("t").build()).tenantWeight());
            assertEquals(3.0, s.figures.admit(TaskOptions.builder().tenant("u").build()).tenantWeight(),
                    "no weight: the registry's");
            assertThrows(IllegalArgumentException.class, () -> s.figures.admit(TaskOptions.builder().tenant("u", 2).build()),
                    "u's first task carried 2, but the registry names it at 3 now");
        } finally {
            s.shutdownNow();
        }
    }
}
