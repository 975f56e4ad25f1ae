package io.github.loadstar.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.HazelcastInstance;
import io.github.loadstar.core.Scheduler;
import io.github.loadstar.core.TaskOptions;
import io.github.loadstar.core.metrics.AgentMetrics;
import io.github.loadstar.core.metrics.AgentState;
import io.github.loadstar.core.metrics.SchedulerMetrics;
import io.github.loadstar.core.spi.OrderingPolicies;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Remote agents through the scheduler, under a real crash: three worker processes, this JVM a lite
 * member whose scheduler has no local agent (RemoteMembers.withoutLocalAgents) and orders by CFS;
 * 1,000 tasks from three tenants; once a third are done, one worker is killed with {@code kill -9}.
 * Every future completes with its task's own value, no task is lost, each outcome is recorded once
 * (the ledger's audit, with the body's own count of its runs), the killed worker's agent leaves the
 * scheduler, every completion is accounted to some remote agent, and a task that cannot be sent is
 * rejected at submission.
 */
final class RemoteAgentsCrashTest {
    private static final int TASKS = 1_000;
    private static final long TASK_MILLIS = 5;

    @Test
    @Timeout(240)
    void killNineOfOneOfThreeMembersUnderCfsLosesNothingAndRecordsEachOutcomeOnce() throws Exception {
        List<Integer> ports = LoopbackWorkers.freePorts(4);
        try (LoopbackWorkers cluster = new LoopbackWorkers("remote-kill-" + UUID.randomUUID(), ports)) {
            LoopbackWorkers.Worker victim = cluster.startAll(1, 1, 1).get(2);
            UUID victimId = victim.awaitReady();
            HazelcastInstance lite = cluster.liteMember(ports.get(3));
            Scheduler s = Scheduler.builder().name("remote-cfs").agents(1).maxAgents(8)
                    .orderingPolicy(OrderingPolicies.byName("cfs")).build();
            try (RemoteMembers members = RemoteMembers.builder(s, lite).withoutLocalAgents().attach()) {
                awaitTrue(() -> remoteAgents(s) == 3 && s.metrics().agents().stream()
                        .allMatch(a -> a.remote() || a.state() == AgentState.REMOVED), "three remote agents, no local one");
                int victimAgent = members.agents().get(victimId);

                Callable<String> unsendable = () -> "stays here";
                RejectedExecutionException refused = assertThrows(RejectedExecutionException.class, () -> s.submit(unsendable));
                assertTrue(refused.getMessage().contains("not java.io.Serializable"), refused.getMessage());

                List<Future<String>> futures = new ArrayList<>();
                long start = System.nanoTime();
                for (int i = 0; i < TASKS; i++) {
                    TaskOptions options = TaskOptions.builder().tenant("tenant-" + (i % 3)).idempotenceKey("task-" + i).build();
                    futures.add(s.submit(new CountedWork(i, TASK_MILLIS), options));
                }
                awaitTrue(() -> done(futures) >= TASKS / 3, "a third done");
                long killedAt = System.nanoTime();
                int doneAtKill = done(futures);
                java.util.concurrent.atomic.AtomicLong stoppedAdmitting = new java.util.concurrent.atomic.AtomicLong();
                Thread watcher = new Thread(() -> {
                    // when the scheduler stopped sending to the dead member: its agent is leaving
                    while (stoppedAdmitting.get() == 0 && !Thread.currentThread().isInterrupted()) {
                        AgentState state = agent(s, victimAgent).state();
                        if (state == AgentState.DRAINING || state == AgentState.REMOVED) {
                            stoppedAdmitting.set(System.nanoTime());
                        }
                        Thread.onSpinWait();
                    }
                });
                watcher.start();
                victim.kill();
                long leftAt;
                for (int i = 0; i < TASKS; i++) {
                    assertEquals("done-" + i, futures.get(i).get(120, TimeUnit.SECONDS), "task " + i + "'s outcome");
                }
                long allDone = System.nanoTime();
                awaitTrue(() -> agent(s, victimAgent).state() == AgentState.REMOVED,
                        "the killed member's agent left");
                leftAt = System.nanoTime();
                watcher.interrupt();
                watcher.join();

                LedgerAudit audit = LedgerAudit.of(lite, TASKS);
                // one executor thread per worker: at most the task the victim was running runs again
                assertTrue(audit.reRuns() <= 1, "re-runs: " + audit.reRun());
                SchedulerMetrics m = s.metrics();
                long completed = m.agents().stream().filter(AgentMetrics::remote).mapToLong(AgentMetrics::completed).sum();
                assertEquals(TASKS, completed, () -> "completions accounted to remote agents\n" + m);
                assertEquals(0, m.queued(), m::toString);
                assertTrue(stoppedAdmitting.get() != 0, "the dead member's agent was seen leaving");
                System.out.printf("scheduler with 3 remote agents, CFS, 3 tenants: kill -9 of 1 member after %d of %d tasks"
                                + " (%.0f ms in); its agent stopped admitting %.0f ms after the kill and was gone by %.0f ms;"
                                + " all done %.0f ms after the kill;"
                                + " lost 0, outcomes recorded once each, body re-runs %d %s, duplicate sendings absorbed %d%n%s%n",
                        doneAtKill, TASKS, (killedAt - start) / 1e6, (stoppedAdmitting.get() - killedAt) / 1e6,
                        (leftAt - killedAt) / 1e6, (allDone - killedAt) / 1e6,
                        audit.reRuns(), audit.reRun(), audit.absorbed(), m);
            } finally {
                s.shutdownNow();
                lite.shutdown();
            }
        }
    }

    /** Agent {@code index}'s row (the metrics list only slots that have held an agent). */
    static AgentMetrics agent(Scheduler s, int index) {
        return s.metrics().agents().stream().filter(a -> a.index() == index).findFirst().orElseThrow();
    }

    static long remoteAgents(Scheduler s) {
        return s.metrics().agents().stream().filter(a -> a.remote() && a.state() != AgentState.REMOVED).count();
    }

    static int done(List<? extends Future<?>> futures) {
        int n = 0;
        for (Future<?> f : futures) {
            n += f.isDone() ? 1 : 0;
        }
        return n;
    }

    static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        awaitTrue(condition, () -> what);
    }

    static void awaitTrue(BooleanSupplier condition, java.util.function.Supplier<String> what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("timed out waiting: " + what.get());
            }
            Thread.sleep(5);
        }
    }
}
