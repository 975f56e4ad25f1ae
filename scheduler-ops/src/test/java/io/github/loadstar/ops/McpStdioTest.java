package io.github.loadstar.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code loadstar mcp} as an MCP client runs it: launched as a child process by the SDK's own stdio
 * client transport, attached by pid to a scheduler in a third JVM ({@link OpsTarget}). Every tool is
 * listed with its schemas and called with valid and invalid arguments; the changing tools are
 * refused without {@code --allow-changes} and applied with it.
 */
final class McpStdioTest {
    private static final String NAME = "ops-mcp-target";
    static final Set<String> TOOLS = Set.of("performance_report", "bottleneck_analyze", "agent_list", "agent_metrics",
            "load_balance", "config_update", "metrics_collect", "topology_optimize", "scheduler_status", "usage_report");
    private static TargetJvm target;

    @BeforeAll
    static void startTarget() throws Exception {
        target = TargetJvm.start(NAME);
    }

    @AfterAll
    static void stopTarget() throws Exception {
        if (target != null) {
            target.close();
        }
    }

    private static McpSyncClient client(String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("-Xmx256m", "-cp", System.getProperty("java.class.path"),
                Loadstar.class.getName(), "mcp", "--pid", target.pid));
        args.addAll(List.of(extra));
        ServerParameters params = ServerParameters.builder(Path.of(System.getProperty("java.home"), "bin", "java").toString())
                .args(args).build();
        StdioClientTransport transport = new StdioClientTransport(params, McpServers.MAPPER);
        transport.setStdErrorHandler(line -> System.err.println("[loadstar mcp] " + line));
        McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(30))
                .initializationTimeout(Duration.ofSeconds(30))
                .clientInfo(new McpSchema.Implementation("mcp-stdio-test", "1.0")).build();
        client.initialize();
        return client;
    }

    static McpSchema.CallToolResult call(McpSyncClient c, String tool, Map<String, Object> args) {
        return c.callTool(McpSchema.CallToolRequest.builder(tool).arguments(args).build());
    }

    static String text(McpSchema.CallToolResult r) {
        return r.content().stream().filter(x -> x instanceof McpSchema.TextContent)
                .map(x -> ((McpSchema.TextContent) x).text()).collect(Collectors.joining("\n"));
    }

    static Map<?, ?> ok(McpSyncClient c, String tool, Map<String, Object> args) {
        McpSchema.CallToolResult r = call(c, tool, args);
        assertFalse(Boolean.TRUE.equals(r.isError()), tool + " " + args + ": " + text(r));
        assertNotNull(r.structuredContent(), tool + ": structured content");
        return (Map<?, ?>) r.structuredContent();
    }

    static String refused(McpSyncClient c, String tool, Map<String, Object> args) {
        McpSchema.CallToolResult r = call(c, tool, args);
        assertTrue(Boolean.TRUE.equals(r.isError()), tool + " " + args + " should be refused: " + text(r));
        return text(r);
    }

    /** Every tool with valid and invalid arguments, read-only; the changing ones refused. */
    static void readOnlyToolsWork(McpSyncClient c, String name, boolean busy) {
        Set<String> listed = new TreeSet<>();
        for (McpSchema.Tool t : c.listTools().tools()) {
            listed.add(t.name());
            assertEquals("object", t.inputSchema().get("type"), t.name());
            assertNotNull(t.outputSchema(), t.name() + " has an output schema");
            assertNotNull(t.description(), t.name());
        }
        assertEquals(new TreeSet<>(TOOLS), listed);

        Map<?, ?> status = ok(c, "scheduler_status", Map.of());
        assertEquals(name, status.get("name"));
        assertEquals("RUNNING", status.get("state"));
        assertEquals(3, ((Number) status.get("agentCount")).intValue());
        assertTrue(((Map<?, ?>) status.get("settings")).containsKey("stealBatchLimit"), status.toString());

        Map<?, ?> report = ok(c, "performance_report", Map.of("window_seconds", 30));
        assertEquals(name, report.get("scheduler"));
        assertTrue(((Map<?, ?>) report.get("kpis")).containsKey("throughputPerSecond"), report.toString());
        assertTrue(refused(c, "performance_report", Map.of("window_seconds", 0)).contains("window_seconds"));

        List<?> agents = (List<?>) ok(c, "agent_list", Map.of()).get("agents");
        assertEquals(3, agents.size());
        assertEquals("local", ((Map<?, ?>) agents.get(0)).get("location"), agents.toString());
        List<?> one = (List<?>) ok(c, "agent_metrics", Map.of("agent_id", 1)).get("agents");
        assertEquals(1, one.size());
        assertEquals(1, ((Number) ((Map<?, ?>) one.get(0)).get("index")).intValue());
        assertTrue(refused(c, "agent_metrics", Map.of("agent_id", 9)).contains("no agent 9"));
        assertTrue(refused(c, "agent_metrics", Map.of("agent_id", -1)).contains("agent_id"));
        assertTrue(refused(c, "agent_metrics", Map.of("agent", 1)).contains("agent"), "unknown argument");

        Map<?, ?> findings = ok(c, "bottleneck_analyze", Map.of("component", "agents"));
        for (Object f : (List<?>) findings.get("findings")) {
            assertTrue(((String) ((Map<?, ?>) f).get("component")).startsWith("agents"), f.toString());
        }
        assertTrue(refused(c, "bottleneck_analyze", Map.of("component", "disks")).contains("component"));

        List<?> samples = (List<?>) ok(c, "metrics_collect", Map.of("components", List.of("queues"), "samples", 2,
                "interval_ms", 50)).get("samples");
        assertEquals(2, samples.size());
        assertTrue(((Map<?, ?>) samples.get(0)).containsKey("queues") && !((Map<?, ?>) samples.get(0)).containsKey("agents"));
        assertTrue(refused(c, "metrics_collect", Map.of("samples", 500)).contains("samples"));

        Map<?, ?> usage = ok(c, "usage_report", Map.of("window_seconds", 3600));
        long alpha = ((List<?>) usage.get("tenants")).stream().map(t -> (Map<?, ?>) t)
                .filter(t -> t.get("tenant").equals("alpha")).mapToLong(t -> ((Number) t.get("tasks")).longValue()).sum();
        assertEquals(OpsTarget.TENANT_TASKS, alpha, "alpha's tasks since the start: " + usage);

        if (busy) {
            Map<?, ?> dry = ok(c, "topology_optimize", Map.of("objective", "throughput"));
            assertEquals(Boolean.FALSE, dry.get("applied"), dry.toString());
            assertTrue(((String) dry.get("reason")).startsWith("dry run"), dry.toString());
            assertEquals(3, ((Number) ok(c, "scheduler_status", Map.of()).get("agentCount")).intValue(), "a dry run changes nothing");
        } else {
            assertTrue(refused(c, "topology_optimize", Map.of("objective", "throughput")).contains("nothing ran"),
                    "an idle scheduler has nothing to measure");
        }
        assertTrue(refused(c, "topology_optimize", Map.of("objective", "speed")).contains("objective"));

        McpSchema.ListResourcesResult resources = c.listResources();
        assertEquals(Set.of("loadstar://report", "loadstar://config"),
                resources.resources().stream().map(McpSchema.Resource::uri).collect(Collectors.toSet()));
        McpSchema.ReadResourceResult config = c.readResource(new McpSchema.ReadResourceRequest("loadstar://config"));
        assertTrue(((McpSchema.TextResourceContents) config.contents().get(0)).text().contains("stealBatchLimit"));
    }

    @Test
    void everyToolWorksAndChangesAreRefusedWithoutAllowChanges() {
        try (McpSyncClient c = client()) {
            readOnlyToolsWork(c, NAME, true);
            long version = ((Number) ok(c, "scheduler_status", Map.of()).get("settingsVersion")).longValue();
            assertTrue(refused(c, "config_update", Map.of("settings", Map.of("stealBatchLimit", 8))).contains("--allow-changes"));
            assertTrue(refused(c, "load_balance", Map.of("now", true)).contains("--allow-changes"));
            assertTrue(refused(c, "topology_optimize", Map.of("objective", "throughput", "apply", true))
                    .contains("--allow-changes"));
            assertEquals(version, ((Number) ok(c, "scheduler_status", Map.of()).get("settingsVersion")).longValue(),
                    "nothing changed");
        }
    }

    @Test
    void withAllowChangesTheChangingToolsApplyAllOrNothing() throws Exception {
        try (McpSyncClient c = client("--allow-changes")) {
            Map<?, ?> applied = ok(c, "config_update", Map.of("settings", Map.of("stealBatchLimit", 8)));
            assertEquals(List.of("stealBatchLimit"), applied.get("changed"));
            long version = ((Number) applied.get("version")).longValue();
            String log = target.log();
            assertTrue(log.contains("reconfigured to version " + version + " by MCP config_update by mcp-stdio-test 1.0"),
                    "the scheduler logs the change with the MCP client that asked: " + log);
            Map<?, ?> status = ok(c, "scheduler_status", Map.of());
            assertEquals("8", ((Map<?, ?>) status.get("settings")).get("stealBatchLimit"));
            String refusal = refused(c, "config_update", Map.of("settings", Map.of("stealBatchLimit", 4, "agingBoost", 10)));
            assertTrue(refusal.contains("agingBoost"), refusal);
            assertTrue(refused(c, "config_update", Map.of("settings", Map.of())).contains("settings"));
            status = ok(c, "scheduler_status", Map.of());
            assertEquals("8", ((Map<?, ?>) status.get("settings")).get("stealBatchLimit"), "all or nothing");
            assertEquals(version, ((Number) status.get("settingsVersion")).longValue());

            Map<?, ?> pass = ok(c, "load_balance", Map.of("now", true));
            assertTrue(((Number) pass.get("migrated")).longValue() > 0, "agent 0's backlog moved: " + pass);
            Map<?, ?> strategy = ok(c, "load_balance", Map.of("strategy", "adaptive"));
            assertTrue(((String) strategy.get("rebalancePolicy")).startsWith("adaptive"), strategy.toString());
            assertTrue(refused(c, "load_balance", Map.of("strategy", "sideways")).contains("rebalancePolicy"));
        }
    }
}
