package io.github.loadstar.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loadstar.core.metrics.AgentMetrics;
import io.github.loadstar.core.metrics.LatencySummary;
import io.github.loadstar.core.metrics.SchedulerMetrics;
import io.github.loadstar.core.metrics.TenantMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The snapshot's figures agree with what ran. */
@Timeout(60)
final class MetricsTest {

    @Test
    void countsAgreeWithTheWorkload() throws Exception {
        try (Scheduler scheduler = Scheduler.builder().agents(3).latencySamplingInterval(1).build()) {
            int n = 3_000;
            CountDownLatch done = new CountDownLatch(n);
            List<TaskFuture<?>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (i % 3 == 0) {
                    futures.add(scheduler.submit(done::countDown));
                } else {
                    scheduler.execute(done::countDown);
                }
            }
            assertTrue(done.await(10, TimeUnit.SECONDS));
            for (TaskFuture<?> f : futures) {
                f.get(10, TimeUnit.SECONDS);
            }
            scheduler.shutdown();
            assertTrue(scheduler.awaitTermination(10, TimeUnit.SECONDS));
            SchedulerMetrics m = scheduler.metrics();
            assertEquals(n, m.completed());
            assertEquals(n, m.agents().stream().mapToLong(AgentMetrics::completed).sum());
            assertEquals(0, m.failed());
            assertEquals(0, m.queued());
            LatencySummary latency = m.queueLatency();
            assertEquals(n, latency.samples(), "with interval 1 every external task is timed");
            assertEquals(1, latency.samplingInterval());
            assertTrue(latency.p50() <= latency.p90() && latency.p90() <= latency.p99()
                    && latency.p99() <= latency.p999() && latency.p999() <= latency.max(), latency.toString());
            for (AgentMetrics a : m.agents()) {
                assertTrue(a.utilization() >= 0 && a.utilization() <= 1, a.toString());
                assertTrue(a.busyNanos() >= 0, a.toString());
            }
            assertTrue(m.workFairness() >= 1.0 / 3 - 1e-9 && m.workFairness() <= 1.0);
            assertTrue(m.uptimeNanos() > 0 && m.throughputPerSecond() > 0);
        }
    }

    @Test
    void latencySamplingTimesAboutOneTaskInTheInterval() throws Exception {
        try (Scheduler scheduler = Scheduler.builder().agents(2).latencySamplingInterval(16).build()) {
            int n = 32_000;
            CountDownLatch done = new CountDownLatch(n);
            for (int i = 0; i < n; i++) {
                scheduler.execute(done::countDown);
            }
            assertTrue(done.await(10, TimeUnit.SECONDS));
            long samples = scheduler.metrics().queueLatency().samples();
            // Binomial(32000, 1/16): mean 2000, sd about 43; 6 sd either side
            assertTrue(samples > 1_740 && samples < 2_260, "samples " + samples);
        }
    }

    @Test
    void localSpawnsAreSampledToo() throws Exception {
        try (Scheduler scheduler = Scheduler.builder().agents(1).latencySamplingInterval(4).build()) {
            CountDownLatch done = new CountDownLatch(4_000);
            scheduler.execute(() -> {
                for (int i = 0; i < 4_000; i++) {
                    scheduler.execute(done::countDown);
                }
            });
            assertTrue(done.await(10, TimeUnit.SECONDS));
            long samples = scheduler.metrics().queueLatency().samples();
            assertTrue(samples >= 1_000, "one spawn in four is timed: " + samples);
        }
    }

    /** Work of a tenant, recognisable in the listener's completion events. */
    private static final class TenantWork implements Runnable {
        final String tenant;
        final int iterations;

        TenantWork(String tenant, int iterations) {
            this.tenant = tenant;
            this.iterations = iterations;
        }

        @Override
        public void run() {
            Work.burn(iterations);
        }
    }

    /**
     * Service is attributed to the right tenant, exactly: each tenant's {@code serviceNanos} is the
     * sum of the run times the runtime measured for its tasks (the listener reports the same
     * {@code runNanos}), and {@code tenantFairness} is Jain's index over service / weight. Compared
     * with the listener's sums rather than with expected wall-clock shares, which a GC pause or a
     * descheduled agent can skew on a loaded machine.
     */
    @Test
    void tenantServiceIsAttributedPerTenant() throws Exception {
        Map<String, java.util.concurrent.atomic.LongAdder> heard = Map.of(
                "gold", new java.util.concurrent.atomic.LongAdder(), "iron", new java.util.concurrent.atomic.LongAdder());
        CountDownLatch done = new CountDownLatch(600);
        SchedulerListener listener = new SchedulerListener() {
            @Override
            public void onCompleted(Object task, int agent, long runNanos) {
                if (task instanceof TenantWork) {
                    heard.get(((TenantWork) task).tenant).add(runNanos);
                    done.countDown();
                }
            }
        };
        try (Scheduler scheduler = Scheduler.builder().agents(2).listener(listener).build()) {
            TaskOptions gold = TaskOptions.builder().tenant("gold", 3.0).build();
            TaskOptions iron = TaskOptions.builder().tenant("iron", 1.0).build();
            for (int i = 0; i < 300; i++) {
                scheduler.execute(new TenantWork("gold", 30_000), gold);
                scheduler.execute(new TenantWork("iron", 10_000), iron);
            }
            assertTrue(done.await(30, TimeUnit.SECONDS), "tasks left: " + done.getCount());
            // counters are written just after a task returns; after termination they are final
            scheduler.shutdown();
            assertTrue(scheduler.awaitTermination(10, TimeUnit.SECONDS));
            SchedulerMetrics m = scheduler.metrics();
            Map<String, TenantMetrics> byName = m.tenants().stream()
                    .collect(Collectors.toMap(TenantMetrics::tenant, t -> t));
            assertEquals(2, byName.size(), byName.keySet().toString());
            assertEquals(300, byName.get("gold").completed());
            assertEquals(300, byName.get("iron").completed());
            assertEquals(3.0, byName.get("gold").weight());
            assertEquals(1.0, byName.get("iron").weight());
            long goldService = heard.get("gold").sum();
            long ironService = heard.get("iron").sum();
            assertTrue(goldService > 0 && ironService > 0, "both tenants ran");
            assertEquals(goldService, byName.get("gold").serviceNanos(), "gold's service is the sum of its run times");
            assertEquals(ironService, byName.get("iron").serviceNanos(), "iron's service is the sum of its run times");
            double expected = io.github.loadstar.core.metrics.Fairness.jainIndex(
                    new double[] {goldService / 3.0, ironService / 1.0});
            assertEquals(expected, m.tenantFairness(), 1e-9, "Jain's index over service / weight\n" + m);
        }
    }

    @Test
    void anIdleSchedulerReportsDefinedFigures() {
        try (Scheduler scheduler = Scheduler.builder().agents(4).build()) {
            SchedulerMetrics m = scheduler.metrics();
            assertEquals(0, m.completed());
            assertEquals(0.0, m.loadVariance());
            assertEquals(0.0, m.loadCoefficientOfVariation());
            assertEquals(0.0, m.migrationRate());
            assertEquals(1.0, m.tenantFairness());
            assertEquals(0, m.queueLatency().samples());
            assertTrue(Double.isFinite(m.workFairness()));
            String json = m.toJson();
            assertTrue(json.startsWith("{") && json.endsWith("}"), json);
            for (String key : new String[] {"\"completed\":0", "\"queueLatency\":{", "\"agents\":[", "\"tenants\":[]",
                    "\"workFairness\":", "\"loadVariance\":0.0", "\"migrationRate\":0.0"}) {
                assertTrue(json.contains(key), key + " missing from " + json);
            }
            assertEquals(4, countOccurrences(json, "\"index\":"));
            String text = m.toString();
            assertTrue(text.contains("queue latency") && text.contains("fairness"), text);
        }
    }

    @Test
    void loadVarianceSeesAQueueThatBuildsOnOneAgent() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (Scheduler scheduler = Scheduler.builder().agents(2).build()) {
            CountDownLatch started = new CountDownLatch(2);
            for (int agent = 0; agent < 2; agent++) {
                scheduler.execute(Gate.holdUntil(started, release), TaskOptions.builder().pinnedTo(agent).build());
            }
            assertTrue(started.await(10, TimeUnit.SECONDS));
            for (int i = 0; i < 40; i++) {
                scheduler.execute(() -> { }, TaskOptions.builder().pinnedTo(0).build());
            }
            SchedulerMetrics m = scheduler.metrics();
            assertEquals(40, m.agents().get(0).queued());
            assertEquals(0, m.agents().get(1).queued());
            assertEquals(41.0, m.agents().get(0).load(), 1e-9, "40 queued + 1 running");
            assertEquals(1.0, m.agents().get(1).load(), 1e-9);
            assertEquals(400.0, m.loadVariance(), 1e-9, "loads 41 and 1: mean 21, variance 400");
            assertEquals(20.0 / 21.0, m.loadCoefficientOfVariation(), 1e-9);
            release.countDown();
        }
    }

    private static int countOccurrences(String s, String sub) {
        int count = 0;
        for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + 1)) {
            count++;
        }
        return count;
    }
}
