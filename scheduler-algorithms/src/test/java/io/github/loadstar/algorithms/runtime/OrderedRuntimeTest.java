package io.github.loadstar.algorithms.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loadstar.algorithms.Policies;
import io.github.loadstar.algorithms.cfs.CfsPolicy;
import io.github.loadstar.algorithms.edf.EdfConfig;
import io.github.loadstar.algorithms.edf.EdfPolicy;
import io.github.loadstar.algorithms.mlfq.MlfqPolicy;
import io.github.loadstar.algorithms.wfq.WfqPolicy;
import io.github.loadstar.core.OrderingScope;
import io.github.loadstar.core.Priority;
import io.github.loadstar.core.Scheduler;
import io.github.loadstar.core.SchedulerListener;
import io.github.loadstar.core.TaskFuture;
import io.github.loadstar.core.TaskOptions;
import io.github.loadstar.core.metrics.SchedulerMetrics;
import io.github.loadstar.core.spi.Backlog;
import io.github.loadstar.core.spi.OrderingPolicies;
import io.github.loadstar.core.spi.OrderingPolicy;
import io.github.loadstar.core.spi.QueuedTask;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Ordering policies on the real runtime: the order they promise, the registry, reconfiguration. */
@Timeout(60)
final class OrderedRuntimeTest {

    /** Occupies every agent until {@code gate} opens; returns once they are all busy. */
    private static void blockAgents(Scheduler scheduler, CountDownLatch gate) throws InterruptedException {
        CountDownLatch busy = new CountDownLatch(scheduler.agentCount());
        for (int i = 0; i < scheduler.agentCount(); i++) {
            scheduler.execute(() -> {
                busy.countDown();
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, TaskOptions.builder().pinnedTo(i).priority(Priority.CRITICAL).build());
        }
        assertTrue(busy.await(10, TimeUnit.SECONDS));
    }

    private static void burn(int iterations) {
        long x = iterations;
        for (int i = 0; i < iterations; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
        }
        if (x == 42) {
            System.err.print("");
        }
    }

    @Test
    void edfRunsAnAgentsBacklogInDeadlineOrder() throws Exception {
        try (Scheduler scheduler = Scheduler.builder().agents(1).orderingPolicy(Policies.edf()).build()) {
            CountDownLatch gate = new CountDownLatch(1);
            blockAgents(scheduler, gate);
            List<Long> order = Collections.synchronizedList(new ArrayList<>());
            List<TaskFuture<?>> futures = new ArrayList<>();
            Random random = new Random(7);
            for (int i = 0; i < 300; i++) {
                long deadlineMs = 100 + random.nextInt(10_000);
                futures.add(scheduler.submit(() -> order.add(deadlineMs),
                        TaskOptions.builder().deadline(Duration.ofMillis(deadlineMs)).build()));
            }
            gate.countDown();
            for (TaskFuture<?> f : futures) {
                f.get(10, TimeUnit.SECONDS);
            }
            // all were submitted within a few ms of each other: deadlines differing by more than
            // the submission spread must run in deadline order
            for (int i = 1; i < order.size(); i++) {
                assertTrue(order.get(i) + 50 >= order.get(i - 1), "out of deadline order at " + i + ": " + order);
            }
        }
    }

    /**
     * In GLOBAL scope one backlog serves every agent, so tasks are <em>dispatched</em> in exact
     * deadline order across agents. Dispatch is recorded inside the backlog (under the shared lock):
     * recording when a task starts would measure the operating system's thread scheduling instead.
     */
    @Test
    void globalScopeDispatchesInExactDeadlineOrderAcrossAgents() throws Exception {
        int agents = 4;
        List<QueuedTask> dispatched = Collections.synchronizedList(new ArrayList<>());
        EdfPolicy edf = Policies.edf();
        OrderingPolicy recording = new OrderingPolicy() {
            @Override
            public String name() {
                return "recording-edf";
            }

            @Override
            public Backlog newBacklog() {
                Backlog inner = edf.newBacklog();
                return new Backlog() {
                    @Override
                    public void offer(QueuedTask task, long now) {
                        inner.offer(task, now);
                    }

                    @Override
                    public QueuedTask poll(long now) {
                        QueuedTask task = inner.poll(now);
                        if (task != null) {
                            dispatched.add(task);
                        }
                        return task;
                    }

                    @Override
                    public QueuedTask peek(long now) {
                        return inner.peek(now);
                    }

                    @Override
                    public int size() {
                        return inner.size();
                    }
                };
            }
        };
        try (Scheduler scheduler = Scheduler.builder().agents(agents).orderingPolicy(recording)
                .orderingScope(OrderingScope.GLOBAL).build()) {
            CountDownLatch gate = new CountDownLatch(1);
            blockAgents(scheduler, gate);   // pinned: in GLOBAL scope they bypass the shared backlog
            int n = 400;
            List<TaskFuture<?>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int rank = (i * 7919) % n;   // a permutation of 0..n-1
                futures.add(scheduler.submit(() -> burn(2_000),
                        TaskOptions.builder().deadline(Duration.ofSeconds(10).plusMillis(rank * 10L)).build()));
            }
            assertEquals(n, scheduler.metrics().queued(), "the shared backlog's tasks are counted as queued");
            assertEquals(n, scheduler.metrics().sharedQueued());
            gate.countDown();
            for (TaskFuture<?> f : futures) {
                f.get(10, TimeUnit.SECONDS);
            }
            assertEquals(n, dispatched.size());
            for (int i = 1; i < n; i++) {
                assertTrue(dispatched.get(i).deadlineNanos() - dispatched.get(i - 1).deadlineNanos() > 0,
                        "dispatch " + i + " is earlier than dispatch " + (i - 1));
            }
        }
    }

