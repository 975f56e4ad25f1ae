package io.github.loadstar.core.management;

import io.github.loadstar.core.Scheduler;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXServiceURL;

/**
 * The separate JVM of {@link SchedulerMXBeanTest}: a scheduler with its bean registered, 500 tasks
 * run, the JDK's own RMI connector on loopback; prints {@code READY <url>}, exits on a line of input.
 */
public final class JmxChild {
    private JmxChild() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.rmi.server.hostname", "127.0.0.1");
        // no RMI registry: the connector's address carries its stub (service:jmx:rmi://127.0.0.1/stub/...)
        JMXConnectorServer server = JMXConnectorServerFactory.newJMXConnectorServer(
                new JMXServiceURL("service:jmx:rmi://127.0.0.1"), null, ManagementFactory.getPlatformMBeanServer());
        server.start();
        JMXServiceURL url = server.getAddress();
        try (Scheduler s = Scheduler.builder().agents(2).maxAgents(3).name("remote").jmx(true).build()) {
            CountDownLatch done = new CountDownLatch(500);
            for (int i = 0; i < 500; i++) {
                s.execute(done::countDown);
            }
            if (!done.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("tasks did not run");
            }
            System.out.println("READY " + url);
            System.out.flush();
            new BufferedReader(new InputStreamReader(System.in)).readLine();
        } finally {
            server.stop();
        }
        System.exit(0);
    }
}
