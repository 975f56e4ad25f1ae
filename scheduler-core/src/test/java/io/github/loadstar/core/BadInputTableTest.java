package io.github.loadstar.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loadstar.core.allocation.AllocationProblem;
import io.github.loadstar.core.allocation.AllocationRequest;
import io.github.loadstar.core.metrics.SchedulerMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

/**
 * Bad input at every public entry point of the core API, as one table: each row is a call with a
 * null, zero, negative, NaN, infinite, out-of-range, oversized or conflicting value; it must throw
 * the stated exception with a message naming the parameter (or, for a null, the NPE naming it), and
 * — for the calls on a running scheduler — change nothing: the same settings and version, the same
 * counts of tasks submitted, completed, queued and rejected. (The command line's and the MCP tools'
 * bad arguments are tested in scheduler-ops, the allocators' and policies' configurations in
 * scheduler-algorithms.)
 */
final class BadInputTableTest {
    private static Scheduler scheduler;

    /** One row: what is called, what it must throw, the words its message must hold. */
    private record Row(String call, Executable action, Class<? extends Throwable> type, String names) {
    }

    @BeforeAll
    static void start() throws Exception {
        scheduler = Scheduler.builder().name("bad-input").agents(2).maxAgents(3).build();
        scheduler.submit(() -> 1).get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        scheduler.shutdownNow();
        assertTrue(scheduler.awaitTermination(10, TimeUnit.SECONDS));
    }

    private static final Callable<Integer> TASK = () -> 1;

