package io.github.loadstar.ops;

import com.sun.tools.attach.AttachNotSupportedException;
import io.github.loadstar.core.management.SchedulerManagement;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.management.MBeanServerConnection;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * Which scheduler to operate, as given on the command line: a JVM by process id, by JMX address or
 * by application name (its main class or a scheduler's name), and the scheduler in it when it has
 * several. With no JVM given, the one local JVM that runs Loadstar is taken, if there is exactly one.
 *
 * @param pid       a local JVM's process id, or null
 * @param jmx       a JMX service URL ({@code service:jmx:rmi:///jndi/rmi://host:port/jmxrmi}), or null
 * @param app       part of a local JVM's main class or jar, or a scheduler's name, or null
 * @param scheduler the scheduler's name, or null when the JVM has one
 */
public record Target(String pid, String jmx, String app, String scheduler) {

    private static final String DOMAIN_PATTERN = "io.github.loadstar:type=Scheduler,*";

    /**
     * Connects to the target's JVM and finds the scheduler.
     *
     * @throws OpsException naming what is missing or ambiguous, or why the JVM cannot be reached
     */
    public SchedulerClient connect() {
        int given = (pid != null ? 1 : 0) + (jmx != null ? 1 : 0) + (app != null ? 1 : 0);
        if (given > 1) {
            throw OpsException.refused("give one of --pid, --jmx and --app, not several", null);
        }
        String address;
        String where;
        if (jmx != null) {
            address = jmx;
            where = jmx;
        } else {
            String p = pid != null ? pid : pickPid();
            address = localAddress(p);
            where = "pid " + p;
        }
        JMXConnector connector;
        try {
            connector = JMXConnectorFactory.connect(new JMXServiceURL(address));
        } catch (java.net.MalformedURLException e) {
            throw OpsException.refused("--jmx: not a JMX service URL: " + address, e);
        } catch (IOException | SecurityException e) {
            throw new OpsException("cannot connect to " + where + ": " + root(e), e);
        }
        try {
            MBeanServerConnection connection = connector.getMBeanServerConnection();
            return new SchedulerClient(connector, connection, schedulerName(connection, where));
        } catch (IOException e) {
            close(connector);
            throw new OpsException("lost the connection to " + where + ": " + root(e), e);
        } catch (RuntimeException e) {
            close(connector);
            throw e;
        }
    }

    /** The innermost cause, as "its message" or its class when it has none. */
    static String root(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }

    private static void close(JMXConnector connector) {
        try {
            connector.close();
        } catch (IOException ignored) {
            // closing after a failure: the failure is what the operator needs to see
        }
    }

    private String pickPid() {
        List<LocalJvm> running = new ArrayList<>();
        for (LocalJvm jvm : LocalJvms.list()) {
            if (app != null ? jvm.matches(app) : !jvm.schedulers().isEmpty()) {
                running.add(jvm);
            }
        }
        if (running.size() == 1) {
            return running.get(0).pid();
        }
        String what = app != null ? "--app " + app + " matches" : "no --pid, --jmx or --app given, and";
        if (running.isEmpty()) {
            throw new OpsException(what + (app != null ? " no local JVM" : " no local JVM runs a Loadstar scheduler")
                    + " (loadstar list shows the JVMs)");
        }
        throw OpsException.refused(what + " " + running.size() + " JVMs run Loadstar: "
                + running.stream().map(j -> j.pid() + " " + j.displayName() + " " + j.schedulers())
                        .collect(Collectors.joining("; ")) + " (choose one with --pid)", null);
    }

    private static String localAddress(String pid) {
        if (!pid.chars().allMatch(Character::isDigit) || pid.isEmpty()) {
            throw OpsException.refused("--pid: not a process id: " + pid, null);
        }
        try {
            return LocalJvms.localJmxAddress(pid);
        } catch (IOException | AttachNotSupportedException | SecurityException e) {
            throw new OpsException("cannot attach to pid " + pid + " (it must be a running JVM of the same OS user): "
                    + root(e), e);
        }
    }

    private ObjectName schedulerName(MBeanServerConnection connection, String where) throws IOException {
        if (scheduler != null) {
            ObjectName name = SchedulerManagement.objectName(scheduler);
            if (!connection.isRegistered(name)) {
                throw OpsException.refused("--scheduler: no scheduler named " + scheduler + " at " + where
                        + "; it has " + names(connection), null);
            }
            return name;
        }
        Set<ObjectName> all = connection.queryNames(pattern(), null);
        if (all.size() == 1) {
            return all.iterator().next();
        }
        if (all.isEmpty()) {
            throw new OpsException("no Loadstar scheduler is registered in JMX at " + where
                    + " (build it with jmx(true))");
        }
        throw OpsException.refused(where + " has " + all.size() + " schedulers: " + names(connection)
                + " (choose one with --scheduler)", null);
    }

    private static List<String> names(MBeanServerConnection connection) throws IOException {
        return connection.queryNames(pattern(), null).stream().map(n -> ObjectName.unquote(n.getKeyProperty("name")))
                .sorted().collect(Collectors.toList());
    }

    private static ObjectName pattern() {
        try {
            return new ObjectName(DOMAIN_PATTERN);
        } catch (MalformedObjectNameException e) {
            throw new IllegalStateException(e);
        }
    }
}
