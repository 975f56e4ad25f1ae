package io.github.loadstar.core.management;

import io.github.loadstar.core.NamedSettings;
import io.github.loadstar.core.Scheduler;
import io.github.loadstar.core.metrics.Finding;
import io.github.loadstar.core.metrics.SchedulerMetrics;
import io.github.loadstar.core.spi.RebalancePolicies;
import io.github.loadstar.core.spi.RebalancePolicy;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import javax.management.InstanceAlreadyExistsException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/** The {@link SchedulerMXBean} of one scheduler, and its registration in the platform MBean server. */
public final class SchedulerManagement implements SchedulerMXBean {
    private static final Duration REPORT_WINDOW = Duration.ofMinutes(1);

    /**
     * The system property that lists the schedulers registered in this JVM, each name URL-encoded
     * (UTF-8), separated by commas. Tools find the JVMs that run Loadstar by reading it through the
     * Attach API (as {@code jcmd PID VM.system_properties} does), which starts nothing in the target;
     * only the JVM chosen is then asked to start its local JMX agent.
     */
    public static final String SCHEDULERS_PROPERTY = "io.github.loadstar.jmx.schedulers";

    private final Scheduler scheduler;
    private final ObjectName name;

    private SchedulerManagement(Scheduler scheduler, ObjectName name) {
        this.scheduler = scheduler;
        this.name = name;
    }

    /** The object name a scheduler called {@code schedulerName} is registered under. */
    public static ObjectName objectName(String schedulerName) {
        try {
            return new ObjectName("io.github.loadstar", new java.util.Hashtable<>(java.util.Map.of(
                    "type", "Scheduler", "name", ObjectName.quote(schedulerName))));
        } catch (JMException e) {
            throw new IllegalArgumentException("scheduler name " + schedulerName + " makes no JMX object name", e);
        }
    }

    /**
     * Registers {@code scheduler}'s bean in the platform MBean server.
     *
     * @throws IllegalStateException if a bean of that name is registered already (two schedulers of one name)
     */
    public static SchedulerManagement register(Scheduler scheduler) {
        Objects.requireNonNull(scheduler, "scheduler");
        SchedulerManagement bean = new SchedulerManagement(scheduler, objectName(scheduler.name()));
        try {
            synchronized (SCHEDULERS_PROPERTY) {
                ManagementFactory.getPlatformMBeanServer().registerMBean(bean, bean.name);
                listed(scheduler.name(), true);
            }
        } catch (InstanceAlreadyExistsException e) {
            throw new IllegalStateException("a scheduler named " + scheduler.name() + " is registered in JMX already", e);
        } catch (JMException e) {
            throw new IllegalStateException("cannot register scheduler " + scheduler.name() + " in JMX", e);
        }
        return bean;
    }

    /** Unregisters the bean; does nothing if it is not registered. */
    public void unregister() {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        synchronized (SCHEDULERS_PROPERTY) {
            try {
                if (server.isRegistered(name)) {
                    server.unregisterMBean(name);
                }
            } catch (JMException e) {
                // unregistered concurrently: nothing left to do
            }
            listed(scheduler.name(), false);
        }
    }

    /**
     * Adds or removes {@code schedulerName} in {@link #SCHEDULERS_PROPERTY}, read and written back
     * whole (the property is the JVM's, shared by every copy of this class a class loader may hold);
     * called under the lock on the property's name (an interned constant, the same object for every
     * copy).
     */
    private static void listed(String schedulerName, boolean present) {
        String encoded = java.net.URLEncoder.encode(schedulerName, java.nio.charset.StandardCharsets.UTF_8);
        java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>();
        for (String n : System.getProperty(SCHEDULERS_PROPERTY, "").split(",")) {
            if (!n.isEmpty()) {
                names.add(n);
            }
        }
        if (present ? !names.add(encoded) : !names.remove(encoded)) {
            return;
        }
        if (names.isEmpty()) {
            System.clearProperty(SCHEDULERS_PROPERTY);
        } else {
            System.setProperty(SCHEDULERS_PROPERTY, String.join(",", names));
        }
    }

    private SchedulerMetrics m() {
        return scheduler.metrics();
    }

    @Override
    public String getName() {
        return scheduler.name();
    }

    @Override
    public String getState() {
        return scheduler.isTerminated() ? "TERMINATED" : scheduler.isShutdown() ? "SHUTDOWN" : "RUNNING";
    }

    @Override
    public int getAgentCount() {
        return scheduler.settings().agentCount();
    }

    @Override
    public int getMaxAgents() {
        return scheduler.agentCount();
    }

    @Override
    public long getCompleted() {
        return m().completed();
    }

    @Override
    public long getQueued() {
        return m().queued();
    }

    @Override
    public long getSteals() {
        return m().steals();
    }

    @Override
    public long getMigrations() {
        return m().migrations();
    }

    @Override
    public double getUtilization() {
        return m().utilization();
    }

    @Override
    public double getLoadVariance() {
        return m().loadVariance();
    }

    @Override
    public double getTenantFairness() {
        return m().tenantFairness();
    }

    @Override
    public AgentRow[] getAgents() {
        return m().agents().stream().map(AgentRow::of).toArray(AgentRow[]::new);
    }

    @Override
    public TenantRow[] getTenants() {
        return m().tenants().stream().map(TenantRow::of).toArray(TenantRow[]::new);
    }

    @Override
    public String getMetricsJson() {
        return m().toJson();
    }

    @Override
    public String usage(long windowSeconds) {
        return io.github.loadstar.core.metrics.TenantUsage.toJson(scheduler.history(), m(), window(windowSeconds));
    }

    @Override
    public String getReport() {
        return scheduler.report(REPORT_WINDOW).toText();
    }

