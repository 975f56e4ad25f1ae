package io.github.loadstar.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.loadstar.core.metrics.AgentMetrics;
import io.github.loadstar.core.metrics.AgentState;
import io.github.loadstar.core.metrics.LatencySummary;
import io.github.loadstar.core.metrics.PerformanceReport;
import io.github.loadstar.core.metrics.SchedulerHistory;
import io.github.loadstar.core.metrics.SchedulerMetrics;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The performance report: its KPIs agree with the snapshot and the history; its JSON parses (Jackson) and carries them. */
@Timeout(60)
final class PerformanceReportTest {

    @Test
    void theReportCarriesTheKpisAsTextAndAsJson() throws Exception {
        Scheduler s = Scheduler.builder().agents(2).name("report \"quoted\"")
                .coordinator(CoordinatorConfig.builder().historyInterval(Duration.ofMillis(10)).build()).build();
        int n = 400;
        CountDownLatch done = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            s.execute(() -> {
                long until = System.nanoTime() + 200_000;
                while (System.nanoTime() - until < 0) {
                    Thread.onSpinWait();
                }
                done.countDown();
            }, TaskOptions.builder().tenant(i % 3 == 0 ? "a" : "b").build());
        }
        assertTrue(done.await(30, TimeUnit.SECONDS));
        s.shutdown();
        assertTrue(s.awaitTermination(10, TimeUnit.SECONDS));
        PerformanceReport report = s.report(Duration.ofSeconds(60));
        SchedulerMetrics m = report.now();

        String text = report.toText();
        for (String kpi : new String[] {"throughput", "utilization", "load variance", "migration rate", "queue latency",
                "fairness", "deadlines"}) {
            assertTrue(text.contains(kpi), kpi + " missing from\n" + text);
        }
        assertTrue(report.toDetailedText().contains("tenant a"), report.toDetailedText());

