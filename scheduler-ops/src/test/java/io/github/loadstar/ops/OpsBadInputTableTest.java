package io.github.loadstar.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.loadstar.core.management.SchedulerMXBean;
import io.github.loadstar.core.management.SchedulerManagement;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.management.JMX;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bad-input table of the operations surfaces (issue 11), against a scheduler in a separate JVM
 * ({@link OpsTarget}): the management bean's writable attributes and operations over a real JMX
 * connection, the {@code loadstar} command line's arguments, and the MCP tools' arguments through
 * the MCP SDK's own client over stdio — null, zero, negative, NaN, infinite, out-of-range, unknown
 * and malformed values. Each row must be refused (an exception, exit code 2, or an MCP error) with a
 * message that names the parameter, and leave the scheduler as it was: the settings and their
 * version, the agents, and agent 0's backlog ({@value OpsTarget#QUEUED} tasks held behind a pinned
 * task). The library's own entry points are core's BadInputTableTest.
 */
final class OpsBadInputTableTest {
    private static final String NAME = "ops-bad-input-target";
    private static TargetJvm target;
    private static JMXConnector jmx;
    private static SchedulerMXBean bean;
    private static McpSyncClient mcp;

    @BeforeAll
    static void start() throws Exception {
        target = TargetJvm.start(NAME);
        jmx = JMXConnectorFactory.connect(new JMXServiceURL(target.jmx));
        bean = JMX.newMXBeanProxy(jmx.getMBeanServerConnection(), SchedulerManagement.objectName(NAME),
                SchedulerMXBean.class);
        List<String> args = List.of("-Xmx256m", "-cp", System.getProperty("java.class.path"), Loadstar.class.getName(),
                "mcp", "--pid", target.pid, "--allow-changes");
        StdioClientTransport transport = new StdioClientTransport(ServerParameters.builder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()).args(args).build(), McpServers.MAPPER);
        transport.setStdErrorHandler(line -> { });
        mcp = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(30)).initializationTimeout(Duration.ofSeconds(30))
                .clientInfo(new McpSchema.Implementation("bad-input-test", "1.0")).build();
        mcp.initialize();
    }

    @AfterAll
    static void stop() throws Exception {
        if (mcp != null) {
            mcp.closeGracefully();
        }
        if (jmx != null) {
            jmx.close();
        }
        if (target != null) {
            target.close();
        }
    }

    /** A call that must be refused; returns what the caller is told. */
    @FunctionalInterface
    interface Refusal {
        String attempt() throws Exception;
    }

    record Row(String surface, String call, String names, Refusal refusal) {
    }

    /** What the scheduler holds that no refused call may change. */
    private static String state() {
        return bean.getSettingsVersion() + " " + bean.getSettings() + " agents " + bean.getAgentCount() + " agent 0 queued "
                + bean.getAgents()[0].getQueued();
    }

    /** A JMX call that must throw: the message of the exception or of the first cause that has one naming it. */
    private static Refusal jmxCall(JmxCall call) {
        return () -> {
            try {
                call.run();
            } catch (Exception e) {
                StringBuilder messages = new StringBuilder();
                for (Throwable t = e; t != null; t = t.getCause()) {
                    messages.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append(" | ");
                }
                return messages.toString();
            }
            return null;
        };
    }

    @FunctionalInterface
    interface JmxCall {
        void run() throws Exception;
    }

    /** A command line that must exit 2 with one line on standard error and nothing on standard output. */
    private static Refusal cli(String... args) {
        return () -> {
            List<String> all = new ArrayList<>(List.of(args));
            all.add("--pid");
            all.add(target.pid);
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = Loadstar.run(new PrintWriter(out), new PrintWriter(err), all.toArray(String[]::new));
            if (code != 2) {
                fail(String.join(" ", args) + ": exit " + code + ", expected 2\n" + out + err);
            }
            assertEquals("", out.toString(), String.join(" ", args) + ": nothing on standard output");
            return err.toString();
        };
    }

    /** An MCP tool call that must end in an error result (or a protocol error). */
    private static Refusal tool(String name, Map<String, Object> arguments) {
        return () -> {
            McpSchema.CallToolResult r;
            try {
                r = mcp.callTool(McpSchema.CallToolRequest.builder(name).arguments(arguments).build());
            } catch (RuntimeException protocolError) {
                return protocolError.getMessage();
            }
            String text = r.content().stream().filter(c -> c instanceof McpSchema.TextContent)
                    .map(c -> ((McpSchema.TextContent) c).text()).collect(Collectors.joining("\n"));
            if (!Boolean.TRUE.equals(r.isError())) {
                fail(name + " " + arguments + " was not refused: " + text);
            }
            return text;
        };
    }

    private static List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        // the management bean: writable attributes and operations
        rows.add(new Row("jmx", "setStealBatchLimit(0)", "stealBatchLimit", jmxCall(() -> bean.setStealBatchLimit(0))));
        rows.add(new Row("jmx", "setStealBatchLimit(-1)", "stealBatchLimit", jmxCall(() -> bean.setStealBatchLimit(-1))));
        rows.add(new Row("jmx", "setStealBatchLimit(MAX)", "stealBatchLimit",
                jmxCall(() -> bean.setStealBatchLimit(Integer.MAX_VALUE))));
        rows.add(new Row("jmx", "setRebalancePolicy(sideways)", "rebalancePolicy",
                jmxCall(() -> bean.setRebalancePolicy("sideways"))));
        rows.add(new Row("jmx", "setRebalancePolicy(null)", "rebalancePolicy", jmxCall(() -> bean.setRebalancePolicy(null))));
        rows.add(new Row("jmx", "setRebalancePolicy(threshold:NaN)", "rebalancePolicy",
                jmxCall(() -> bean.setRebalancePolicy("threshold:NaN"))));
        rows.add(new Row("jmx", "setRebalanceIntervalMillis(0)", "rebalanceInterval",
                jmxCall(() -> bean.setRebalanceIntervalMillis(0))));
        rows.add(new Row("jmx", "setRebalanceIntervalMillis(-5)", "rebalanceInterval",
                jmxCall(() -> bean.setRebalanceIntervalMillis(-5))));
        rows.add(new Row("jmx", "setSetting(noSuchSetting, 1)", "noSuchSetting", jmxCall(() -> bean.setSetting("noSuchSetting", "1"))));
        rows.add(new Row("jmx", "setSetting(stealBatchLimit, abc)", "stealBatchLimit",
                jmxCall(() -> bean.setSetting("stealBatchLimit", "abc"))));
        rows.add(new Row("jmx", "setSetting(null, 1)", "name", jmxCall(() -> bean.setSetting(null, "1"))));
        rows.add(new Row("jmx", "updateSettings([stealBatchLimit=4, noSuchSetting=1])", "noSuchSetting",
                jmxCall(() -> bean.updateSettings(new String[] {"stealBatchLimit=4", "noSuchSetting=1"}))));
        rows.add(new Row("jmx", "updateSettings([stealBatchLimit])", "stealBatchLimit",
                jmxCall(() -> bean.updateSettings(new String[] {"stealBatchLimit"}))));
        rows.add(new Row("jmx", "updateSettings(null)", "assignments", jmxCall(() -> bean.updateSettings(null))));
        rows.add(new Row("jmx", "addAgent(0)", "capacity", jmxCall(() -> bean.addAgent(0))));
        rows.add(new Row("jmx", "addAgent(NaN)", "capacity", jmxCall(() -> bean.addAgent(Double.NaN))));
        rows.add(new Row("jmx", "addAgent(Infinity)", "capacity", jmxCall(() -> bean.addAgent(Double.POSITIVE_INFINITY))));
        rows.add(new Row("jmx", "drainAgent(-1)", "agent", jmxCall(() -> bean.drainAgent(-1))));
        rows.add(new Row("jmx", "drainAgent(99)", "agent", jmxCall(() -> bean.drainAgent(99))));
        rows.add(new Row("jmx", "setCapacity(0, -1)", "capacit", jmxCall(() -> bean.setCapacity(0, -1))));
        rows.add(new Row("jmx", "setCapacity(0, NaN)", "capacit", jmxCall(() -> bean.setCapacity(0, Double.NaN))));
        rows.add(new Row("jmx", "setCapacity(99, 1)", "agent", jmxCall(() -> bean.setCapacity(99, 1))));
        rows.add(new Row("jmx", "report(-1)", "window", jmxCall(() -> bean.report(-1))));
        rows.add(new Row("jmx", "bottlenecks(-1)", "window", jmxCall(() -> bean.bottlenecks(-1))));
        rows.add(new Row("jmx", "bottlenecksJson(-1)", "window", jmxCall(() -> bean.bottlenecksJson(-1))));
        rows.add(new Row("jmx", "patterns(-1)", "window", jmxCall(() -> bean.patterns(-1))));
        rows.add(new Row("jmx", "usage(-1)", "window", jmxCall(() -> bean.usage(-1))));
        rows.add(new Row("jmx", "optimizeTopology(speed, true)", "objective", jmxCall(() -> bean.optimizeTopology("speed", true))));
        // the command line
        rows.add(new Row("cli", "config set stealBatchLimit=0", "stealBatchLimit", cli("config", "set", "stealBatchLimit=0")));
        rows.add(new Row("cli", "config set stealBatchLimit=abc", "stealBatchLimit", cli("config", "set", "stealBatchLimit=abc")));
        rows.add(new Row("cli", "config set noSuchSetting=1", "noSuchSetting", cli("config", "set", "noSuchSetting=1")));
        rows.add(new Row("cli", "config set stealBatchLimit", "stealBatchLimit", cli("config", "set", "stealBatchLimit")));
        rows.add(new Row("cli", "config update (one bad of two)", "noSuchSetting",
                cli("config", "update", "--config", "{\"stealBatchLimit\": 4, \"noSuchSetting\": 1}")));
        rows.add(new Row("cli", "config update (malformed JSON)", "--config", cli("config", "update", "--config", "{stealBatchLimit")));
        rows.add(new Row("cli", "config update (not an object)", "--config", cli("config", "update", "--config", "[1, 2]")));
        rows.add(new Row("cli", "config get noSuchSetting", "noSuchSetting", cli("config", "get", "noSuchSetting")));
        rows.add(new Row("cli", "agent-metrics --agent 9", "--agent", cli("agent-metrics", "--agent", "9")));
        rows.add(new Row("cli", "agent-metrics --agent -1", "--agent", cli("agent-metrics", "--agent", "-1")));
        rows.add(new Row("cli", "report --window -5s", "--window", cli("report", "--window", "-5s")));
        rows.add(new Row("cli", "bottlenecks --window soon", "--window", cli("bottlenecks", "--window", "soon")));
        rows.add(new Row("cli", "load-balance --strategy sideways", "rebalancePolicy", cli("load-balance", "--strategy", "sideways")));
        rows.add(new Row("cli", "metrics-collect --count 0", "--count", cli("metrics-collect", "--count", "0")));
        rows.add(new Row("cli", "metrics-collect --interval soon", "--interval", cli("metrics-collect", "--interval", "soon")));
        rows.add(new Row("cli", "metrics-collect --components nope", "--components", cli("metrics-collect", "--components", "nope")));
        rows.add(new Row("cli", "topology --optimize --objective speed", "--objective",
                cli("topology", "--optimize", "--objective", "speed")));
        // the MCP tools (a server started with --allow-changes: the refusals are the arguments')
        rows.add(new Row("mcp", "performance_report window_seconds -1", "window_seconds",
                tool("performance_report", Map.of("window_seconds", -1))));
        rows.add(new Row("mcp", "performance_report window_seconds \"soon\"", "window_seconds",
                tool("performance_report", Map.of("window_seconds", "soon"))));
        rows.add(new Row("mcp", "agent_metrics agent_id 99", "agent_id", tool("agent_metrics", Map.of("agent_id", 99))));
        rows.add(new Row("mcp", "agent_metrics agent_id -1", "agent_id", tool("agent_metrics", Map.of("agent_id", -1))));
        rows.add(new Row("mcp", "load_balance strategy sideways", "strateg", tool("load_balance", Map.of("strategy", "sideways"))));
        rows.add(new Row("mcp", "config_update {stealBatchLimit: 0}", "stealBatchLimit",
                tool("config_update", Map.of("settings", Map.of("stealBatchLimit", 0)))));
        rows.add(new Row("mcp", "config_update {stealBatchLimit: 4, noSuchSetting: 1}", "noSuchSetting",
                tool("config_update", Map.of("settings", Map.of("stealBatchLimit", 4, "noSuchSetting", 1)))));
        rows.add(new Row("mcp", "config_update without settings", "settings", tool("config_update", Map.of())));
        rows.add(new Row("mcp", "metrics_collect samples 0", "samples", tool("metrics_collect", Map.of("samples", 0))));
        rows.add(new Row("mcp", "metrics_collect interval_ms -5", "interval_ms", tool("metrics_collect", Map.of("interval_ms", -5))));
        rows.add(new Row("mcp", "metrics_collect components [nope]", "components",
                tool("metrics_collect", Map.of("components", List.of("nope")))));
        rows.add(new Row("mcp", "topology_optimize objective speed", "objective",
                tool("topology_optimize", Map.of("objective", "speed"))));
        rows.add(new Row("mcp", "usage_report window_seconds -1", "window_seconds",
                tool("usage_report", Map.of("window_seconds", -1))));
        return rows;
    }

    @Test
    void everyBadInputIsRefusedByNameAndChangesNothing() throws Exception {
        List<String> problems = new ArrayList<>();
        for (Row row : rows()) {
            String before = state();
            String told;
            try {
                told = row.refusal().attempt();
            } catch (AssertionError e) {
                problems.add(row.surface() + " " + row.call() + ": " + e.getMessage());
                continue;
            }
            String after = state();
            if (told == null) {
                problems.add(row.surface() + " " + row.call() + ": not refused");
            } else if (!told.contains(row.names())) {
                problems.add(row.surface() + " " + row.call() + ": the refusal does not name " + row.names() + ": " + told.trim());
            }
            if (!before.equals(after)) {
                problems.add(row.surface() + " " + row.call() + ": changed the scheduler: " + before + " -> " + after);
            }
        }
        assertTrue(problems.isEmpty(), problems.size() + " of " + rows().size() + " rows failed:\n"
                + String.join("\n", problems));
    }
}