    @Override
    public String getReportJson() {
        return scheduler.report(REPORT_WINDOW).toJson();
    }

    @Override
    public String report(long windowSeconds) {
        return scheduler.report(window(windowSeconds)).toDetailedText();
    }

    @Override
    public String[] bottlenecks(long windowSeconds) {
        List<Finding> findings = scheduler.bottlenecks(window(windowSeconds));
        return findings.stream().map(f -> f.severity() + " " + f.kind() + " (" + f.component() + "): " + f.evidence()
                + " -> " + f.action()).toArray(String[]::new);
    }

    @Override
    public String bottlenecksJson(long windowSeconds) {
        StringBuilder s = new StringBuilder("[");
        for (Finding f : scheduler.bottlenecks(window(windowSeconds))) {
            s.append(s.length() == 1 ? "" : ",").append(f.toJson());
        }
        return s.append(']').toString();
    }

    @Override
    public String[] patterns(long windowSeconds) {
        return scheduler.history().patterns(window(windowSeconds)).stream().map(Object::toString).toArray(String[]::new);
    }

    private static Duration window(long seconds) {
        if (seconds < 0) {
            throw new IllegalArgumentException("windowSeconds must not be negative: " + seconds);
        }
        return Duration.ofSeconds(seconds);
    }

    @Override
    public void rebalance() {
        scheduler.rebalanceNow();
    }

    @Override
    public int addAgent(double capacity) {
        return scheduler.addAgent(capacity);
    }

    @Override
    public void drainAgent(int agent) {
        scheduler.removeAgent(agent);
    }

    @Override
    public void setCapacity(int agent, double capacity) {
        scheduler.reconfigure(s -> s.withCapacity(agent, capacity));
    }

    @Override
    public String[] getTopologyDecisions() {
        return scheduler.topologyDecisions().stream().map(Object::toString).toArray(String[]::new);
    }

    @Override
    public String getTopologyDecisionsJson() {
        StringBuilder s = new StringBuilder("[");
        for (io.github.loadstar.core.metrics.TopologyDecision d : scheduler.topologyDecisions()) {
            s.append(s.length() == 1 ? "" : ",").append(d.toJson());
        }
        return s.append(']').toString();
    }

    @Override
    public String optimizeTopology(String objective, boolean apply) {
        io.github.loadstar.core.TopologyConfig.Objective o = null;
        if (objective != null && !objective.isBlank()) {
            try {
                o = io.github.loadstar.core.TopologyConfig.Objective.valueOf(
                        objective.trim().replace('-', '_').toUpperCase(java.util.Locale.ROOT));    // the setting's spelling too
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("objective must be throughput or queue_latency_p99: " + objective);
            }
        }
        return scheduler.optimizeTopology(o, apply).toJson();
    }

    @Override
    public long getSettingsVersion() {
        return scheduler.settings().version();
    }

    @Override
    public int getStealBatchLimit() {
        return scheduler.settings().stealBatchLimit();
    }

    @Override
    public void setStealBatchLimit(int limit) {
        scheduler.reconfigure(s -> s.withStealBatchLimit(limit));
    }

    @Override
    public String getRebalancePolicy() {
        return RebalancePolicies.describe(scheduler.settings().rebalancePolicy());
    }

    @Override
    public void setRebalancePolicy(String policy) {
        RebalancePolicy p = RebalancePolicies.byName(policy);
        scheduler.reconfigure(s -> s.withRebalancePolicy(p));
    }

    @Override
    public long getRebalanceIntervalMillis() {
        return scheduler.settings().rebalanceInterval().toMillis();
    }

    @Override
    public void setRebalanceIntervalMillis(long millis) {
        scheduler.reconfigure(s -> s.withRebalanceInterval(Duration.ofMillis(millis)));
    }

    @Override
    public java.util.Map<String, String> getSettings() {
        return NamedSettings.read(scheduler.settings());
    }

    @Override
    public void setSetting(String name, String value) {
        if (name == null || value == null) {
            throw new IllegalArgumentException("setSetting needs a name and a value: " + name + "=" + value);
        }
        scheduler.reconfigure(s -> NamedSettings.apply(s, java.util.Map.of(name, value)));
    }

    @Override
    public String[] updateSettings(String[] assignments) {
        return update(assignments, null);
    }

    @Override
    public String[] updateSettingsAs(String[] assignments, String actor) {
        if (actor == null || actor.isBlank() || actor.length() > 200) {
            throw new IllegalArgumentException("actor must name who asks, in 1 to 200 characters: " + actor);
        }
        return update(assignments, actor.replaceAll("[\\p{Cntrl}\\u0085\\u2028\\u2029]", " "));
    }

    private String[] update(String[] assignments, String actor) {
        if (assignments == null) {
            throw new IllegalArgumentException("updateSettings needs name=value assignments: null");
        }
        java.util.Map<String, String> values = new java.util.LinkedHashMap<>();
        for (String a : assignments) {
            int eq = a == null ? -1 : a.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("not a name=value assignment: " + a);
            }
            String name = a.substring(0, eq).trim();
            if (values.put(name, a.substring(eq + 1).trim()) != null) {
                throw new IllegalArgumentException(name + " is assigned twice");
            }
        }
        java.util.function.UnaryOperator<io.github.loadstar.core.SchedulerSettings> change = s -> NamedSettings.apply(s, values);
        io.github.loadstar.core.SchedulerSettings.Change done = actor != null
                && scheduler instanceof io.github.loadstar.core.internal.LoadstarScheduler
                ? ((io.github.loadstar.core.internal.LoadstarScheduler) scheduler).reconfigure(change, actor)
                : scheduler.reconfigure(change);
        return done.changed().toArray(String[]::new);
    }
}
