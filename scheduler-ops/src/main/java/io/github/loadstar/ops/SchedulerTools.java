package io.github.loadstar.ops;

import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpServerFeatures.SyncResourceSpecification;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/*
 * The MCP tools and resources over one scheduler's management bean. Each tool has a JSON Schema
 * (2020-12) for its arguments — the SDK checks them before a handler runs, so a bad argument comes
 * back as a tool error naming it — and an output schema its structured result is checked against;
 * every result also carries a short text. A refused or failed operation is a tool error (isError)
 * with the reason, never a protocol error. The mutating tools (load_balance, config_update) are
 * refused unless the server was started with changes allowed; each applied change is logged once
 * (SLF4J, INFO) with the client that asked and what changed.
 *
 * The client is reached through a Supplier so that a server outlives a dropped JMX connection: the
 * stdio server reconnects on the next call.
 */

/** The Loadstar MCP tools over one scheduler; see the overview in the source. */
final class SchedulerTools {
    private static final Logger LOG = LoggerFactory.getLogger(SchedulerTools.class);

    private final Supplier<SchedulerClient> client;
    private final boolean allowChanges;
    private final McpJsonMapper mapper;

    SchedulerTools(Supplier<SchedulerClient> client, boolean allowChanges, McpJsonMapper mapper) {
        this.client = client;
        this.allowChanges = allowChanges;
        this.mapper = mapper;
    }

    /** A tool's work: the arguments in, the structured result and its text out. */
    private interface Call {
        Result call(Map<String, Object> args, String who) throws Exception;
    }

    private record Result(Object structured, String text) {
    }

    private static final String WINDOW = "\"window_seconds\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":86400,"
            + "\"description\":\"The window of history, in seconds (default 60).\"}";
    private static final String OBJECT_OUT = "{\"type\":\"object\"}";

