package io.github.loadstar.examples;

import com.hazelcast.core.HazelcastInstance;
import io.github.loadstar.core.Scheduler;
import io.github.loadstar.core.TaskOptions;
import io.github.loadstar.core.metrics.AgentMetrics;
import io.github.loadstar.hazelcast.ClusterSettings;
import io.github.loadstar.hazelcast.LedgerEntry;
import io.github.loadstar.hazelcast.LoopbackWorkers;
import io.github.loadstar.hazelcast.RemoteMembers;
import io.github.loadstar.hazelcast.WorkerMember;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Remote agents for JPMS users: run from the module path, it checks that scheduler-hazelcast and
 * Hazelcast are modules there, starts a worker member and a lite member in this JVM, attaches a
 * scheduler with no local agent, and runs tasks whose class lives in this named module through the
 * member (serialized, run under the ledger, outcomes read back by id). Prints one line starting with
 * {@value #OK} and exits 0, or the reason and exits 1.
 */
public final class ClusterModulePathCheck {
    /** The start of the line printed on success. */
    public static final String OK = "cluster module-path check OK";
    private static final int TASKS = 20;

    private ClusterModulePathCheck() {
    }

    /** A task defined in a named module, sent to a member. */
    record Square(int n) implements Callable<Integer>, Serializable {
        @Override
        public Integer call() {
            return n * n;
        }
    }

    public static void main(String[] args) {
        int status;
        try {
            System.out.println(OK + ": " + check());
            status = 0;
        } catch (Throwable t) {
            t.printStackTrace(System.out);
            status = 1;
        }
        System.exit(status);
    }

    private static String check() throws Exception {
        require(ClusterModulePathCheck.class.getModule().isNamed(), "not run as a named module");
        String ours = RemoteMembers.class.getModule().getName();
        String theirs = HazelcastInstance.class.getModule().getName();
        require("io.github.loadstar.hazelcast".equals(ours), "scheduler-hazelcast's module is " + ours);
        require("com.hazelcast.core".equals(theirs), "Hazelcast's module is " + theirs);
        List<Integer> ports = LoopbackWorkers.freePorts(2);
        List<String> members = List.of("127.0.0.1:" + ports.get(0), "127.0.0.1:" + ports.get(1));
        ClusterSettings.Builder settings = ClusterSettings.builder().clusterName("jpms-" + UUID.randomUUID()).members(members);
        WorkerMember worker = WorkerMember.start(settings.port(ports.get(0)).build());
        HazelcastInstance lite = com.hazelcast.core.Hazelcast.newHazelcastInstance(
                settings.port(ports.get(1)).build().liteMemberConfig());
        Scheduler scheduler = Scheduler.builder().name("jpms-cluster").agents(1).maxAgents(4).build();
        try (RemoteMembers remote = RemoteMembers.builder(scheduler, lite).withoutLocalAgents().attach()) {
            LoopbackWorkers.awaitSafe(lite, 2);
            List<Future<Integer>> futures = new ArrayList<>();
            for (int i = 0; i < TASKS; i++) {
                futures.add(scheduler.submit(new Square(i), TaskOptions.builder().idempotenceKey("jpms-" + i).build()));
            }
            for (int i = 0; i < TASKS; i++) {
                int got = futures.get(i).get(60, TimeUnit.SECONDS);
                require(got == i * i, "task " + i + " returned " + got);
                LedgerEntry line = remote.awaitOutcome("jpms-" + i, Duration.ofSeconds(10)).orElse(null);
                require(line != null && Integer.valueOf(i * i).equals(line.outcome()), "ledger line of task " + i + ": " + line);
            }
            // the futures complete when the member reports; the agent counts the report just after
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            AgentMetrics agent = remoteAgent(scheduler);
            while (agent.completed() < TASKS && System.nanoTime() - deadline < 0) {
                Thread.sleep(10);
                agent = remoteAgent(scheduler);
            }
            require(agent.completed() == TASKS, "the remote agent completed " + agent.completed() + " within 10 s");
            // the member's probe answers travel back as a record of scheduler-hazelcast's, deserialized here
            while (agent.probeMillis() < 0 && System.nanoTime() - deadline < 0) {
                Thread.sleep(10);
                agent = remoteAgent(scheduler);
            }
            require(agent.probeMillis() >= 0 && agent.memberRunning() >= 0,
                    "the member's probe: answered in " + agent.probeMillis() + " ms, running " + agent.memberRunning());
            return "java " + Runtime.version() + ", " + ours + " and " + theirs + " from the module path, " + TASKS
                    + " tasks of a named module run on member " + agent.location() + " and read back by id, its probe"
                    + " answered in " + String.format(java.util.Locale.ROOT, "%.1f ms", agent.probeMillis());
        } finally {
            scheduler.shutdownNow();
            lite.shutdown();
            worker.close();
        }
    }

    private static AgentMetrics remoteAgent(Scheduler scheduler) {
        return scheduler.metrics().agents().stream().filter(AgentMetrics::remote).findFirst()
                .orElseThrow(() -> new IllegalStateException("no remote agent"));
    }

    private static void require(boolean condition, String why) {
        if (!condition) {
            throw new IllegalStateException(why);
        }
    }
}