    private static List<Row> builderRows() {
        List<Row> rows = new ArrayList<>();
        SchedulerBuilder b = Scheduler.builder();
        rows.add(new Row("SchedulerBuilder.name(\" \")", () -> b.name(" "), IllegalArgumentException.class, "name"));
        rows.add(new Row("SchedulerBuilder.name(null)", () -> b.name(null), NullPointerException.class, "name"));
        rows.add(new Row("SchedulerBuilder.agents(0)", () -> b.agents(0), IllegalArgumentException.class, "agents"));
        rows.add(new Row("SchedulerBuilder.agents(-1)", () -> b.agents(-1), IllegalArgumentException.class, "agents"));
        rows.add(new Row("SchedulerBuilder.agents(MAX_VALUE)", () -> b.agents(Integer.MAX_VALUE), IllegalArgumentException.class, "agents"));
        rows.add(new Row("SchedulerBuilder.maxAgents(0)", () -> b.maxAgents(0), IllegalArgumentException.class, "maxAgents"));
        rows.add(new Row("SchedulerBuilder.capacities()", () -> b.capacities(), IllegalArgumentException.class, "capacities"));
        rows.add(new Row("SchedulerBuilder.capacities(NaN)", () -> b.capacities(1, Double.NaN), IllegalArgumentException.class, "capacities[1]"));
        rows.add(new Row("SchedulerBuilder.capacities(inf)", () -> b.capacities(Double.POSITIVE_INFINITY), IllegalArgumentException.class, "capacities[0]"));
        rows.add(new Row("SchedulerBuilder.capacities(-1)", () -> b.capacities(-1), IllegalArgumentException.class, "capacities[0]"));
        rows.add(new Row("SchedulerBuilder.capacities(0)", () -> b.capacities(0), IllegalArgumentException.class, "capacities[0]"));
        rows.add(new Row("SchedulerBuilder.threadNamePrefix(\"\")", () -> b.threadNamePrefix(""), IllegalArgumentException.class, "threadNamePrefix"));
        rows.add(new Row("SchedulerBuilder.spinRounds(-1)", () -> b.spinRounds(-1), IllegalArgumentException.class, "spinRounds"));
        rows.add(new Row("SchedulerBuilder.stealThreshold(-1)", () -> b.stealThreshold(-1), IllegalArgumentException.class, "stealThreshold"));
        rows.add(new Row("SchedulerBuilder.stealBatchLimit(0)", () -> b.stealBatchLimit(0), IllegalArgumentException.class, "stealBatchLimit"));
        rows.add(new Row("SchedulerBuilder.stealBatchLimit(huge)", () -> b.stealBatchLimit(1 << 30), IllegalArgumentException.class, "stealBatchLimit"));
        rows.add(new Row("SchedulerBuilder.maxQueuedTasks(0)", () -> b.maxQueuedTasks(0), IllegalArgumentException.class, "maxQueuedTasks"));
        rows.add(new Row("SchedulerBuilder.latencySamplingInterval(3)", () -> b.latencySamplingInterval(3), IllegalArgumentException.class, "latencySamplingInterval"));
        rows.add(new Row("SchedulerBuilder.orderingPolicy(\"nope\")", () -> b.orderingPolicy("nope"), IllegalArgumentException.class, "nope"));
        rows.add(new Row("SchedulerBuilder.stealPolicy(null)", () -> b.stealPolicy(null), NullPointerException.class, "stealPolicy"));
        rows.add(new Row("SchedulerBuilder.coordinator(null)", () -> b.coordinator(null), NullPointerException.class, "coordinator"));
        rows.add(new Row("SchedulerBuilder agents 4 > maxAgents 2",
                () -> Scheduler.builder().agents(4).maxAgents(2).build(), IllegalArgumentException.class, "maxAgents"));

        TaskOptions.Builder o = TaskOptions.builder();
        rows.add(new Row("TaskOptions.deadline(0)", () -> o.deadline(Duration.ZERO), IllegalArgumentException.class, "deadline"));
        rows.add(new Row("TaskOptions.deadline(-1s)", () -> o.deadline(Duration.ofSeconds(-1)), IllegalArgumentException.class, "deadline"));
        rows.add(new Row("TaskOptions.deadline(huge)", () -> o.deadline(Duration.ofSeconds(Long.MAX_VALUE)), IllegalArgumentException.class, "deadline"));
        rows.add(new Row("TaskOptions.deadline(null)", () -> o.deadline(null), NullPointerException.class, "deadline"));
        rows.add(new Row("TaskOptions.tenant(\"\", 1)", () -> o.tenant("", 1), IllegalArgumentException.class, "tenant"));
        rows.add(new Row("TaskOptions.tenant(t, NaN)", () -> o.tenant("t", Double.NaN), IllegalArgumentException.class, "tenantWeight"));
        rows.add(new Row("TaskOptions.tenant(t, 0)", () -> o.tenant("t", 0), IllegalArgumentException.class, "tenantWeight"));
        rows.add(new Row("TaskOptions.tenant(t, inf)", () -> o.tenant("t", Double.POSITIVE_INFINITY), IllegalArgumentException.class, "tenantWeight"));
        rows.add(new Row("TaskOptions.cost(0)", () -> o.cost(0), IllegalArgumentException.class, "cost"));
        rows.add(new Row("TaskOptions.pinnedTo(-1)", () -> o.pinnedTo(-1), IllegalArgumentException.class, "pinnedTo"));
        rows.add(new Row("TaskOptions.preferAgent(-2)", () -> o.preferAgent(-2), IllegalArgumentException.class, "preferAgent"));

        CoordinatorConfig.Builder c = CoordinatorConfig.builder();
        rows.add(new Row("CoordinatorConfig.historyInterval(-1ms)", () -> c.historyInterval(Duration.ofMillis(-1)), IllegalArgumentException.class, "historyInterval"));
        rows.add(new Row("CoordinatorConfig.historySize(1)", () -> c.historySize(1), IllegalArgumentException.class, "historySize"));
        rows.add(new Row("CoordinatorConfig.rebalanceInterval(0)", () -> c.rebalanceInterval(Duration.ZERO), IllegalArgumentException.class, "rebalanceInterval"));
        TopologyConfig.Builder t = TopologyConfig.builder();
        rows.add(new Row("TopologyConfig.agents(3, 2)", () -> t.agents(3, 2), IllegalArgumentException.class, "agents"));
        rows.add(new Row("TopologyConfig.threshold(NaN)", () -> t.threshold(Double.NaN), IllegalArgumentException.class, "threshold"));
        rows.add(new Row("TopologyConfig.threshold(0)", () -> t.threshold(0), IllegalArgumentException.class, "threshold"));
        rows.add(new Row("TopologyConfig.window(1ms)", () -> t.window(Duration.ofMillis(1)), IllegalArgumentException.class, "window"));

        rows.add(new Row("AllocationProblem.builder(0, 1)", () -> AllocationProblem.builder(0, 1), IllegalArgumentException.class, "agents"));
        rows.add(new Row("AllocationProblem.builder(1, -1)", () -> AllocationProblem.builder(1, -1), IllegalArgumentException.class, "tasks"));
        AllocationProblem.Builder p = AllocationProblem.builder(2, 2);
        rows.add(new Row("AllocationProblem.capacity(5, 1)", () -> p.capacity(5, 1), IllegalArgumentException.class, "agent"));
        rows.add(new Row("AllocationProblem.capacity(0, NaN)", () -> p.capacity(0, Double.NaN), IllegalArgumentException.class, "capacity"));
        rows.add(new Row("AllocationProblem.demand(0, 0, 0, -1)", () -> p.demand(0, 0, 0, -1), IllegalArgumentException.class, "demand"));
        rows.add(new Row("AllocationProblem.speed(0, 0)", () -> p.speed(0, 0), IllegalArgumentException.class, "speed"));
        rows.add(new Row("AllocationProblem.duration(9, 0, 1)", () -> p.duration(9, 0, 1), IllegalArgumentException.class, "task"));
        AllocationRequest.Builder r = AllocationRequest.builder();
        rows.add(new Row("AllocationRequest.timeBudget(0)", () -> r.timeBudget(Duration.ZERO), IllegalArgumentException.class, "timeBudget"));
        rows.add(new Row("AllocationRequest.weights({})", () -> r.weights(Map.of()), IllegalArgumentException.class, "weights"));
        return rows;
    }