        JsonNode json = new ObjectMapper().readTree(report.toJson());
        assertEquals("report \"quoted\"", json.get("scheduler").asText());
        JsonNode kpis = json.get("kpis");
        assertEquals(m.throughputPerSecond(), kpis.get("throughputPerSecond").asDouble(), 1e-9);
        assertEquals(m.utilization(), kpis.get("utilization").asDouble(), 1e-12);
        assertEquals(m.migrationRate(), kpis.get("migrationRate").asDouble(), 1e-12);
        assertEquals(m.queueLatency().p99(), kpis.get("queueLatencyP99Nanos").asLong());
        assertEquals(m.tenantFairness(), kpis.get("tenantFairness").asDouble(), 1e-12);
        assertEquals(report.window().tenantFairness(), kpis.get("demandAwareTenantFairness").asDouble(), 1e-12);
        assertEquals(report.window().meanLoadVariance(), kpis.get("windowMeanLoadVariance").asDouble(), 1e-12);
        assertTrue(List.of("rising", "falling", "steady", "unknown").contains(json.get("trend").get("throughput").asText()));
        JsonNode now = json.get("now");
        assertEquals(n, now.get("completed").asLong());
        assertEquals(2, now.get("agents").size());
        assertEquals(2, now.get("tenants").size());
        assertEquals(m.tenants().get(0).waiting(), now.get("tenants").get(0).get("waiting").asLong());
        assertTrue(json.get("window").get("samples").asInt() > 1, "the history held several snapshots");
    }

    /**
     * A live run whose every task is placed on agent 0 and never stolen (a steal threshold no queue
     * reaches, rebalancing off): the report's patterns name agent 0 as the hot agent, in text and JSON.
     */
    @Test
    void theReportNamesTheHotAgentOfASkewedRun() throws Exception {
        try (Scheduler s = Scheduler.builder().agents(3).placementPolicy(AllOnAgentZero.INSTANCE)
                .stealPolicy(io.github.loadstar.core.spi.StealPolicies.threshold(Integer.MAX_VALUE))
                .coordinator(CoordinatorConfig.builder().historyInterval(Duration.ofMillis(10)).build()).build()) {
            int n = 300;
            CountDownLatch done = new CountDownLatch(n);
            for (int i = 0; i < n; i++) {
                s.execute(() -> {
                    long until = System.nanoTime() + 1_000_000;
                    while (System.nanoTime() - until < 0) {
                        Thread.onSpinWait();
                    }
                    done.countDown();
                });
            }
            assertTrue(done.await(30, TimeUnit.SECONDS));
            PerformanceReport report = s.report(Duration.ofMinutes(1));
            List<io.github.loadstar.core.metrics.LoadPattern> hot = report.patterns().stream()
                    .filter(p -> p.kind() == io.github.loadstar.core.metrics.LoadPattern.Kind.HOT_AGENT).toList();
            assertEquals(1, hot.size(), report.toText());
            assertEquals("agent 0", hot.get(0).subject());
            assertTrue(report.toText().contains("HOT_AGENT (agent 0)"), report.toText());
            JsonNode json = new ObjectMapper().readTree(report.toJson());
            assertEquals("HOT_AGENT", json.get("patterns").get(0).get("kind").asText());
            assertEquals(0, json.get("patterns").get(0).get("evidence").get("agent").asInt());
        }
    }

    /** Snapshots of one agent every second with {@code completed} tasks so far and {@code busy} seconds of work. */
    private static SchedulerMetrics at(int second, long completed, double busySeconds) {
        AgentMetrics a = new AgentMetrics(0, "t", AgentState.RUNNING, 1.0, 0, false, completed, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                (long) (busySeconds * 1e9), busySeconds / Math.max(1, second), 0.0, "NONE", 0, 0, -1, false, AgentMetrics.LOCAL, 0, 0.0, 1.0, -1, -1.0, -1.0, 0L);
        return new SchedulerMetrics(second * 1_000_000_000L, List.of(a), List.of(), LatencySummary.empty(64), 0, 0, 0, 0, 0);
    }

    @Test
    void trendsFollowTheHistory() {
        // throughput 10/s for four seconds, then 100/s for four: rising; utilization 50 % throughout: steady
        List<SchedulerMetrics> samples = List.of(at(0, 0, 0), at(1, 10, 0.5), at(2, 20, 1.0), at(3, 30, 1.5),
                at(4, 40, 2.0), at(5, 140, 2.5), at(6, 240, 3.0), at(7, 340, 3.5), at(8, 440, 4.0));
        SchedulerHistory history = new SchedulerHistory(1_000_000_000L, samples);
        PerformanceReport report = PerformanceReport.of("x", samples.get(8), history, Duration.ofSeconds(60));
        assertEquals("rising", report.throughputTrend());
        assertEquals("steady", report.utilizationTrend());
        assertEquals(8.0, report.window().seconds(), 1e-9);
        assertEquals(55.0, report.window().throughputPerSecond(), 1e-9);
        PerformanceReport reversed = PerformanceReport.of("x", samples.get(8), new SchedulerHistory(1_000_000_000L, List.of(
                at(0, 0, 0), at(1, 100, 0.5), at(2, 200, 1.0), at(3, 210, 1.5), at(4, 220, 2.0))), Duration.ofSeconds(60));
        assertEquals("falling", reversed.throughputTrend());
        // a short window: fewer than four snapshots, no trend
        assertEquals("unknown", PerformanceReport.of("x", samples.get(8), history, Duration.ofSeconds(2)).throughputTrend());
        assertEquals("unknown", PerformanceReport.of("x", samples.get(8), new SchedulerHistory(1, List.of()),
                Duration.ofSeconds(1)).throughputTrend());
        assertThrows(NullPointerException.class, () -> PerformanceReport.of(null, samples.get(0), history, Duration.ZERO));
        assertThrows(IllegalArgumentException.class,
                () -> PerformanceReport.of("x", samples.get(0), history, Duration.ofSeconds(-1)));
    }
}
