package io.github.loadstar.core.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.loadstar.core.NamedSettings;
import io.github.loadstar.core.Scheduler;
import io.github.loadstar.core.spi.RebalancePolicies;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.management.Attribute;
import javax.management.MBeanServer;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.RuntimeMBeanException;
import javax.management.openmbean.CompositeData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The management bean through the platform MBean server, and from a separate JVM over the JDK's RMI connector. */
@Timeout(120)
final class SchedulerMXBeanTest {

    @Test
    void platformServerReadsWritesInvokesAndUnregistersOnClose() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = SchedulerManagement.objectName("jmx-local");
        Scheduler s = Scheduler.builder().agents(2).maxAgents(3).name("jmx-local").jmx(true).build();
        try {
            CountDownLatch done = new CountDownLatch(300);
            for (int i = 0; i < 300; i++) {
                s.execute(done::countDown);
            }
            assertTrue(done.await(10, TimeUnit.SECONDS));
            assertTrue(server.isRegistered(name));
            assertEquals("jmx-local", server.getAttribute(name, "Name"));
            assertEquals("RUNNING", server.getAttribute(name, "State"));
            assertEquals(2, server.getAttribute(name, "AgentCount"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while ((long) server.getAttribute(name, "Completed") < 300) {     // counted just after each task
                assertTrue(System.nanoTime() - deadline < 0);
                Thread.sleep(1);
            }
            CompositeData[] agents = (CompositeData[]) server.getAttribute(name, "Agents");
            assertEquals(2, agents.length);
            assertEquals(300L, (long) agents[0].get("completed") + (long) agents[1].get("completed"));
            new ObjectMapper().readTree((String) server.getAttribute(name, "ReportJson"));
            com.fasterxml.jackson.databind.JsonNode metrics = new ObjectMapper().readTree(
                    (String) server.getAttribute(name, "MetricsJson"));
            assertEquals(300L, metrics.get("completed").asLong(), metrics.toString());
            assertEquals(2, metrics.get("agents").size());
            assertTrue(metrics.get("agents").get(0).has("cpuNanos") && metrics.get("agents").get(0).has("blocked"));
            com.fasterxml.jackson.databind.JsonNode usage = new ObjectMapper().readTree(
                    (String) server.invoke(name, "usage", new Object[] {60L}, new String[] {"long"}));
            assertTrue(usage.get("tenants").isArray() && usage.get("toSeconds").asDouble() > 0, usage.toString());
            assertTrue(assertThrows(RuntimeMBeanException.class, () -> server.invoke(name, "usage", new Object[] {-1L},
                    new String[] {"long"})).getCause().getMessage().contains("windowSeconds"));
            assertEquals(0, new ObjectMapper().readTree((String) server.invoke(name, "bottlenecksJson", new Object[] {60L},
                    new String[] {"long"})).size());
            assertTrue(java.util.Arrays.asList(System.getProperty(SchedulerManagement.SCHEDULERS_PROPERTY).split(","))
                    .contains("jmx-local"), "listed for tools: " + System.getProperty(SchedulerManagement.SCHEDULERS_PROPERTY));
            assertTrue(((String) server.getAttribute(name, "Report")).contains("throughput"));

            // a write goes through the validated reconfiguration
            server.setAttribute(name, new Attribute("StealBatchLimit", 8));
            assertEquals(8, s.settings().stealBatchLimit());
            assertEquals(2L, server.getAttribute(name, "SettingsVersion"));
            RuntimeMBeanException bad = assertThrows(RuntimeMBeanException.class,
                    () -> server.setAttribute(name, new Attribute("StealBatchLimit", 0)));
            assertTrue(bad.getCause().getMessage().contains("stealBatchLimit"), bad.getCause().getMessage());
            assertEquals(8, s.settings().stealBatchLimit(), "a refused write leaves the settings in force");
            server.setAttribute(name, new Attribute("RebalancePolicy", "threshold:0.3"));
            assertEquals("threshold(0.3)", s.settings().rebalancePolicy().toString());
            bad = assertThrows(RuntimeMBeanException.class,
                    () -> server.setAttribute(name, new Attribute("RebalancePolicy", "sometimes")));
            assertTrue(bad.getCause().getMessage().contains("rebalancePolicy"), bad.getCause().getMessage());
            server.setAttribute(name, new Attribute("RebalanceIntervalMillis", 20L));
            assertEquals(20L, s.settings().rebalanceInterval().toMillis());
            server.setAttribute(name, new Attribute("RebalancePolicy", "off"));
            assertTrue(RebalancePolicies.off() == s.settings().rebalancePolicy());
            // every setting by name: read as a table, written one at a time or several at once
            Map<String, String> settings = table(server.getAttribute(name, "Settings"));
            assertEquals("8", settings.get("stealBatchLimit"));
            assertEquals("20ms", settings.get("rebalanceInterval"));
            long version = s.settings().version();
            server.invoke(name, "setSetting", new Object[] {"stealThreshold", "5"}, new String[] {"java.lang.String", "java.lang.String"});
            assertEquals("threshold:5", NamedSettings.read(s.settings()).get("stealPolicy"));
            String[] changed = (String[]) server.invoke(name, "updateSettings",
                    new Object[] {new String[] {"stealBatchLimit=16", "rebalanceInterval = 250ms"}}, new String[] {"[Ljava.lang.String;"});
            assertEquals(List.of("stealBatchLimit", "rebalanceInterval"), List.of(changed));
            assertEquals(version + 2, s.settings().version());
            for (String[] wrong : new String[][] {{"stealBatchLimit=4", "agingBoost=2"}, {"stealBatchLimit"}, {"a=1", "a=2"}}) {
                bad = assertThrows(RuntimeMBeanException.class, () -> server.invoke(name, "updateSettings",
                        new Object[] {wrong}, new String[] {"[Ljava.lang.String;"}));
                assertTrue(bad.getCause() instanceof IllegalArgumentException, bad.getCause().toString());
                assertEquals(16, s.settings().stealBatchLimit(), "all or nothing: " + List.of(wrong));
            }
            assertTrue(bad.getCause().getMessage().contains("assigned twice"), bad.getCause().getMessage());

            long steals = (long) server.getAttribute(name, "Steals");
            server.invoke(name, "rebalance", new Object[0], new String[0]);     // a round on an idle scheduler: no move
            Thread.sleep(20);
            assertEquals(steals, (long) server.getAttribute(name, "Steals"));
            // an operation runs the analysis: an idle scheduler has no findings
            // topology: add an agent, resize it, drain it
            assertEquals(3, server.getAttribute(name, "MaxAgents"));
            assertEquals(0, ((String[]) server.getAttribute(name, "TopologyDecisions")).length, "the optimiser is off");
            assertEquals("[]", server.getAttribute(name, "TopologyDecisionsJson"));
            assertTrue(assertThrows(RuntimeMBeanException.class, () -> server.invoke(name, "optimizeTopology",
                    new Object[] {"sideways", false}, new String[] {"java.lang.String", "boolean"})).getCause().getMessage()
                    .contains("objective"));
            int added = (int) server.invoke(name, "addAgent", new Object[] {2.0}, new String[] {"double"});
            assertEquals(2, added);
            assertEquals(3, server.getAttribute(name, "AgentCount"));
            server.invoke(name, "setCapacity", new Object[] {added, 4.0}, new String[] {"int", "double"});
            assertEquals(4.0, s.settings().capacities()[added]);
            assertThrows(RuntimeMBeanException.class,
                    () -> server.invoke(name, "setCapacity", new Object[] {added, 0.0}, new String[] {"int", "double"}));
            server.invoke(name, "drainAgent", new Object[] {added}, new String[] {"int"});
            assertEquals(2, server.getAttribute(name, "AgentCount"));
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (s.metrics().agents().get(added).state() != io.github.loadstar.core.metrics.AgentState.REMOVED) {
                assertTrue(System.nanoTime() - until < 0, s.metrics().toString());
                Thread.sleep(2);
            }
            RuntimeMBeanException refused = assertThrows(RuntimeMBeanException.class,
                    () -> server.invoke(name, "drainAgent", new Object[] {7}, new String[] {"int"}));
            assertTrue(refused.getCause().getMessage().contains("agent"), refused.getCause().getMessage());
            String[] findings = (String[]) server.invoke(name, "bottlenecks", new Object[] {60L}, new String[] {"long"});
            assertEquals(0, ((String[]) server.invoke(name, "patterns", new Object[] {60L}, new String[] {"long"})).length,
                    "a short healthy run has no recurring pattern");
            assertEquals(0, findings.length, List.of(findings).toString());
            assertTrue(((String) server.invoke(name, "report", new Object[] {60L}, new String[] {"long"}))
                    .contains("agent"));
        } finally {
            s.close();
        }
        assertFalse(server.isRegistered(name), "close unregisters the bean");
        String listed = System.getProperty(SchedulerManagement.SCHEDULERS_PROPERTY, "");
        assertFalse(java.util.Arrays.asList(listed.split(",")).contains("jmx-local"), "no longer listed: " + listed);
    }

    /**
     * A Java client's typed proxy (JMX.newMXBeanProxy) rebuilds the agent and tenant rows from their
     * composite data. It could not: the rows had no constructor the MXBean machinery could map, and
     * making the proxy threw (found by the operations bad-input table).
     */
    @Test
    void aTypedProxyReadsTheRows() throws Exception {
        try (Scheduler s = Scheduler.builder().agents(2).name("jmx-proxy").jmx(true).build()) {
            s.submit(() -> 1, io.github.loadstar.core.TaskOptions.builder().tenant("gold", 2).build()).get();
            SchedulerMXBean proxy = javax.management.JMX.newMXBeanProxy(ManagementFactory.getPlatformMBeanServer(),
                    SchedulerManagement.objectName("jmx-proxy"), SchedulerMXBean.class);
            AgentRow[] agents = proxy.getAgents();
            assertEquals(2, agents.length);
            assertEquals(1, agents[1].getIndex());
            assertEquals(1.0, agents[0].getCapacity());
            assertEquals("local", agents[0].getLocation());
            assertEquals(1.0, agents[0].getSpeed(), "a local agent's speed");
            assertEquals(0.0, agents[0].getRoundTripMillis(), "a local agent has no round trip");
            TenantRow[] tenants = proxy.getTenants();
            assertEquals(1, tenants.length);
            assertEquals("gold", tenants[0].getTenant());
            assertEquals(2.0, tenants[0].getWeight());
            assertEquals(1, tenants[0].getCompleted());
        }
    }

    @Test
    void twoSchedulersOfOneNameAreRefused() throws Exception {
        try (Scheduler first = Scheduler.builder().agents(1).name("jmx-twice").jmx(true).build()) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Scheduler.builder().agents(1).name("jmx-twice").jmx(true).build());
            assertTrue(e.getMessage().contains("jmx-twice"), e.getMessage());
            assertTrue(ManagementFactory.getPlatformMBeanServer().isRegistered(SchedulerManagement.objectName("jmx-twice")),
                    "the first keeps its bean");
        }
    }

    /** A separate JVM runs the scheduler and the JDK's RMI connector; this one reads, writes and invokes over it. */
    @Test
    void aRemoteClientNeedsNoLoadstarClasses() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                JmxChild.class.getName()).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String url = null;
            String line;
            StringBuilder seen = new StringBuilder();
            while ((line = out.readLine()) != null) {
                seen.append(line).append('\n');
                if (line.startsWith("READY ")) {
                    url = line.substring("READY ".length());
                    break;
                }
            }
            assertTrue(url != null, "the child did not start:\n" + seen);
            try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(url))) {
                MBeanServerConnection remote = connector.getMBeanServerConnection();
                ObjectName name = SchedulerManagement.objectName("remote");
                assertEquals("remote", remote.getAttribute(name, "Name"));
                assertEquals(500L, remote.getAttribute(name, "Completed"));
                CompositeData[] agents = (CompositeData[]) remote.getAttribute(name, "Agents");
                assertEquals(2, agents.length);
                remote.setAttribute(name, new Attribute("StealBatchLimit", 4));
                assertEquals(4, remote.getAttribute(name, "StealBatchLimit"));
                assertEquals(2L, remote.getAttribute(name, "SettingsVersion"));
                String[] changed = (String[]) remote.invoke(name, "updateSettings",
                        new Object[] {new String[] {"stealThreshold=5", "placementPolicy=round-robin"}},
                        new String[] {"[Ljava.lang.String;"});
                assertEquals(List.of("stealPolicy", "placementPolicy"), List.of(changed));
                Map<String, String> settings = table(remote.getAttribute(name, "Settings"));
                assertEquals("threshold:5", settings.get("stealPolicy"));
                assertEquals("round-robin", settings.get("placementPolicy"));
                assertEquals(3L, remote.getAttribute(name, "SettingsVersion"));
                String[] findings = (String[]) remote.invoke(name, "bottlenecks", new Object[] {60L}, new String[] {"long"});
                assertEquals(0, findings.length);
                assertTrue(((String) remote.getAttribute(name, "ReportJson")).startsWith("{\"scheduler\":\"remote\""));
                // an agent added and drained over the connector
                int added = (int) remote.invoke(name, "addAgent", new Object[] {1.5}, new String[] {"double"});
                assertEquals(3, remote.getAttribute(name, "AgentCount"));
                remote.invoke(name, "drainAgent", new Object[] {added}, new String[] {"int"});
                assertEquals(2, remote.getAttribute(name, "AgentCount"));
            }
            OutputStream in = child.getOutputStream();
            in.write("quit\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child did not exit");
            assertEquals(0, child.exitValue());
        } finally {
            child.destroyForcibly();
        }
    }

    /** A map attribute as an MXBean writes it (a table of key and value rows), back as a map. */
    private static Map<String, String> table(Object attribute) {
        Map<String, String> m = new java.util.TreeMap<>();
        for (Object row : ((javax.management.openmbean.TabularData) attribute).values()) {
            CompositeData r = (CompositeData) row;
            m.put((String) r.get("key"), (String) r.get("value"));
        }
        return m;
    }
}