    private static List<Row> schedulerRows() {
        Scheduler s = scheduler;
        List<Row> rows = new ArrayList<>();
        rows.add(new Row("reconfigure(stealBatchLimit 0)", () -> s.reconfigure(x -> x.withStealBatchLimit(0)), IllegalArgumentException.class, "stealBatchLimit"));
        rows.add(new Row("reconfigure(capacity NaN)", () -> s.reconfigure(x -> x.withCapacity(0, Double.NaN)), IllegalArgumentException.class, "capacities[0]"));
        rows.add(new Row("reconfigure(capacity of agent 7)", () -> s.reconfigure(x -> x.withCapacity(7, 1)), IllegalArgumentException.class, "agent"));
        rows.add(new Row("reconfigure(agentCount 0)", () -> s.reconfigure(x -> x.withAgentCount(0)), IllegalArgumentException.class, "agentCount"));
        rows.add(new Row("reconfigure(agentCount 9 > slots)", () -> s.reconfigure(x -> x.withAgentCount(9)), IllegalArgumentException.class, "agentCount"));
        rows.add(new Row("reconfigure(tenant weight -1)", () -> s.reconfigure(x -> x.withTenantWeight("a", -1)), IllegalArgumentException.class, "tenantWeight"));
        rows.add(new Row("reconfigure(rebalanceInterval 0)", () -> s.reconfigure(x -> x.withRebalanceInterval(Duration.ZERO)), IllegalArgumentException.class, "rebalanceInterval"));
        rows.add(new Row("reconfigure(unknown parameter)", () -> s.reconfigure(x -> x.withOrderingParameter("agingBoost", "10")), IllegalArgumentException.class, "agingBoost"));
        rows.add(new Row("reconfigure(a change, then a bad one)", () -> s.reconfigure(x -> x.withStealBatchLimit(8).withStealBatchLimit(-1)), IllegalArgumentException.class, "stealBatchLimit"));
        rows.add(new Row("reconfigure(null)", () -> s.reconfigure(null), NullPointerException.class, "change"));
        rows.add(new Row("reconfigure(returns null)", () -> s.reconfigure(x -> null), NullPointerException.class, "settings"));
        rows.add(new Row("execute(null)", () -> s.execute(null), NullPointerException.class, ""));
        rows.add(new Row("submit(pinned to agent 9)", () -> s.submit(TASK, TaskOptions.builder().pinnedTo(9).build()), IllegalArgumentException.class, "9"));
        rows.add(new Row("submit(task, null options)", () -> s.submit(TASK, null), NullPointerException.class, ""));
        rows.add(new Row("addAgent(NaN)", () -> s.addAgent(Double.NaN), IllegalArgumentException.class, "capacity"));
        rows.add(new Row("addAgent(0)", () -> s.addAgent(0), IllegalArgumentException.class, "capacity"));
        rows.add(new Row("removeAgent(-1)", () -> s.removeAgent(-1), IllegalArgumentException.class, "agent"));
        rows.add(new Row("removeAgent(5)", () -> s.removeAgent(5), IllegalArgumentException.class, "agent"));
        rows.add(new Row("report(-1s)", () -> s.report(Duration.ofSeconds(-1)), IllegalArgumentException.class, "window"));
        rows.add(new Row("report(null)", () -> s.report(null), NullPointerException.class, "window"));
        rows.add(new Row("bottlenecks(-1s)", () -> s.bottlenecks(Duration.ofSeconds(-1)), IllegalArgumentException.class, "window"));
        rows.add(new Row("optimizeTopology without an objective", () -> s.optimizeTopology(null, true), IllegalStateException.class, "topology.objective"));
        return rows;
    }

    @TestFactory
    Stream<DynamicTest> everyBuilderRefusesByName() {
        return builderRows().stream().map(row -> DynamicTest.dynamicTest(row.call(), () -> check(row)));
    }

    @TestFactory
    Stream<DynamicTest> aRunningSchedulerRefusesByNameAndChangesNothing() {
        return schedulerRows().stream().map(row -> DynamicTest.dynamicTest(row.call(), () -> {
            SchedulerSettings before = scheduler.settings();
            SchedulerMetrics m = scheduler.metrics();
            check(row);
            SchedulerSettings after = scheduler.settings();
            assertEquals(before.version(), after.version(), row.call() + ": the settings' version");
            assertEquals(before.stealBatchLimit(), after.stealBatchLimit(), row.call());
            assertEquals(before.agentCount(), after.agentCount(), row.call());
            assertEquals(java.util.Arrays.toString(before.capacities()), java.util.Arrays.toString(after.capacities()), row.call());
            assertEquals(before.tenantWeights(), after.tenantWeights(), row.call());
            SchedulerMetrics n = scheduler.metrics();
            assertEquals(m.completed(), n.completed(), row.call() + ": completed");
            assertEquals(m.queued(), n.queued(), row.call() + ": queued");
            assertEquals(m.rejected(), n.rejected(), row.call() + ": rejected");
            assertEquals(2, scheduler.settings().agentCount(), row.call());
        }));
    }

    private static void check(Row row) {
        Throwable e = assertThrows(Throwable.class, row.action(), row.call());
        assertTrue(row.type().isInstance(e), row.call() + " threw " + e + ", not " + row.type().getSimpleName());
        String message = String.valueOf(e.getMessage());
        assertTrue(message.contains(row.names()), row.call() + ": the message must name " + row.names() + ": " + message);
    }
}