    List<SyncToolSpecification> tools() {
        List<SyncToolSpecification> tools = new ArrayList<>();
        tools.add(tool("performance_report", "The performance report: the KPIs now and over the window (throughput, "
                        + "utilization, load variance, migration rate, queue latency percentiles, fairness), their "
                        + "trend, recurring patterns, and the snapshot of every agent and tenant.",
                "{\"type\":\"object\",\"properties\":{" + WINDOW + "},\"additionalProperties\":false}",
                "{\"type\":\"object\",\"required\":[\"scheduler\",\"kpis\",\"now\"]}", false,
                (a, who) -> {
                    SchedulerClient c = client.get();
                    JsonNode report = c.reportJson();
                    return new Result(report, c.reportDetailed(window(a)));
                }));
        tools.add(tool("bottleneck_analyze", "The bottlenecks in the snapshot and the window, each with its kind, "
                        + "severity, component, the figures that show it (evidence) and a suggested action.",
                "{\"type\":\"object\",\"properties\":{\"component\":{\"type\":\"string\",\"enum\":[\"agents\",\"tenants\","
                        + "\"queues\",\"breakers\"],\"description\":\"Only findings about this component.\"}," + WINDOW
                        + "},\"additionalProperties\":false}",
                "{\"type\":\"object\",\"required\":[\"findings\"],\"properties\":{\"findings\":{\"type\":\"array\"}}}", false,
                (a, who) -> {
                    String component = (String) a.get("component");
                    List<JsonNode> findings = new ArrayList<>();
                    StringBuilder text = new StringBuilder();
                    for (JsonNode f : client.get().bottlenecks(window(a))) {
                        if (component == null || f.get("component").asString().startsWith(component)) {
                            findings.add(f);
                            text.append(f.get("severity").asString()).append(' ').append(f.get("kind").asString())
                                    .append(" (").append(f.get("component").asString()).append("): ")
                                    .append(f.get("action").asString()).append('\n');
                        }
                    }
                    return new Result(Map.of("findings", findings), findings.isEmpty() ? "no bottleneck found" : text.toString());
                }));
        tools.add(tool("agent_list", "The agents: index, state, capacity, queued and completed tasks, utilization, "
                        + "circuit-breaker state, location (local, or a remote agent's member address), tasks in flight, "
                        + "and a remote agent's mean round trip and measured speed.",
                "{\"type\":\"object\",\"additionalProperties\":false}",
                "{\"type\":\"object\",\"required\":[\"agents\"],\"properties\":{\"agents\":{\"type\":\"array\"}}}", false,
                (a, who) -> {
                    List<Map<String, Object>> agents = client.get().agents();
                    return new Result(Map.of("agents", agents), agents.size() + " agents");
                }));
        tools.add(tool("agent_metrics", "Every figure of every agent, or of one: tasks completed, failed and "
                        + "cancelled, steals in and out, migrations, parks, busy and CPU time, deadlines, breaker.",
                "{\"type\":\"object\",\"properties\":{\"agent_id\":{\"type\":\"integer\",\"minimum\":0,"
                        + "\"description\":\"Only this agent.\"}},\"additionalProperties\":false}",
                "{\"type\":\"object\",\"required\":[\"agents\"],\"properties\":{\"agents\":{\"type\":\"array\"}}}", false,
                (a, who) -> {
                    List<JsonNode> agents = new ArrayList<>();
                    Integer only = a.get("agent_id") == null ? null : ((Number) a.get("agent_id")).intValue();
                    List<Integer> have = new ArrayList<>();
                    for (JsonNode x : client.get().metrics().get("agents")) {
                        have.add(x.get("index").asInt());
                        if (only == null || x.get("index").asInt() == only) {
                            agents.add(x);
                        }
                    }
                    if (agents.isEmpty()) {
                        throw OpsException.refused("agent_id: no agent " + only + " (the agents are " + have + ")", null);
                    }
                    return new Result(Map.of("agents", agents), agents.size() == 1 ? "agent " + only : agents.size() + " agents");
                }));
        tools.add(tool("load_balance", "Choose the rebalancing strategy (threshold, adaptive or off; "
                        + "threshold:<tolerance> or adaptive:<tolerance>) and/or run one rebalancing pass now and report "
                        + "what moved. Changes the scheduler: refused unless the server allows changes.",
                "{\"type\":\"object\",\"properties\":{\"strategy\":{\"type\":\"string\",\"minLength\":1},"
                        + "\"now\":{\"type\":\"boolean\",\"description\":\"Run a pass now.\"}},\"additionalProperties\":false}",
                "{\"type\":\"object\",\"required\":[\"rebalancePolicy\"]}", true,
                (a, who) -> {
                    String strategy = (String) a.get("strategy");
                    Map<String, Object> result = RebalancePass.loadBalance(client.get(), strategy,
                            Boolean.TRUE.equals(a.get("now")), Duration.ofSeconds(1), "MCP load_balance by " + who);
                    if (strategy != null) {
                        LOG.info("MCP load_balance by {}: rebalancePolicy={} (settings version {})", who, strategy,
                                result.get("settingsVersion"));
                    }
                    if (result.containsKey("migrated")) {
                        LOG.info("MCP load_balance by {}: a rebalancing pass moved {} tasks", who, result.get("migrated"));
                    }
                    return new Result(result, "rebalancing strategy " + result.get("rebalancePolicy")
                            + (result.containsKey("migrated") ? "; the pass moved " + result.get("migrated") + " tasks" : ""));
                }));
        tools.add(tool("config_update", "Change settings by name, all or nothing, through the scheduler's validated "
                        + "reconfiguration (e.g. {\"settings\": {\"stealThreshold\": 5, \"agingBoost\": 2}}); an invalid "
                        + "value is refused naming it and nothing changes. Changes the scheduler: refused unless the "
                        + "server allows changes.",
                "{\"type\":\"object\",\"properties\":{\"settings\":{\"type\":\"object\",\"minProperties\":1,"
                        + "\"additionalProperties\":{\"type\":[\"string\",\"number\",\"boolean\"]}}},"
                        + "\"required\":[\"settings\"],\"additionalProperties\":false}",
                "{\"type\":\"object\",\"required\":[\"changed\",\"version\"],\"properties\":{\"changed\":{\"type\":\"array\","
                        + "\"items\":{\"type\":\"string\"}},\"version\":{\"type\":\"integer\"}}}", true,
                (a, who) -> {
                    SchedulerClient c = client.get();
                    Map<String, String> values = new LinkedHashMap<>();
                    ((Map<?, ?>) a.get("settings")).forEach((k, v) -> values.put(k.toString(), v.toString()));
                    List<String> changed = c.updateSettings(values, "MCP config_update by " + who);
                    long version = c.settingsVersion();
                    LOG.info("MCP config_update by {}: {} -> changed {} (settings version {})", who, values, changed, version);
                    return new Result(Map.of("changed", changed, "version", version),
                            changed.isEmpty() ? "nothing changed" : "changed " + changed + " (version " + version + ")");
                }));
        tools.add(tool("metrics_collect", "Sample the figures of agents, tenants and queues a few times at an "
                        + "interval (at most 20 samples, 10 s apart), for rates and trends.",
                "{\"type\":\"object\",\"properties\":{\"components\":{\"type\":\"array\",\"items\":{\"type\":\"string\","
                        + "\"enum\":[\"agents\",\"tenants\",\"queues\"]},\"uniqueItems\":true,\"minItems\":1},"
                        + "\"samples\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":20},"
                        + "\"interval_ms\":{\"type\":\"integer\",\"minimum\":10,\"maximum\":10000}},\"additionalProperties\":false}",
                "{\"type\":\"object\",\"required\":[\"samples\"],\"properties\":{\"samples\":{\"type\":\"array\"}}}", false,
                (a, who) -> {
                    List<?> components = a.get("components") == null ? List.of("agents", "tenants", "queues")
                            : (List<?>) a.get("components");
                    int samples = a.get("samples") == null ? 3 : ((Number) a.get("samples")).intValue();
                    long interval = a.get("interval_ms") == null ? 1000 : ((Number) a.get("interval_ms")).longValue();
                    List<Object> out = new ArrayList<>();
                    SchedulerClient c = client.get();
                    for (int k = 0; k < samples; k++) {
                        if (k > 0) {
                            Thread.sleep(interval);
                        }
                        out.add(MetricsSample.of(c.metrics(), components));
                    }
                    return new Result(Map.of("samples", out), samples + " samples " + interval + " ms apart");
                }));
        tools.add(tool("topology_optimize", "Run the topology optimiser's rule now over the newest window of history: "
                        + "add an agent, recalibrate capacities, remove one, or nothing, with the evidence and the model's "
                        + "prediction. A dry run (the default) changes nothing; apply: true makes the change and is refused "
                        + "unless the server allows changes.",
                "{\"type\":\"object\",\"properties\":{\"objective\":{\"type\":\"string\",\"enum\":[\"throughput\","
                        + "\"queue_latency_p99\"],\"description\":\"What to improve (default: the configured one).\"},"
                        + "\"apply\":{\"type\":\"boolean\",\"description\":\"Make the change (default false: a dry run).\"}},"
                        + "\"additionalProperties\":false}",
                "{\"type\":\"object\",\"required\":[\"action\",\"applied\",\"reason\",\"evidence\"]}", Kind.MAY_CHANGE,
                (a, who) -> {
                    boolean apply = Boolean.TRUE.equals(a.get("apply"));
                    if (apply && !allowChanges) {
                        throw OpsException.refused("topology_optimize with apply: true changes the scheduler and this server "
                                + "does not allow changes (start it with --allow-changes); a dry run is allowed", null);
                    }
                    JsonNode d = client.get().optimizeTopology((String) a.get("objective"), apply);
                    if (d.get("applied").asBoolean()) {
                        LOG.info("MCP topology_optimize by {}: {} applied ({})", who, d.get("action").asString(),
                                d.get("reason").asString());
                    }
                    return new Result(d, d.get("action").asString() + (d.get("applied").asBoolean() ? " applied: " : ": ")
                            + d.get("reason").asString());
                }));
        tools.add(tool("scheduler_status", "The scheduler's state (RUNNING, SHUTDOWN, TERMINATED), its agents, its "
                        + "policies and every setting with the configuration version.",
                "{\"type\":\"object\",\"additionalProperties\":false}",
                "{\"type\":\"object\",\"required\":[\"name\",\"state\",\"agentCount\",\"settingsVersion\",\"settings\"]}", false,
                (a, who) -> {
                    SchedulerClient c = client.get();
                    Map<String, Object> s = new LinkedHashMap<>();
                    s.put("name", c.name());
                    s.put("state", c.state());
                    s.put("agentCount", c.attribute("AgentCount"));
                    s.put("maxAgents", c.attribute("MaxAgents"));
                    s.put("completed", c.attribute("Completed"));
                    s.put("queued", c.attribute("Queued"));
                    s.put("utilization", c.attribute("Utilization"));
                    s.put("settingsVersion", c.settingsVersion());
                    s.put("settings", c.settings());
                    return new Result(s, s.get("name") + " " + s.get("state") + ", " + s.get("agentCount") + " agents, settings version "
                            + s.get("settingsVersion"));
                }));
        tools.add(tool("usage_report", "What each tenant consumed over the window: tasks run, run time in seconds "
                        + "(the cost unit measured for every task) and its share of all tenants' run time.",
                "{\"type\":\"object\",\"properties\":{" + WINDOW + "},\"additionalProperties\":false}",
                "{\"type\":\"object\",\"required\":[\"tenants\"],\"properties\":{\"tenants\":{\"type\":\"array\"}}}", false,
                (a, who) -> {
                    JsonNode usage = client.get().usage(window(a));
                    StringBuilder text = new StringBuilder();
                    for (JsonNode t : usage.get("tenants")) {
                        text.append(t.get("tenant").asString()).append(": ").append(t.get("tasks").asLong()).append(" tasks, ")
                                .append(Table.num(t.get("serviceSeconds").asDouble(), 3)).append(" s, ")
                                .append(Table.num(100 * t.get("share").asDouble(), 1)).append(" %\n");
                    }
                    return new Result(usage, text.length() == 0 ? "no tenant ran" : text.toString());
                }));
        return tools;
    }

    /** The current report (text) and configuration (JSON) as readable resources. */
    List<SyncResourceSpecification> resources() {
        return List.of(
                new SyncResourceSpecification(McpSchema.Resource.builder("loadstar://report", "report")
                        .description("The performance report over the last minute").mimeType("text/plain").build(),
                        (ex, req) -> new McpSchema.ReadResourceResult(List.of(new McpSchema.TextResourceContents(
                                req.uri(), "text/plain", client.get().reportText())))),
                new SyncResourceSpecification(McpSchema.Resource.builder("loadstar://config", "config")
                        .description("Every setting by name, with the configuration version").mimeType("application/json")
                        .build(),
                        (ex, req) -> {
                            SchedulerClient c = client.get();
                            Map<String, Object> config = new LinkedHashMap<>();
                            config.put("version", c.settingsVersion());
                            config.put("settings", c.settings());
                            return new McpSchema.ReadResourceResult(List.of(new McpSchema.TextResourceContents(req.uri(),
                                    "application/json", SchedulerClient.JSON.writeValueAsString(config))));
                        }));
    }

    private static long window(Map<String, Object> args) {
        Object w = args.get("window_seconds");
        return w == null ? 60 : ((Number) w).longValue();
    }

    /** What a tool may do to the scheduler. */
    private enum Kind {
        /** Reads only. */
        READS,
        /** Changes it: refused unless changes are allowed. */
        CHANGES,
        /** Changes it when its arguments ask (the call itself checks); annotated as changing. */
        MAY_CHANGE
    }

    private SyncToolSpecification tool(String name, String description, String input, String output, boolean mutating,
                                       Call call) {
        return tool(name, description, input, output, mutating ? Kind.CHANGES : Kind.READS, call);
    }

    private SyncToolSpecification tool(String name, String description, String input, String output, Kind kind,
                                       Call call) {
        boolean reads = kind == Kind.READS;
        McpSchema.Tool tool = McpSchema.Tool.builder(name, mapper, input).description(description)
                .outputSchema(mapper, output)
                .annotations(new McpSchema.ToolAnnotations(null, reads, false, reads, false, null))
                .build();
        return SyncToolSpecification.builder().tool(tool).callHandler((exchange, request) -> {
            if (kind == Kind.CHANGES && !allowChanges) {
                return error(name + " changes the scheduler and this server does not allow changes (start it with "
                        + "--allow-changes)");
            }
            Map<String, Object> args = request.arguments() == null ? Map.of() : request.arguments();
            try {
                Result r = call.call(args, who(exchange));
                return McpSchema.CallToolResult.builder()
                        .structuredContent(SchedulerClient.JSON.convertValue(r.structured(), Map.class))
                        .addTextContent(r.text()).build();
            } catch (OpsException e) {
                return error((e.refused() ? "refused: " : "failed: ") + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return error("interrupted");
            } catch (Exception e) {
                return error("failed: " + e);
            }
        }).build();
    }

    private static McpSchema.CallToolResult error(String message) {
        return McpSchema.CallToolResult.builder().addTextContent(message).isError(true).build();
    }

    /** Who asked: the client's name and version, and the HTTP principal when there is one. */
    private static String who(McpSyncServerExchange exchange) {
        McpSchema.Implementation info = exchange.getClientInfo();
        String client = info == null ? "an unnamed client" : info.name() + " " + info.version();
        Object principal = exchange.transportContext() == null ? null : exchange.transportContext().get("principal");
        String who = client + (principal == null ? "" : " (" + principal + ")") + " [session " + exchange.sessionId() + "]";
        return who.replaceAll("[\\p{Cntrl}\\u0085\\u2028\\u2029]", " ");     // a client's name must not forge log lines
    }
}