    @Test
    void mlfqRunsCriticalWorkFirst() throws Exception {
        try (Scheduler scheduler = Scheduler.builder().agents(1).orderingPolicy(Policies.mlfq()).build()) {
            CountDownLatch gate = new CountDownLatch(1);
            blockAgents(scheduler, gate);
            List<Priority> order = Collections.synchronizedList(new ArrayList<>());
            List<TaskFuture<?>> futures = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                Priority p = Priority.values()[(i * 3) % 4];
                futures.add(scheduler.submit(() -> order.add(p), TaskOptions.builder().priority(p).build()));
            }
            gate.countDown();
            for (TaskFuture<?> f : futures) {
                f.get(10, TimeUnit.SECONDS);
            }
            long critical = order.stream().filter(p -> p == Priority.CRITICAL).count();
            for (int i = 0; i < critical; i++) {
                assertEquals(Priority.CRITICAL, order.get(i), "position " + i + " of " + order);
            }
        }
    }

    /**
     * CFS shares run <em>time</em>, so the test measures time, not task counts: a task's own run time
     * varies (the JIT compiles the loop partway, other processes take the core), and a count share
     * would be skewed by whichever tenant happened to run the slow tasks.
     */
    @Test
    void cfsSharesASaturatedAgentByTenantWeight() throws Exception {
        for (int i = 0; i < 2_000; i++) {
            burn(20_000);   // compile the loop before measuring
        }
        try (Scheduler scheduler = Scheduler.builder().agents(1)
                .orderingPolicy(Policies.cfs(io.github.loadstar.algorithms.cfs.CfsConfig.builder()
                        .nice("heavy", -5).nice("light", 0).build())).build()) {
            CountDownLatch gate = new CountDownLatch(1);
            blockAgents(scheduler, gate);
            List<String> order = Collections.synchronizedList(new ArrayList<>());
            List<Long> runNanos = Collections.synchronizedList(new ArrayList<>());
            List<TaskFuture<?>> futures = new ArrayList<>();
            int perTenant = 400;
            for (int i = 0; i < perTenant; i++) {
                for (String tenant : new String[] {"heavy", "light"}) {
                    futures.add(scheduler.submit(() -> {
                        long start = System.nanoTime();
                        burn(20_000);
                        long ran = System.nanoTime() - start;
                        synchronized (order) {
                            order.add(tenant);
                            runNanos.add(ran);
                        }
                    }, TaskOptions.builder().tenant(tenant).build()));
                }
            }
            gate.countDown();
            for (TaskFuture<?> f : futures) {
                f.get(30, TimeUnit.SECONDS);
            }
            // while both are backlogged (until one has run all its tasks), nice -5 (weight 3121)
            // against nice 0 (1024) gets 3121 / 4145 = 75.3 % of the time
            long heavyTime = 0;
            long lightTime = 0;
            int heavyRuns = 0;
            int lightRuns = 0;
            for (int i = 0; i < order.size() && heavyRuns < perTenant && lightRuns < perTenant; i++) {
                if ("heavy".equals(order.get(i))) {
                    heavyTime += runNanos.get(i);
                    heavyRuns++;
                } else {
                    lightTime += runNanos.get(i);
                    lightRuns++;
                }
            }
            double share = (double) heavyTime / (heavyTime + lightTime);
            assertTrue(share > 0.68 && share < 0.83, "heavy got " + share + " of the run time while both were"
                    + " backlogged (" + heavyRuns + " heavy and " + lightRuns + " light runs)");
        }
    }

    @Test
    void pinnedTasksUnderAPolicyStayOnTheirAgent() throws Exception {
        AtomicInteger pinnedMigrations = new AtomicInteger();
        SchedulerListener listener = new SchedulerListener() {
            @Override
            public void onMigrated(Object task, int from, int to) {
                if (task instanceof PinnedMarker) {
                    pinnedMigrations.incrementAndGet();
                }
            }
        };
        try (Scheduler scheduler = Scheduler.builder().agents(3).orderingPolicy(Policies.wfq()).listener(listener).build()) {
            List<TaskFuture<String>> futures = new ArrayList<>();
            for (int i = 0; i < 3_000; i++) {
                int agent = i % 3;
                futures.add(scheduler.submit(() -> Thread.currentThread().getName(),
                        TaskOptions.builder().pinnedTo(agent).tenant("t" + (i % 5)).build()));
                scheduler.execute(new PinnedMarker(), TaskOptions.builder().pinnedTo(0).build());
            }
            for (int i = 0; i < futures.size(); i++) {
                String thread = futures.get(i).get(10, TimeUnit.SECONDS);
                assertEquals(scheduler.metrics().agents().get(i % 3).thread(), thread, "task " + i);
            }
            assertEquals(0, pinnedMigrations.get());
        }
    }

    /** A pinned no-op the listener can recognise. */
    private static final class PinnedMarker implements Runnable {
        @Override
        public void run() {
            burn(100);
        }
    }

    @Test
    void deadlineMissesAreCounted() throws Exception {
        try (Scheduler scheduler = Scheduler.builder().agents(1).orderingPolicy(Policies.edf()).build()) {
            CountDownLatch gate = new CountDownLatch(1);
            blockAgents(scheduler, gate);
            for (int i = 0; i < 20; i++) {
                scheduler.execute(() -> { }, TaskOptions.builder().deadline(Duration.ofMillis(1)).build());
                scheduler.execute(() -> { }, TaskOptions.builder().deadline(Duration.ofHours(1)).build());
            }
            Thread.sleep(20);   // the 1 ms deadlines pass while the agent is blocked
            gate.countDown();
            scheduler.shutdown();
            assertTrue(scheduler.awaitTermination(10, TimeUnit.SECONDS));
            SchedulerMetrics m = scheduler.metrics();
            assertEquals(20, m.lateStarts(), m.toString());
            assertEquals(20, m.deadlineMisses(), m.toString());
        }
    }

    @Test
    void policiesAreFoundByName() {
        assertTrue(OrderingPolicies.names().containsAll(List.of("fifo", "edf", "cfs", "wfq", "mlfq")),
                OrderingPolicies.names().toString());
        assertInstanceOf(EdfPolicy.class, OrderingPolicies.byName("edf"));
        assertInstanceOf(CfsPolicy.class, OrderingPolicies.byName("cfs"));
        assertInstanceOf(WfqPolicy.class, OrderingPolicies.byName("wfq"));
        assertInstanceOf(MlfqPolicy.class, OrderingPolicies.byName("mlfq"));
        assertTrue(OrderingPolicies.byName("fifo").isFifo());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OrderingPolicies.byName("lottery"));
        assertTrue(e.getMessage().contains("lottery") && e.getMessage().contains("cfs, edf, fifo, mlfq, wfq"),
                e.getMessage());
        IllegalArgumentException viaBuilder = assertThrows(IllegalArgumentException.class,
                () -> Scheduler.builder().orderingPolicy("lottery"));
        assertTrue(viaBuilder.getMessage().contains("known policies"), viaBuilder.getMessage());
        assertThrows(NullPointerException.class, () -> Scheduler.builder().orderingPolicy((String) null));
    }

    @Test
    void aSchedulerBuiltByPolicyNameRunsThatPolicy() throws Exception {
        try (Scheduler scheduler = Scheduler.builder().agents(1).orderingPolicy("edf").build()) {
            CountDownLatch gate = new CountDownLatch(1);
            blockAgents(scheduler, gate);
            List<Integer> order = Collections.synchronizedList(new ArrayList<>());
            List<TaskFuture<?>> futures = new ArrayList<>();
            for (int d : new int[] {900, 100, 500, 300}) {
                futures.add(scheduler.submit(() -> order.add(d), TaskOptions.builder().deadline(Duration.ofSeconds(d)).build()));
            }
            gate.countDown();
            for (TaskFuture<?> f : futures) {
                f.get(10, TimeUnit.SECONDS);
            }
            assertEquals(List.of(100, 300, 500, 900), order);
        }
    }

    @Test
    void aRunningPolicyCanBeReconfiguredAndARejectedChangeKeepsTheOldConfig() throws Exception {
        EdfPolicy edf = Policies.edf();
        try (Scheduler scheduler = Scheduler.builder().agents(2).orderingPolicy(edf).build()) {
            EdfConfig before = edf.config();
            long version = edf.configVersion();
            assertThrows(NullPointerException.class, () -> edf.reconfigure(null));
            assertThrows(IllegalArgumentException.class,
                    () -> edf.reconfigure(EdfConfig.builder().undatedDeadline(Duration.ZERO).build()));
            assertEquals(before, edf.config(), "a rejected change keeps the old config");
            assertEquals(version, edf.configVersion());
            EdfConfig shorter = EdfConfig.builder().undatedDeadline(Duration.ofMillis(5)).build();
            edf.reconfigure(shorter);
            assertEquals(shorter, edf.config());
            assertEquals(version + 1, edf.configVersion());
            CountDownLatch done = new CountDownLatch(1_000);
            for (int i = 0; i < 1_000; i++) {
                scheduler.execute(done::countDown);
            }
            assertTrue(done.await(10, TimeUnit.SECONDS));
        }
    }
}
