package io.github.loadstar.hazelcast;

import static io.github.loadstar.hazelcast.RemoteAgentsCrashTest.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.HazelcastInstance;
import io.github.loadstar.core.OrderingScope;
import io.github.loadstar.core.Scheduler;
import io.github.loadstar.core.TaskOptions;
import io.github.loadstar.core.spi.OrderingPolicies;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The scheduler's order across members: three worker processes (one executor thread each, a window
 * of {@value #WINDOW_PER_THREAD} tasks per thread), a remote-only scheduler ordering its one shared
 * backlog (GLOBAL scope). Each task notes when it started on its member.
 *
 * <p>EDF: a less urgent task U (later deadline) can start after a task T was submitted and before T
 * starts in two ways only: U had been admitted to a member before T arrived (at most the windows'
 * total, members × window, such tasks), or U was admitted after T and started on another member
 * while T waited in its member's durable queue behind tasks admitted before it (at most
 * (members − 1) × window more). So each task sees at most (2 × members − 1) × window such inversions,
 * whatever the timing; each costs it at most one task length on one member. The test counts them for
 * every task; a FIFO scheduler, on the same bursts of 60, lets dozens of less urgent tasks ahead.
 *
 * <p>CFS: three tenants of weights 1, 2 and 3, all backlogged; of the tasks started while every
 * tenant still had work queued, each tenant's share is within 0.05 of weight / total weight.
 */
final class RemoteOrderingTest {
    private static final int WINDOW_PER_THREAD = 2;
    private static final long EDF_TASK_MILLIS = 20;
    private static final int EDF_TASKS = 240;

    @Test
    @Timeout(240)
    void edfAcrossMembersInvertsOnlyWithinTheWindowsAndCfsSharesFollowTheWeights() throws Exception {
        List<Integer> ports = LoopbackWorkers.freePorts(4);
        try (LoopbackWorkers cluster = new LoopbackWorkers("remote-order-" + UUID.randomUUID(), ports)) {
            cluster.startAll(1, 1, 1);
            HazelcastInstance lite = cluster.liteMember(ports.get(3));
            try {
                // -Dloadstar.test.orderingPolicy=arrival shows the same workload in submission order (it fails)
                int[] inversions = edf(lite, OrderingPolicies.byName(System.getProperty("loadstar.test.orderingPolicy", "edf")));
                int members = 3;
                int window = WINDOW_PER_THREAD;     // one executor thread per member
                int bound = (2 * members - 1) * window;
                int worst = java.util.Arrays.stream(inversions).max().orElse(0);
                double mean = java.util.Arrays.stream(inversions).average().orElse(0);
                double[] shares = cfsShares(lite);
                System.out.printf("across %d members (window %d, GLOBAL scope, %d tasks of %d ms in bursts of 60): EDF"
                                + " inversions per task (less urgent tasks starting between its submission and its start)"
                                + " mean %.2f, max %d (bound %d = (2 x members - 1) x window); CFS shares of tenants"
                                + " weighted 1:2:3 while all were backlogged %.3f / %.3f / %.3f (0.167 / 0.333 / 0.500)%n",
                        members, window, EDF_TASKS, EDF_TASK_MILLIS, mean, worst, bound, shares[0], shares[1], shares[2]);
                assertTrue(worst <= bound, "a task saw " + worst + " inversions, over the bound " + bound);
                double[] expected = {1 / 6.0, 2 / 6.0, 3 / 6.0};
                for (int t = 0; t < 3; t++) {
                    assertTrue(Math.abs(shares[t] - expected[t]) <= 0.05,
                            "tenant " + t + "'s share " + shares[t] + ", expected " + expected[t]);
                }
            } finally {
                lite.shutdown();
            }
        }
    }

