package io.github.loadstar.ops;

import io.github.loadstar.core.CoordinatorConfig;
import io.github.loadstar.core.Scheduler;
import io.github.loadstar.core.TaskOptions;
import io.github.loadstar.core.spi.StealPolicies;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXServiceURL;

/**
 * The separate JVM the operations tests drive: a scheduler named by the first argument, with JMX on,
 * in a state whose figures the tests can predict:
 * <ul>
 *   <li>{@value #TENANT_TASKS} tasks of tenant {@code alpha} and as many of {@code beta} have run;</li>
 *   <li>agent 0 is held inside a pinned task, with {@value #QUEUED} movable tasks (no tenant) queued
 *       behind it, so its completed count and backlog stay put until released;</li>
 *   <li>agents 1 and 2 keep running short pinned tasks of tenant {@code feeder}, about 50 queued
 *       each, so they are never empty-handed and never steal agent 0's backlog; a rebalancing pass
 *       moves part of it to them.</li>
 * </ul>
 * Prints {@code READY <pid> <JMX service URL>} (the JDK's own RMI connector on loopback, for
 * {@code --jmx}); {@code release} on standard input lets agent 0 go; end of input ends the JVM.
 */
public final class OpsTarget {
    static final int TENANT_TASKS = 300;
    static final int QUEUED = 600;

    private OpsTarget() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.rmi.server.hostname", "127.0.0.1");
        JMXConnectorServer server = JMXConnectorServerFactory.newJMXConnectorServer(
                new JMXServiceURL("service:jmx:rmi://127.0.0.1"), null, ManagementFactory.getPlatformMBeanServer());
        server.start();
        Scheduler s = Scheduler.builder().name(args[0]).agents(3).maxAgents(4).jmx(true)
                .stealPolicy(StealPolicies.threshold(10_000))
                .coordinator(CoordinatorConfig.builder().historyInterval(Duration.ofMillis(100)).build())
                .build();
        CountDownLatch ran = new CountDownLatch(2 * TENANT_TASKS);
        for (int i = 0; i < TENANT_TASKS; i++) {
            s.execute(ran::countDown, TaskOptions.builder().tenant("alpha", 1).build());
            s.execute(ran::countDown, TaskOptions.builder().tenant("beta", 2).build());
        }
        if (!ran.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the tenants' tasks did not run");
        }
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch holding = new CountDownLatch(1);
        s.execute(() -> {
            holding.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, TaskOptions.builder().pinnedTo(0).build());
        holding.await();
        Thread feeder = new Thread(() -> feed(s), "feeder");
        feeder.setDaemon(true);
        feeder.start();
        // agents 1 and 2 busy with queues of their own before agent 0's backlog exists (idle, they
        // would sweep it up: an idle agent steals from a busy one whatever the steal policy)
        while (s.metrics().agent(1).queued() < 20 || s.metrics().agent(2).queued() < 20) {
            Thread.sleep(5);
        }
        for (int i = 0; i < QUEUED; i++) {
            s.execute(() -> { }, TaskOptions.builder().preferAgent(0).build());
        }
        System.out.println("READY " + ProcessHandle.current().pid() + " " + server.getAddress());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        for (String line; (line = in.readLine()) != null; ) {
            if (line.equals("release")) {
                release.countDown();
            }
        }
        release.countDown();
        s.shutdownNow();
        server.stop();
        System.exit(0);
    }

    /** Keeps about 50 short pinned tasks queued at each of agents 1 and 2 (100 ms of work each). */
    private static void feed(Scheduler s) {
        TaskOptions[] on = {TaskOptions.builder().pinnedTo(1).tenant("feeder", 1).build(),
                TaskOptions.builder().pinnedTo(2).tenant("feeder", 1).build()};
        java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(100);
        for (long k = 0; !s.isShutdown(); k++) {
            try {
                inFlight.acquire();
                s.execute(() -> {
                    try {
                        Thread.sleep(2);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        inFlight.release();
                    }
                }, on[(int) (k & 1)]);
            } catch (InterruptedException | java.util.concurrent.RejectedExecutionException e) {
                return;
            }
        }
    }
}
