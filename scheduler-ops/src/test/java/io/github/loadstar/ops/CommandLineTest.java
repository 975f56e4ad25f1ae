package io.github.loadstar.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

/**
 * The {@code loadstar} command line against a scheduler in a separate JVM ({@link OpsTarget}),
 * reached through the Attach API by pid (and once by JMX address): every command's JSON output
 * checked against what that scheduler is known to hold, settings changed and read back, refused
 * changes exiting 2 with nothing changed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
final class CommandLineTest {
    private static final String NAME = "ops-cli-target";
    private static TargetJvm target;

    record Run(int code, String out, String err) {
        JsonNode json() {
            return SchedulerClient.JSON.readTree(out);
        }

        @Override
        public String toString() {
            return "exit " + code + "\n--- out\n" + out + "--- err\n" + err;
        }
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Loadstar.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString());
    }

    /** {@code args} then {@code --pid <target>}. */
    static Run on(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--pid");
        all.add(target.pid);
        return run(all.toArray(String[]::new));
    }

    static Run ok(String... args) {
        Run r = on(args);
        assertEquals(0, r.code(), () -> String.join(" ", args) + ": " + r);
        return r;
    }

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

    @Test
    @Order(1)
    void listFindsTheTargetByPidWithItsScheduler() {
        Run r = run("list", "--format", "json");
        assertEquals(0, r.code(), r.toString());
        boolean found = false;
        for (JsonNode jvm : r.json()) {
            if (jvm.get("pid").asString().equals(target.pid)) {
                found = true;
                assertEquals(NAME, jvm.get("schedulers").get(0).asString(), r.toString());
                assertTrue(jvm.get("displayName").asString().contains(OpsTarget.class.getName()), r.toString());
            }
        }
        assertTrue(found, "pid " + target.pid + " not listed: " + r);
        Run text = run("list");
        assertTrue(text.out().lines().anyMatch(l -> l.trim().startsWith(target.pid) && l.contains(NAME)), text.toString());
        assertTrue(text.out().lines().allMatch(l -> l.length() <= 80), text.toString());
    }

    @Test
    @Order(2)
    void agentsShowAgentZeroHeldWithItsBacklog() {
        JsonNode agents = ok("agents", "--format", "json").json();
        assertEquals(3, agents.size(), agents.toString());
        JsonNode zero = agents.get(0);
        assertEquals(0, zero.get("index").asInt());
        assertEquals(OpsTarget.QUEUED, zero.get("queued").asLong(), "agent 0's backlog: " + agents);
        assertEquals("RUNNING", zero.get("state").asString(), agents.toString());
        assertEquals("local", zero.get("location").asString(), agents.toString());
        Run text = ok("agents");
        assertTrue(text.out().lines().skip(1).allMatch(l -> l.endsWith("local")), text.toString());
        assertTrue(text.out().startsWith("AGENT"), text.toString());
        assertEquals(4, text.out().lines().count(), text.toString());
        assertTrue(text.out().lines().allMatch(l -> l.length() <= 80), text.toString());
    }

    @Test
    @Order(3)
    void agentMetricsMatchTheAgentRowsAndRefuseAnUnknownAgent() {
        JsonNode rows = ok("agents", "--format", "json").json();
        JsonNode zero = ok("agent-metrics", "--agent", "0", "--format", "json").json();
        assertEquals(rows.get(0).get("completed").asLong(), zero.get("completed").asLong(), "agent 0 runs nothing new");
        assertEquals(OpsTarget.QUEUED, zero.get("queued").asLong());
        assertTrue(zero.get("running").asBoolean(), zero.toString());
        JsonNode all = ok("agent-metrics", "--format", "json").json();
        assertEquals(3, all.size());
        assertTrue(all.get(1).get("completed").asLong() > 0, "agent 1 runs the feeder's tasks: " + all);
        Run bad = on("agent-metrics", "--agent", "9");
        assertEquals(2, bad.code(), bad.toString());
        assertTrue(bad.err().contains("--agent: no agent 9") && bad.err().lines().count() == 1, bad.toString());
        assertEquals("", bad.out());
    }

    @Test
    @Order(4)
    void theReportAndTheBottlenecksAreTheSchedulersOwn() {
        JsonNode report = ok("report", "--format", "json").json();
        assertEquals(NAME, report.get("scheduler").asString(), report.toString());
        JsonNode tenants = report.get("now").get("tenants");
        long alpha = -1;
        long beta = -1;
        for (JsonNode t : tenants) {
            if (t.get("tenant").asString().equals("alpha")) {
                alpha = t.get("completed").asLong();
            } else if (t.get("tenant").asString().equals("beta")) {
                beta = t.get("completed").asLong();
            }
        }
        assertEquals(OpsTarget.TENANT_TASKS, alpha, tenants.toString());
        assertEquals(OpsTarget.TENANT_TASKS, beta, tenants.toString());
        Run text = ok("report");
        assertTrue(text.out().contains(NAME) && text.out().contains("queue latency"), text.toString());
        assertTrue(text.out().lines().allMatch(l -> l.length() <= 80), "wrapped to 80 columns: " + text);
        Run detailed = ok("report", "--format", "detailed", "--window", "5s");
        assertTrue(detailed.out().contains(NAME), detailed.toString());
        assertTrue(detailed.out().lines().allMatch(l -> l.length() <= 80), "wrapped to 80 columns: " + detailed);
        JsonNode findings = ok("bottlenecks", "--format", "json").json();
        assertTrue(findings.isArray(), findings.toString());
        for (JsonNode f : findings) {
            assertFalse(f.get("evidence").isEmpty(), "a finding carries its evidence: " + f);
        }
        for (JsonNode f : ok("bottlenecks", "--component", "agents", "--format", "json").json()) {
            assertTrue(f.get("component").asString().startsWith("agents"), f.toString());
        }
        assertTrue(ok("bottlenecks").out().lines().allMatch(l -> l.length() <= 80), "wrapped to 80 columns");
        assertTrue(ok("agent-metrics").out().lines().allMatch(l -> l.length() <= 80));
        Run bad = on("bottlenecks", "--component", "disks");
        assertEquals(2, bad.code(), bad.toString());
    }

    @Test
    @Order(5)
    void settingsAreChangedAndReadBackAndARefusedChangeChangesNothing() throws Exception {
        JsonNode before = ok("config", "get", "--format", "json").json();
        long version = before.get("version").asLong();
        assertTrue(before.get("settings").has("stealBatchLimit"), before.toString());

        ok("config", "set", "stealBatchLimit=8");
        String log = target.log();
        assertTrue(log.contains("reconfigured to version " + (version + 1) + " by loadstar config (user "
                + System.getProperty("user.name") + " on "), "the change is logged once with who asked: " + log);
        JsonNode after = ok("config", "get", "stealBatchLimit", "--format", "json").json();
        assertEquals("8", after.get("settings").get("stealBatchLimit").asString(), after.toString());
        assertEquals(version + 1, after.get("version").asLong());

        Run refused = on("config", "set", "stealBatchLimit=0");
        assertEquals(2, refused.code(), refused.toString());
        assertTrue(refused.err().contains("stealBatchLimit"), refused.toString());
        Run refusedPair = on("config", "update", "--config", "{\"stealBatchLimit\": 4, \"noSuchSetting\": 1}");
        assertEquals(2, refusedPair.code(), refusedPair.toString());
        assertTrue(refusedPair.err().contains("noSuchSetting"), refusedPair.toString());
        JsonNode unchanged = ok("config", "get", "--format", "json").json();
        assertEquals("8", unchanged.get("settings").get("stealBatchLimit").asString(), "all or nothing: " + unchanged);
        assertEquals(version + 1, unchanged.get("version").asLong(), "nothing changed: " + unchanged);

        ok("config", "update", "--config", "{\"stealBatchLimit\": 4}");
        assertEquals("4", ok("config", "get", "--format", "json").json().get("settings").get("stealBatchLimit").asString());
        Run notJson = on("config", "update", "--config", "{stealBatchLimit");
        assertEquals(2, notJson.code(), notJson.toString());
        Run unknown = on("config", "get", "noSuchSetting");
        assertEquals(2, unknown.code(), unknown.toString());
    }

    @Test
    @Order(6)
    void metricsCollectPrintsOneRowPerSample() {
        Run csv = ok("metrics-collect", "--components", "queues", "--interval", "100ms", "--count", "3");
        List<String> lines = csv.out().lines().toList();
        assertEquals(4, lines.size(), csv.toString());
        assertTrue(lines.get(0).startsWith("time_s,component,id"), csv.toString());
        int columns = lines.get(0).split(",", -1).length;
        for (String l : lines.subList(1, 4)) {
            assertTrue(l.contains(",queues,all,"), csv.toString());
            assertEquals(columns, l.split(",", -1).length, l);
        }
        Run json = ok("metrics-collect", "--components", "agents,tenants", "--interval", "100ms", "--count", "3",
                "--format", "json");
        List<String> samples = json.out().lines().toList();
        assertEquals(3, samples.size(), json.toString());
        double last = -1;
        for (String s : samples) {
            JsonNode n = SchedulerClient.JSON.readTree(s);
            assertEquals(3, n.get("agents").size());
            assertTrue(n.get("time_s").asDouble() > last);
            last = n.get("time_s").asDouble();
            assertFalse(n.has("queues"));
        }
        Run agents = ok("metrics-collect", "--components", "agents", "--interval", "100ms", "--count", "2");
        assertEquals(1 + 2 * 3, agents.out().lines().count(), agents.toString());
        assertEquals(2, on("metrics-collect", "--count", "0").code());
        assertEquals(2, on("metrics-collect", "--interval", "soon").code());
    }

    @Test
    @Order(6)
    void watchDrawsFramesThatFitEightyColumns() {
        Run r = ok("watch", "--count", "2", "--interval", "100ms");
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.stream().allMatch(l -> l.length() <= 80), r.toString());
        assertEquals(2, lines.stream().filter(l -> l.startsWith(NAME + "  RUNNING")).count(), "two frames: " + r);
        List<String> agentZero = lines.stream().filter(l -> l.startsWith("    0 ")).toList();
        assertEquals(2, agentZero.size(), r.toString());
        assertTrue(agentZero.get(0).contains("######## " + OpsTarget.QUEUED + " "), "agent 0's bar is full: " + r);
        assertFalse(r.out().contains("\033["), "no terminal control codes when not on a terminal");
    }

    @Test
    @Order(6)
    void topologyDryRunPredictsAndChangesNothing() {
        Run none = ok("topology");
        assertTrue(none.out().startsWith("no topology decision yet"), none.toString());
        JsonNode dry = ok("topology", "--optimize", "--dry-run", "--objective", "throughput", "--format", "json").json();
        assertFalse(dry.get("applied").asBoolean(), dry.toString());
        assertTrue(dry.get("reason").asString().startsWith("dry run"), dry.toString());
        assertEquals(3, dry.get("agentsBefore").asInt(), dry.toString());
        assertTrue(dry.get("evidence").has("arrivalsPerSecond"), dry.toString());
        assertEquals(3, ok("agents", "--format", "json").json().size(), "a dry run changes nothing");
        assertEquals(0, ok("topology", "--format", "json").json().size(), "nor is it kept");
        Run text = ok("topology", "--optimize", "--dry-run", "--objective", "throughput");
        assertTrue(text.out().contains("reason:   dry run") && text.out().lines().allMatch(l -> l.length() <= 80),
                text.toString());
        Run noObjective = on("topology", "--optimize", "--dry-run");
        assertEquals(1, noObjective.code(), noObjective.toString());
        assertTrue(noObjective.err().contains("topology.objective"), noObjective.toString());
        assertEquals(2, on("topology", "--dry-run").code());
        assertEquals(2, on("topology", "--optimize", "--objective", "speed").code());
    }

    @Test
    @Order(7)
    void theJmxAddressReachesTheSameScheduler() {
        Run r = run("agents", "--format", "json", "--jmx", target.jmx);
        assertEquals(0, r.code(), r.toString());
        assertEquals(OpsTarget.QUEUED, r.json().get(0).get("queued").asLong());
        Run wrongName = run("agents", "--jmx", target.jmx, "--scheduler", "nope");
        assertEquals(2, wrongName.code(), wrongName.toString());
        assertTrue(wrongName.err().contains(NAME), "the refusal lists the schedulers there: " + wrongName);
        Run byName = run("agents", "--format", "json", "--app", NAME);
        assertEquals(0, byName.code(), byName.toString());
        assertEquals(3, byName.json().size());
        Run byMain = run("agents", "--format", "json", "--app", OpsTarget.class.getSimpleName());
        assertEquals(0, byMain.code(), byMain.toString());
        Run noSuchApp = run("agents", "--app", "no-such-application");
        assertEquals(1, noSuchApp.code(), noSuchApp.toString());
        assertTrue(noSuchApp.err().contains("matches no local JVM"), noSuchApp.toString());
        Run both = run("agents", "--jmx", target.jmx, "--pid", target.pid);
        assertEquals(2, both.code(), both.toString());
        Run unreachable = run("agents", "--jmx", "service:jmx:rmi:///jndi/rmi://127.0.0.1:1/jmxrmi");
        assertEquals(1, unreachable.code(), unreachable.toString());
        assertEquals(1, unreachable.err().lines().count(), "one line, no stack trace: " + unreachable);
    }

    @Test
    @Order(8)
    void aRebalancingPassMovesAgentZerosBacklogAndSaysWhatMoved() {
        JsonNode result = ok("load-balance", "--now", "--wait", "3s", "--format", "json").json();
        assertEquals("off", result.get("rebalancePolicy").asString(), "a pass with rebalancing off: " + result);
        long moved = result.get("migrated").asLong();
        assertTrue(moved > 0, "a pass moved part of agent 0's backlog: " + result);
        JsonNode zero = result.get("agents").get(0);
        assertEquals(OpsTarget.QUEUED, zero.get("queuedBefore").asLong(), result.toString());
        assertEquals(OpsTarget.QUEUED - moved, zero.get("queuedAfter").asLong(), result.toString());
        assertEquals(moved, zero.get("migratedOut").asLong(), result.toString());
        assertEquals(moved, result.get("agents").get(1).get("migratedIn").asLong()
                + result.get("agents").get(2).get("migratedIn").asLong(), result.toString());

        Run set = ok("load-balance", "--strategy", "adaptive:0.3");
        assertTrue(set.out().startsWith("rebalancing strategy set: adaptive:0.3"), set.toString());
        Run text = ok("load-balance");
        assertTrue(text.out().startsWith("rebalancing strategy: adaptive:0.3"), text.toString());
        Run bad = on("load-balance", "--strategy", "sideways");
        assertEquals(2, bad.code(), bad.toString());
        assertTrue(bad.err().contains("rebalancePolicy"), bad.toString());
        assertTrue(ok("load-balance").out().startsWith("rebalancing strategy: adaptive:0.3"), "unchanged after a refusal");
    }

    @Test
    @Order(9)
    void usageErrorsExitTwoWithOneLine() {
        Run none = run();
        assertEquals(2, none.code());
        Run unknown = run("frobnicate");
        assertEquals(2, unknown.code(), unknown.toString());
        Run help = run("agents", "--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("--pid"), help.toString());
        Run notPid = run("agents", "--pid", "abc");
        assertEquals(2, notPid.code(), notPid.toString());
        Run completion = run("generate-completion");
        assertEquals(0, completion.code());
        assertTrue(completion.out().contains("complete -F") && completion.out().contains("metrics-collect"),
                "a bash/zsh completion script with the commands");
    }
}
