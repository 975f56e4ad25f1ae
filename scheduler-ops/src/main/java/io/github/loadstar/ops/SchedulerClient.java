package io.github.loadstar.ops;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.management.JMException;
import javax.management.MBeanException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.RuntimeMBeanException;
import javax.management.RuntimeOperationsException;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import javax.management.remote.JMXConnector;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/*
 * One scheduler's management bean (SchedulerMXBean), reached through a JMX connection and read as
 * open types — attributes and operations by name, rows as CompositeData, JSON as text — so the tool
 * needs none of the target's classes and works across Loadstar versions that keep the names. An
 * IllegalArgumentException thrown by the bean (an invalid value; the bean changed nothing) becomes a
 * refused OpsException with the bean's message; anything else from JMX an OpsException saying the
 * connection failed.
 */

/** A scheduler's management bean over JMX; see the overview in the source. Closing it closes the connection. */
public final class SchedulerClient implements AutoCloseable {
    static final JsonMapper JSON = JsonMapper.shared();

    private final JMXConnector connector;
    private final MBeanServerConnection connection;
    private final ObjectName name;

    SchedulerClient(JMXConnector connector, MBeanServerConnection connection, ObjectName name) {
        this.connector = connector;
        this.connection = connection;
        this.name = name;
    }

    /** The scheduler's name. */
    public String name() {
        return (String) attribute("Name");
    }

    public Object attribute(String attribute) {
        try {
            return connection.getAttribute(name, attribute);
        } catch (JMException | IOException | RuntimeException e) {
            throw translate("reading " + attribute, e);
        }
    }

    public Object invoke(String operation, Object[] args, String[] signature) {
        try {
            return connection.invoke(name, operation, args, signature);
        } catch (JMException | IOException | RuntimeException e) {
            throw translate(operation, e);
        }
    }

    private OpsException translate(String what, Exception e) {
        Throwable cause = e;
        while ((cause instanceof RuntimeMBeanException || cause instanceof MBeanException
                || cause instanceof RuntimeOperationsException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof IllegalArgumentException) {
            return OpsException.refused(cause.getMessage(), e);
        }
        if (cause instanceof IllegalStateException) {
            return new OpsException(cause.getMessage(), e);
        }
        return new OpsException(what + " on scheduler " + ObjectName.unquote(name.getKeyProperty("name")) + " failed: "
                + cause, e);
    }

    /** The state: RUNNING, SHUTDOWN or TERMINATED. */
    public String state() {
        return (String) attribute("State");
    }

    /**
     * The agent rows (index, state, capacity, queued, completed, utilization, breaker, location, inFlight,
     * roundTripMillis, speed, memberRunning, memberCpuLoad, probeMillis, probesUnanswered).
     */
    public List<Map<String, Object>> agents() {
        return rows((CompositeData[]) attribute("Agents"));
    }

    private static List<Map<String, Object>> rows(CompositeData[] data) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (CompositeData d : data) {
            Map<String, Object> row = new LinkedHashMap<>();
            for (String key : d.getCompositeType().keySet()) {
                row.put(key, d.get(key));
            }
            out.add(row);
        }
        return out;
    }

    /** The snapshot of the figures now, parsed (SchedulerMetrics.toJson). */
    public JsonNode metrics() {
        return JSON.readTree((String) attribute("MetricsJson"));
    }

    /** The report over the last minute: text. */
    public String reportText() {
        return (String) attribute("Report");
    }

    /** The report over the last minute, parsed. */
    public JsonNode reportJson() {
        return JSON.readTree((String) attribute("ReportJson"));
    }

    /** The detailed report over the newest {@code windowSeconds}. */
    public String reportDetailed(long windowSeconds) {
        return (String) invoke("report", new Object[] {windowSeconds}, new String[] {"long"});
    }

    /** The bottleneck findings over the newest {@code windowSeconds}, parsed (an array). */
    public JsonNode bottlenecks(long windowSeconds) {
        return JSON.readTree((String) invoke("bottlenecksJson", new Object[] {windowSeconds}, new String[] {"long"}));
    }

    /** What each tenant consumed over the newest {@code windowSeconds}, parsed. */
    public JsonNode usage(long windowSeconds) {
        return JSON.readTree((String) invoke("usage", new Object[] {windowSeconds}, new String[] {"long"}));
    }

    /** Runs one rebalancing round now. */
    public void rebalance() {
        invoke("rebalance", new Object[0], new String[0]);
    }

    /** The rebalancing policy ({@code off}, {@code threshold:<t>}, {@code adaptive:<t>}). */
    public String rebalancePolicy() {
        return (String) attribute("RebalancePolicy");
    }

    /** The topology optimiser's decisions, oldest first, parsed (an array). */
    public JsonNode topologyDecisionsJson() {
        return JSON.readTree((String) attribute("TopologyDecisionsJson"));
    }

    /**
     * Runs the topology optimiser's rule now.
     *
     * @param objective {@code throughput}, {@code queue_latency_p99}, or null for the configured one
     * @param apply     false: a dry run
     * @return the decision, parsed
     * @throws OpsException refused for a bad objective; failed (exit 1) when the decision cannot be made
     */
    public JsonNode optimizeTopology(String objective, boolean apply) {
        return JSON.readTree((String) invoke("optimizeTopology", new Object[] {objective == null ? "" : objective, apply},
                new String[] {String.class.getName(), "boolean"}));
    }

    /** The settings' version. */
    public long settingsVersion() {
        return (Long) attribute("SettingsVersion");
    }

    /** Every setting by name, in name order. */
    public Map<String, String> settings() {
        TabularData table = (TabularData) attribute("Settings");
        Map<String, String> out = new java.util.TreeMap<>();
        for (Object row : table.values()) {
            CompositeData d = (CompositeData) row;
            out.put((String) d.get("key"), (String) d.get("value"));
        }
        return out;
    }

    /**
     * Sets settings by name, all or nothing; the scheduler logs the change once, with {@code actor}
     * as who asked.
     *
     * @return the names of the settings that changed
     * @throws OpsException refused, naming the first bad assignment, if the scheduler refuses any
     */
    public List<String> updateSettings(Map<String, String> values, String actor) {
        String[] assignments = values.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toArray(String[]::new);
        String who = actor.length() <= 200 ? actor : actor.substring(0, 199) + "…";
        return List.of((String[]) invoke("updateSettingsAs", new Object[] {assignments, who},
                new String[] {String[].class.getName(), String.class.getName()}));
    }

    /** Who this process is, for the scheduler's log: {@code what} (user U on host H, pid P). */
    static String actor(String what) {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "unknown host";
        }
        return what + " (user " + System.getProperty("user.name") + " on " + host + ", pid " + ProcessHandle.current().pid() + ")";
    }

    /** Whether the connection still answers (one round trip). */
    public boolean alive() {
        try {
            return connection.isRegistered(name);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        if (connector == null) {
            return;     // in-process: the platform server is not ours to close
        }
        try {
            connector.close();
        } catch (IOException e) {
            // the connection is gone either way
        }
    }
}