    /** For each task, the less urgent tasks that started after it was submitted and before it started. */
    private static int[] edf(HazelcastInstance lite, io.github.loadstar.core.spi.OrderingPolicy policy) throws Exception {
        Scheduler s = Scheduler.builder().name("remote-edf").agents(1).maxAgents(8).orderingPolicy(policy)
                .orderingScope(OrderingScope.GLOBAL).build();
        try (RemoteMembers members = RemoteMembers.builder(s, lite).windowPerThread(WINDOW_PER_THREAD)
                .responseTimeout(Duration.ofSeconds(10)).withoutLocalAgents().attach()) {
            awaitTrue(() -> RemoteAgentsCrashTest.remoteAgents(s) == 3, "three remote agents");
            warmUp(s);
            Random random = new Random(42);
            long[] submitted = new long[EDF_TASKS];
            long[] deadline = new long[EDF_TASKS];
            List<Future<Long>> started = new ArrayList<>();
            for (int i = 0; i < EDF_TASKS; i++) {
                if (i % 60 == 0 && i > 0) {
                    Thread.sleep(400);      // bursts: urgent tasks arrive while less urgent ones are admitted
                }
                long relative = 50 + random.nextInt(3_000);
                submitted[i] = StartTime.micros(Instant.now());
                deadline[i] = submitted[i] + relative * 1_000;
                started.add(s.submit(new StartTime(i, EDF_TASK_MILLIS),
                        TaskOptions.builder().deadline(Duration.ofMillis(relative)).idempotenceKey("edf-" + UUID.randomUUID()).build()));
            }
            long[] start = new long[EDF_TASKS];
            for (int i = 0; i < EDF_TASKS; i++) {
                start[i] = started.get(i).get(60, TimeUnit.SECONDS);
            }
            // inversions of each task T: less urgent tasks that started after T was submitted and before T
            int[] inversions = new int[EDF_TASKS];
            for (int t = 0; t < EDF_TASKS; t++) {
                for (int u = 0; u < EDF_TASKS; u++) {
                    if (deadline[u] > deadline[t] && start[u] > submitted[t] && start[u] < start[t]) {
                        inversions[t]++;
                    }
                }
            }
            return inversions;
        } finally {
            s.shutdownNow();
        }
    }

    /** Each tenant's share of the tasks started while all three had work queued. */
    private static double[] cfsShares(HazelcastInstance lite) throws Exception {
        Scheduler s = Scheduler.builder().name("remote-cfs-shares").agents(1).maxAgents(8)
                .orderingPolicy(OrderingPolicies.byName("cfs")).orderingScope(OrderingScope.GLOBAL).build();
        int perTenant = 150;
        try (RemoteMembers members = RemoteMembers.builder(s, lite).windowPerThread(WINDOW_PER_THREAD)
                .responseTimeout(Duration.ofSeconds(10)).withoutLocalAgents().attach()) {
            awaitTrue(() -> RemoteAgentsCrashTest.remoteAgents(s) == 3, "three remote agents");
            warmUp(s);
            List<List<Future<Long>>> byTenant = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                byTenant.add(new ArrayList<>());
            }
            for (int i = 0; i < perTenant; i++) {
                for (int t = 0; t < 3; t++) {
                    byTenant.get(t).add(s.submit(new StartTime(i, 10),
                            TaskOptions.builder().tenant("tenant-" + t, t + 1).idempotenceKey("cfs-" + UUID.randomUUID()).build()));
                }
            }
            List<long[]> starts = new ArrayList<>();       // {start, tenant}
            long[] lastStart = new long[3];
            for (int t = 0; t < 3; t++) {
                for (Future<Long> f : byTenant.get(t)) {
                    long at = f.get(60, TimeUnit.SECONDS);
                    starts.add(new long[] {at, t});
                    lastStart[t] = Math.max(lastStart[t], at);
                }
            }
            // every tenant had work queued until its own last task started: count up to the first of those
            long allBacklogged = Math.min(lastStart[0], Math.min(lastStart[1], lastStart[2]));
            double[] counts = new double[3];
            double total = 0;
            for (long[] st : starts) {
                if (st[0] < allBacklogged) {
                    counts[(int) st[1]]++;
                    total++;
                }
            }
            for (int t = 0; t < 3; t++) {
                counts[t] /= total;
            }
            return counts;
        } finally {
            s.shutdownNow();
        }
    }

    /** First tasks on cold members are slow (class loading, the maps' first use): not part of a measurement. */
    private static void warmUp(Scheduler s) throws Exception {
        List<Future<Long>> warm = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            warm.add(s.submit(new StartTime(i, 1), TaskOptions.builder().idempotenceKey("warm-" + UUID.randomUUID()).build()));
        }
        for (Future<Long> f : warm) {
            f.get(60, TimeUnit.SECONDS);
        }
    }
}
