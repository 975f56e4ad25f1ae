package io.github.loadstar.examples;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.map.EntryProcessor;
import io.github.loadstar.core.Scheduler;
import io.github.loadstar.core.TaskOptions;
import io.github.loadstar.core.metrics.AgentMetrics;
import io.github.loadstar.core.metrics.AgentState;
import io.github.loadstar.core.spi.OrderingPolicies;
import io.github.loadstar.hazelcast.LedgerEntry;
import io.github.loadstar.hazelcast.LoopbackWorkers;
import io.github.loadstar.hazelcast.RemoteMembers;
import io.github.loadstar.hazelcast.TaskLedger;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Three Hazelcast worker processes on this machine as remote agents of one scheduler: 600 tasks from
 * three tenants under CFS; a third of the way through, one worker is killed with {@code kill -9};
 * the demo prints what happened — who ran what, when the dead member's agent stopped being sent work,
 * how long until every task was done, whether any task was lost or any outcome recorded twice, and
 * which bodies ran twice (the one the dead member was running, if any).
 *
 * <p>The workers are started from this JVM's class path (their task class must be on every member's
 * class path), so run it from the class path:
 * <pre>{@code
 * mvn -q -pl scheduler-examples -am -DskipTests package
 * java -cp "scheduler-examples/target/classes:$(cat scheduler-examples/target/runtime-classpath.txt)" \
 *      --add-opens java.base/java.lang=ALL-UNNAMED io.github.loadstar.examples.ClusterDemo
 * }</pre>
 */
public final class ClusterDemo {
    private static final int TASKS = 600;
    private static final long TASK_MILLIS = 20;
    private static final String RUNS = "demo-body-runs";

    private ClusterDemo() {
    }

    /** A task: counts its own run on the member (an effect outside the ledger), then works 20 ms. */
    record Work(int id) implements Callable<String>, Serializable, HazelcastInstanceAware {
        private static HazelcastInstance member;

        @Override
        public void setHazelcastInstance(HazelcastInstance instance) {
            member = instance;
        }

        @Override
        public String call() throws Exception {
            member.<Integer, Integer>getMap(RUNS).executeOnKey(id, new Count());
            Thread.sleep(TASK_MILLIS);
            return "result-" + id;
        }
    }

    /** Adds one to a task's run count. */
    record Count() implements EntryProcessor<Integer, Integer, Integer> {
        @Override
        public Integer process(Map.Entry<Integer, Integer> entry) {
            int next = entry.getValue() == null ? 1 : entry.getValue() + 1;
            entry.setValue(next);
            return next;
        }
    }

    public static void main(String[] args) throws Exception {
        List<Integer> ports = LoopbackWorkers.freePorts(4);
        String id = UUID.randomUUID().toString().substring(0, 8);
        try (LoopbackWorkers cluster = new LoopbackWorkers("loadstar-demo-" + id, ports)) {
            System.out.println("starting 3 worker members (2 executor threads each) on 127.0.0.1 ...");
            List<LoopbackWorkers.Worker> workers = cluster.startAll(2, 2, 2);
            HazelcastInstance lite = cluster.liteMember(ports.get(3));
            Scheduler scheduler = Scheduler.builder().name("demo").agents(1).maxAgents(8)
                    .orderingPolicy(OrderingPolicies.byName("cfs")).build();
            try (RemoteMembers members = RemoteMembers.builder(scheduler, lite).withoutLocalAgents().attach()) {
                while (remoteAgents(scheduler) < 3) {
                    Thread.sleep(10);
                }
                UUID victimId = workers.get(2).awaitReady();
                int victim = members.agents().get(victimId);
                System.out.println("remote agents (this process is a lite member: it runs no task):");
                for (AgentMetrics a : scheduler.metrics().agents()) {
                    if (a.remote()) {
                        System.out.printf("  agent %d  %s  capacity %.0f%n", a.index(), a.location(), a.capacity());
                    }
                }
                long start = System.nanoTime();
                List<Future<String>> futures = new ArrayList<>();
                for (int i = 0; i < TASKS; i++) {
                    TaskOptions options = TaskOptions.builder().tenant("tenant-" + (char) ('a' + i % 3))
                            .idempotenceKey("demo-" + id + "-" + i).build();
                    futures.add(scheduler.submit(new Work(i), options));
                }
                System.out.printf("submitted %d tasks of %d ms from 3 tenants (CFS)%n", TASKS, TASK_MILLIS);
                while (done(futures) < TASKS / 3) {
                    Thread.sleep(1);
                }
                long killedAt = System.nanoTime();
                System.out.printf("%.0f ms: %d done; kill -9 of the member behind agent %d (%s)%n", (killedAt - start) / 1e6,
                        done(futures), victim, agent(scheduler, victim).location());
                workers.get(2).kill();
                long stoppedSending = 0;
                int lost = 0;
                for (int i = 0; i < TASKS; i++) {
                    while (!futures.get(i).isDone()) {
                        if (stoppedSending == 0 && agent(scheduler, victim).state() != AgentState.RUNNING
                                && agent(scheduler, victim).state() != AgentState.PARKED) {
                            stoppedSending = System.nanoTime();
                        }
                        Thread.sleep(1);
                    }
                    lost += ("result-" + i).equals(futures.get(i).get(60, TimeUnit.SECONDS)) ? 0 : 1;
                }
                long allDone = System.nanoTime();
                System.out.printf("%.0f ms after the kill the scheduler had stopped sending to it; every task was done"
                                + " %.0f ms after the kill%n",
                        stoppedSending == 0 ? Double.NaN : (stoppedSending - killedAt) / 1e6, (allDone - killedAt) / 1e6);
                Map<String, LedgerEntry> ledger = TaskLedger.of(lite).snapshot();
                Map<Integer, Integer> runs = lite.getMap(RUNS);
                int recorded = 0;
                List<String> ranTwice = new ArrayList<>();
                for (int i = 0; i < TASKS; i++) {
                    LedgerEntry line = ledger.get("demo-" + id + "-" + i);
                    recorded += line != null && line.done() ? 1 : 0;
                    Integer n = runs.get(i);
                    if (n != null && n > 1) {
                        ranTwice.add("task " + i + " (its member died while it ran)");
                    }
                }
                System.out.printf("lost %d of %d; outcomes recorded %d, once each; bodies run twice: %s%n", lost, TASKS,
                        recorded, ranTwice.isEmpty() ? "none" : ranTwice);
                System.out.println("who ran what:");
                for (AgentMetrics a : scheduler.metrics().agents()) {
                    if (a.remote()) {
                        System.out.printf("  agent %d  %-28s %-8s completed %d%n", a.index(), a.location(), a.state(),
                                a.completed());
                    }
                }
                System.out.println(scheduler.metrics().tenants().stream()
                        .map(t -> t.tenant() + " " + t.completed()).reduce("tenants:", (x, y) -> x + "  " + y));
                if (lost != 0 || recorded != TASKS) {
                    System.exit(1);
                }
            } finally {
                scheduler.shutdownNow();
                lite.shutdown();
            }
        }
    }

    private static long remoteAgents(Scheduler s) {
        return s.metrics().agents().stream().filter(a -> a.remote() && a.state() != AgentState.REMOVED).count();
    }

    private static AgentMetrics agent(Scheduler s, int index) {
        return s.metrics().agents().stream().filter(a -> a.index() == index).findFirst().orElseThrow();
    }

    private static int done(List<? extends Future<?>> futures) {
        int n = 0;
        for (Future<?> f : futures) {
            n += f.isDone() ? 1 : 0;
        }
        return n;
    }
}
