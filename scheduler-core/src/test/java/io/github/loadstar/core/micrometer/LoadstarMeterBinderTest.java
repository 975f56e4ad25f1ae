package io.github.loadstar.core.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loadstar.core.Scheduler;
import io.github.loadstar.core.TaskOptions;
import io.github.loadstar.core.metrics.SchedulerMetrics;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Micrometer binder on a SimpleMeterRegistry: every meter, its tags, values as metrics() says. */
@Timeout(60)
final class LoadstarMeterBinderTest {

    /** Room for agents added later: the pool gauges follow the agents in the scheduler, the empty slots read 0. */
    @Test
    void elasticAgentsAreCountedAndEmptySlotsReadZero() throws Exception {
        MeterRegistry registry = new SimpleMeterRegistry();
        try (Scheduler s = Scheduler.builder().agents(2).maxAgents(4).name("elastic-metered").build()) {
            new LoadstarMeterBinder(s, Tags.empty()).bindTo(registry);
            assertEquals(2.0, registry.get("executor.pool.size").gauge().value());
            assertEquals(4.0, registry.get("executor.pool.max").gauge().value());
            assertEquals(0.0, registry.get("loadstar.agent.queued").tag("agent", "3").gauge().value());
            int added = s.addAgent(1.0);
            Thread.sleep(LoadstarMeterBinder.MAX_AGE_MILLIS + 20);     // the binder's snapshot is at most this old
            assertEquals(3.0, registry.get("executor.pool.size").gauge().value());
            s.submit(() -> { }, TaskOptions.builder().pinnedTo(added).build()).get(10, TimeUnit.SECONDS);
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (registry.get("loadstar.agent.completed").tag("agent", Integer.toString(added)).functionCounter().count() < 1) {
                assertTrue(System.nanoTime() - until < 0, s.metrics().toString());
                Thread.sleep(2);
            }
        }
    }

    @Test
    void everyMeterIsThereWithItsTagsAndTheSnapshotsValues() throws Exception {
        MeterRegistry registry = new SimpleMeterRegistry();
        Scheduler s = Scheduler.builder().agents(3).name("metered").build();
        new LoadstarMeterBinder(s, Tags.of("app", "test")).bindTo(registry);
        int n = 300;
        CountDownLatch done = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            s.execute(done::countDown, TaskOptions.builder().tenant(i % 2 == 0 ? "even" : "odd").build());
        }
        assertTrue(done.await(10, TimeUnit.SECONDS));
        s.shutdown();
        assertTrue(s.awaitTermination(10, TimeUnit.SECONDS));
        Thread.sleep(LoadstarMeterBinder.MAX_AGE_MILLIS + 20);   // the next read takes a fresh snapshot
        SchedulerMetrics m = s.metrics();

        assertEquals(n, registry.get("executor.completed").tag("name", "metered").tag("app", "test").functionCounter().count());
        assertEquals(m.completed(), (long) registry.get("executor.completed").functionCounter().count());
        assertEquals(3.0, registry.get("executor.pool.size").gauge().value());
        assertEquals(3.0, registry.get("executor.pool.max").gauge().value());
        assertEquals(0.0, registry.get("executor.queued").gauge().value());
        assertEquals(0.0, registry.get("executor.active").gauge().value());
        assertEquals(m.steals(), (long) registry.get("loadstar.steals").functionCounter().count());
        assertEquals(m.migrations(), (long) registry.get("loadstar.migrations").functionCounter().count());
        // utilization is busy time over a lifetime that grows while one reads: equal within a few per cent
        assertEquals(m.utilization(), registry.get("loadstar.utilization").gauge().value(), 0.05 * m.utilization() + 1e-9);
        assertEquals(m.workFairness(), registry.get("loadstar.work.fairness").gauge().value(), 1e-6);
        assertEquals(m.tenantFairness(), registry.get("loadstar.tenant.fairness").gauge().value(), 1e-9);
        assertEquals(m.queueLatency().p50(),
                registry.get("loadstar.queue.latency").tag("percentile", "0.5").timeGauge().value(TimeUnit.NANOSECONDS), 1e-6);
        long perAgent = 0;
        for (int i = 0; i < 3; i++) {
            perAgent += (long) registry.get("loadstar.agent.completed").tag("agent", Integer.toString(i)).functionCounter().count();
            assertNotNull(registry.get("loadstar.agent.breaker.state").tag("agent", Integer.toString(i)).gauge());
            double u = m.agents().get(i).utilization();
            assertEquals(u, registry.get("loadstar.agent.utilization").tag("agent", Integer.toString(i)).gauge().value(),
                    0.05 * u + 1e-9);
        }
        assertEquals(n, perAgent);
        assertEquals(m.tenants().get(0).serviceNanos() / 1e9,
                registry.get("loadstar.tenant.service").tag("tenant", "even").gauge().value(), 1e-9);
        assertEquals(1.0, registry.get("loadstar.tenant.weight").tag("tenant", "odd").gauge().value());
        assertEquals(0.0, registry.get("loadstar.tenant.waiting").tag("tenant", "odd").gauge().value());

        // every meter carries the scheduler's name and the extra tag; agent tags are bounded by the agents
        for (Meter meter : registry.getMeters()) {
            assertEquals("metered", meter.getId().getTag("name"), meter.getId().toString());
            assertEquals("test", meter.getId().getTag("app"), meter.getId().toString());
        }
        Set<String> agentTags = registry.getMeters().stream().map(x -> x.getId().getTag("agent"))
                .filter(t -> t != null).collect(Collectors.toSet());
        assertEquals(Set.of("0", "1", "2"), agentTags);
    }

    /** Tenants beyond the bound are summed under "other": the tenant series stay bounded. */
    @Test
    void tenantSeriesAreBounded() throws Exception {
        MeterRegistry registry = new SimpleMeterRegistry();
        Scheduler s = Scheduler.builder().agents(2).name("tenants").build();
        new LoadstarMeterBinder(s).bindTo(registry);
        int tenants = LoadstarMeterBinder.MAX_TENANTS + 20;
        CountDownLatch done = new CountDownLatch(tenants);
        for (int i = 0; i < tenants; i++) {
            s.execute(done::countDown, TaskOptions.builder().tenant(String.format("t%04d", i)).build());
        }
        assertTrue(done.await(10, TimeUnit.SECONDS));
        s.shutdown();
        assertTrue(s.awaitTermination(10, TimeUnit.SECONDS));
        Thread.sleep(LoadstarMeterBinder.MAX_AGE_MILLIS + 20);
        registry.get("executor.completed").functionCounter().count();   // a read refreshes the tenant rows
        List<Meter> service = registry.find("loadstar.tenant.service").meters().stream().collect(Collectors.toList());
        assertEquals(LoadstarMeterBinder.MAX_TENANTS + 1, service.size(), "the first 100 by name, and other");
        assertNotNull(registry.find("loadstar.tenant.service").tag("tenant", "other").gauge());
    }

    @Test
    void nullsAreRefused() {
        assertThrows(NullPointerException.class, () -> new LoadstarMeterBinder(null));
        try (Scheduler s = Scheduler.builder().agents(1).build()) {
            assertThrows(NullPointerException.class, () -> new LoadstarMeterBinder(s, null));
            assertThrows(NullPointerException.class, () -> new LoadstarMeterBinder(s).bindTo(null));
        }
    }
}
