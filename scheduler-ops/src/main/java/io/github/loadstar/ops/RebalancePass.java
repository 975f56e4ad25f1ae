package io.github.loadstar.ops;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * One rebalancing pass run from outside, and what it moved: the figures before, the pass
 * ({@code rebalance()}), then the figures once its moves are done. The receiving agents carry the
 * moves out between their tasks, so the migration count is read until it has held for 100 ms, or
 * the wait is over.
 */
final class RebalancePass {
    private RebalancePass() {
    }

    /**
     * The load-balance operation of the command line and the MCP tool: sets the rebalancing strategy
     * when one is given (logged by the scheduler with {@code actor}), then runs a pass when asked.
     *
     * @return {@code changed} and {@code settingsVersion} (with a strategy), {@code rebalancePolicy},
     *         and the pass's figures ({@link #run})
     */
    static Map<String, Object> loadBalance(SchedulerClient client, String strategy, boolean now, Duration wait,
                                           String actor) throws InterruptedException {
        Map<String, Object> result = new LinkedHashMap<>();
        if (strategy != null) {
            try {
                result.put("changed", client.updateSettings(Map.of("rebalancePolicy", strategy), actor));
            } catch (OpsException e) {
                if (e.refused()) {
                    // the caller named it strategy (--strategy, the tool's strategy): say so first
                    throw OpsException.refused("strategy: " + e.getMessage(), e);
                }
                throw e;
            }
            result.put("settingsVersion", client.settingsVersion());
        }
        result.put("rebalancePolicy", client.rebalancePolicy());
        if (now) {
            result.putAll(run(client, wait));
        }
        return result;
    }

    /**
     * Runs a pass on {@code client} and returns {@code migrated} (tasks moved) and {@code agents}
     * (per agent: queued before and after, moved in and out).
     */
    static Map<String, Object> run(SchedulerClient client, Duration wait) throws InterruptedException {
        JsonNode before = client.metrics();
        client.rebalance();
        JsonNode after = settle(client, wait);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("migrated", SchedulerCommand.l(after, "migrations") - SchedulerCommand.l(before, "migrations"));
        List<Map<String, Object>> agents = new ArrayList<>();
        for (JsonNode a : after.get("agents")) {
            JsonNode b = agent(before, a.get("index").asInt());
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("agent", a.get("index").asInt());
            row.put("queuedBefore", b == null ? 0 : SchedulerCommand.l(b, "queued"));
            row.put("queuedAfter", SchedulerCommand.l(a, "queued"));
            row.put("migratedIn", SchedulerCommand.l(a, "migratedIn") - (b == null ? 0 : SchedulerCommand.l(b, "migratedIn")));
            row.put("migratedOut", SchedulerCommand.l(a, "migratedOut") - (b == null ? 0 : SchedulerCommand.l(b, "migratedOut")));
            agents.add(row);
        }
        result.put("agents", agents);
        return result;
    }

    private static JsonNode settle(SchedulerClient client, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        JsonNode last = client.metrics();
        long stableSince = System.nanoTime();
        while (System.nanoTime() - deadline < 0) {
            Thread.sleep(20);
            JsonNode next = client.metrics();
            if (SchedulerCommand.l(next, "migrations") != SchedulerCommand.l(last, "migrations")) {
                stableSince = System.nanoTime();
            } else if (System.nanoTime() - stableSince > 100_000_000L) {
                return next;
            }
            last = next;
        }
        return last;
    }

    private static JsonNode agent(JsonNode metrics, int index) {
        for (JsonNode a : metrics.get("agents")) {
            if (a.get("index").asInt() == index) {
                return a;
            }
        }
        return null;
    }
}
