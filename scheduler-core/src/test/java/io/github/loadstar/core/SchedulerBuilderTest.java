package io.github.loadstar.core;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loadstar.core.metrics.AgentMetrics;
import io.github.loadstar.core.spi.AgentLoads;
import io.github.loadstar.core.spi.PlacementPolicy;
import io.github.loadstar.core.spi.StealPolicies;
import io.github.loadstar.core.spi.StealPolicy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Tests {@link SchedulerBuilder}: every setter's argument validation (with the parameter named in
 * the message), that a rejected call leaves the builder as it was, conflicting settings, the
 * defaults, and the handling of a failing {@link ThreadFactory}.
 */
final class SchedulerBuilderTest {
    private static final long TIMEOUT_SECONDS = 30;
    private static final AtomicInteger UNIQUE = new AtomicInteger();

    // ================================================================ helpers

    /** Asserts {@code call} throws {@code type} with a message containing {@code parameter}. */
    private static <T extends RuntimeException> T assertRejected(Class<T> type, String parameter, Executable call) {
        T e = assertThrows(type, call);
        String message = e.getMessage();
        assertNotNull(message, () -> type.getSimpleName() + " without a message; expected it to name " + parameter);
        assertTrue(message.contains(parameter),
                () -> "expected the message to name '" + parameter + "' but was: " + message);
        return e;
    }

    private static <T> T call(Scheduler scheduler, Callable<T> task) throws Exception {
        return scheduler.submit(task).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    private static <T> T callOn(Scheduler scheduler, int agent, Callable<T> task) throws Exception {
        TaskOptions pinned = TaskOptions.builder().pinnedTo(agent).build();
        return scheduler.submit(task, pinned).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    /** A unique thread-name prefix, so that counting live threads cannot see other tests' threads. */
    private static String uniquePrefix(String what) {
        return "sbt-" + what + "-" + UNIQUE.incrementAndGet() + "-";
    }

    private static List<Thread> liveThreadsNamed(String prefix) {
        List<Thread> live = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(prefix) && t.isAlive()) {
                live.add(t);
            }
        }
        return live;
    }

    /** A thread factory naming its threads {@code prefix<n>} and counting its calls. */
    private static final class CountingFactory implements ThreadFactory {
        final String prefix;
        final AtomicInteger calls = new AtomicInteger();
        final List<Thread> created = Collections.synchronizedList(new ArrayList<>());

        CountingFactory(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, prefix + calls.getAndIncrement());
            t.setDaemon(true);
            created.add(t);
            return t;
        }
    }

    // ================================================================ argument validation

    @ParameterizedTest
    @ValueSource(ints = {0, -1, Integer.MIN_VALUE, SchedulerBuilder.MAX_AGENTS + 1, Integer.MAX_VALUE})
    void rejectsAgentsOutsideRange(int agents) {
        assertRejected(IllegalArgumentException.class, "agents", () -> Scheduler.builder().agents(agents));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, SchedulerBuilder.MAX_AGENTS})
    void acceptsAgentsAtTheBounds(int agents) {
        assertDoesNotThrow(() -> Scheduler.builder().agents(agents));
    }

    @Test
    void rejectsNullCapacities() {
        assertRejected(NullPointerException.class, "capacities", () -> Scheduler.builder().capacities((double[]) null));
    }

    @Test
    void rejectsEmptyCapacities() {
        assertRejected(IllegalArgumentException.class, "capacities", () -> Scheduler.builder().capacities());
    }

    @Test
    void rejectsTooManyCapacities() {
        double[] tooMany = new double[SchedulerBuilder.MAX_AGENTS + 1];
        java.util.Arrays.fill(tooMany, 1.0);
        assertRejected(IllegalArgumentException.class, "capacities", () -> Scheduler.builder().capacities(tooMany));
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.0, -0.0, -1.0, -Double.MIN_VALUE, Double.NaN,
        Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
    void rejectsNonPositiveOrNonFiniteCapacityNamingItsIndex(double bad) {
        assertRejected(IllegalArgumentException.class, "capacities[1]",
                () -> Scheduler.builder().capacities(1.0, bad, 1.0));
        assertRejected(IllegalArgumentException.class, "capacities[0]",
                () -> Scheduler.builder().capacities(bad));
        assertRejected(IllegalArgumentException.class, "capacities[2]",
                () -> Scheduler.builder().capacities(1.0, 2.0, bad));
    }

    @Test
    void acceptsTinyAndHugeFiniteCapacities() {
        assertDoesNotThrow(() -> Scheduler.builder().capacities(Double.MIN_VALUE, Double.MAX_VALUE));
    }

    @Test
    void rejectsNullThreadFactory() {
        assertRejected(NullPointerException.class, "threadFactory", () -> Scheduler.builder().threadFactory(null));
    }

    @Test
    void rejectsNullName() {
        assertRejected(NullPointerException.class, "name", () -> Scheduler.builder().name(null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "   ", "\t", "\n", " \t\r\n "})
    void rejectsBlankName(String blank) {
        assertRejected(IllegalArgumentException.class, "name", () -> Scheduler.builder().name(blank));
    }

    @Test
    void rejectsNullThreadNamePrefix() {
        assertRejected(NullPointerException.class, "threadNamePrefix",
                () -> Scheduler.builder().threadNamePrefix(null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\t", " \n "})
    void rejectsBlankThreadNamePrefix(String blank) {
        assertRejected(IllegalArgumentException.class, "threadNamePrefix",
                () -> Scheduler.builder().threadNamePrefix(blank));
    }

    @Test
    void rejectsNullIdleStrategy() {
        assertRejected(NullPointerException.class, "idleStrategy", () -> Scheduler.builder().idleStrategy(null));
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, Integer.MIN_VALUE, 1_000_001, Integer.MAX_VALUE})
    void rejectsSpinRoundsOutsideRange(int spinRounds) {
        assertRejected(IllegalArgumentException.class, "spinRounds", () -> Scheduler.builder().spinRounds(spinRounds));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 1_000_000})
    void acceptsSpinRoundsAtTheBounds(int spinRounds) {
        assertDoesNotThrow(() -> Scheduler.builder().spinRounds(spinRounds));
    }

    @Test
    void rejectsNullStealPolicy() {
        assertRejected(NullPointerException.class, "stealPolicy", () -> Scheduler.builder().stealPolicy(null));
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, -2, Integer.MIN_VALUE})
    void rejectsNegativeStealThreshold(int threshold) {
        assertRejected(IllegalArgumentException.class, "stealThreshold",
                () -> Scheduler.builder().stealThreshold(threshold));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, Integer.MAX_VALUE})
    void acceptsNonNegativeStealThreshold(int threshold) {
        assertDoesNotThrow(() -> Scheduler.builder().stealThreshold(threshold));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, Integer.MIN_VALUE, SchedulerBuilder.MAX_STEAL_BATCH + 1, Integer.MAX_VALUE})
    void rejectsStealBatchLimitOutsideRange(int limit) {
        assertRejected(IllegalArgumentException.class, "stealBatchLimit",
                () -> Scheduler.builder().stealBatchLimit(limit));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, SchedulerBuilder.MAX_STEAL_BATCH})
    void acceptsStealBatchLimitInRange(int limit) {
        assertDoesNotThrow(() -> Scheduler.builder().stealBatchLimit(limit));
    }

    @Test
    void rejectsNullPlacementPolicy() {
        assertRejected(NullPointerException.class, "placementPolicy", () -> Scheduler.builder().placementPolicy(null));
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1, Long.MIN_VALUE})
    void rejectsNonPositiveMaxQueuedTasks(long max) {
        assertRejected(IllegalArgumentException.class, "maxQueuedTasks",
                () -> Scheduler.builder().maxQueuedTasks(max));
        assertRejected(IllegalArgumentException.class, "maxQueuedTasks",
                () -> Scheduler.builder().maxQueuedTasks(max, RejectionBehaviour.CALLER_RUNS));
    }

    @Test
    void rejectsNullRejectionBehaviour() {
        assertRejected(NullPointerException.class, "rejectionBehaviour",
                () -> Scheduler.builder().maxQueuedTasks(10, null));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, Long.MAX_VALUE})
    void acceptsPositiveMaxQueuedTasks(long max) {
        assertDoesNotThrow(() -> Scheduler.builder().maxQueuedTasks(max, RejectionBehaviour.DISCARD));
    }

    @Test
    void rejectsNullListener() {
        assertRejected(NullPointerException.class, "listener", () -> Scheduler.builder().listener(null));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, -2, Integer.MIN_VALUE, 3, 6, 12, 100, 1023, 1 << 21, 1 << 30, Integer.MAX_VALUE})
    void rejectsLatencySamplingIntervalThatIsNotAPowerOfTwoInRange(int interval) {
        assertRejected(IllegalArgumentException.class, "latencySamplingInterval",
                () -> Scheduler.builder().latencySamplingInterval(interval));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 64, 1024, SchedulerBuilder.MAX_SAMPLING_INTERVAL})
    void acceptsPowerOfTwoLatencySamplingInterval(int interval) {
        assertDoesNotThrow(() -> Scheduler.builder().latencySamplingInterval(interval));
    }

    // ================================================================ a rejected call changes nothing

    @Test
    void rejectedAgentsLeavesEarlierAgents() {
        SchedulerBuilder builder = Scheduler.builder().agents(3);
        assertThrows(IllegalArgumentException.class, () -> builder.agents(0));
        assertThrows(IllegalArgumentException.class, () -> builder.agents(-5));
        try (Scheduler scheduler = builder.build()) {
            assertEquals(3, scheduler.agentCount());
        }
    }

    @Test
    void rejectedCapacitiesLeavesEarlierCapacities() {
        SchedulerBuilder builder = Scheduler.builder().capacities(2.0, 1.0);
        assertThrows(IllegalArgumentException.class, () -> builder.capacities(1.0, Double.NaN, 1.0));
        assertThrows(IllegalArgumentException.class, () -> builder.capacities());
        try (Scheduler scheduler = builder.build()) {
            assertEquals(2, scheduler.agentCount());
            assertEquals(2.0, scheduler.metrics().agents().get(0).capacity());
            assertEquals(1.0, scheduler.metrics().agents().get(1).capacity());
        }
    }

    @Test
    void rejectedNameLeavesEarlierName() {
        String name = "kept-" + UNIQUE.incrementAndGet();
        SchedulerBuilder builder = Scheduler.builder().agents(1).name(name);
        assertThrows(IllegalArgumentException.class, () -> builder.name("  "));
        assertThrows(NullPointerException.class, () -> builder.name(null));
        try (Scheduler scheduler = builder.build()) {
            assertEquals(name, scheduler.name());
        }
    }

    @Test
    void rejectedThreadNamePrefixLeavesEarlierPrefix() throws Exception {
        String prefix = uniquePrefix("kept");
        SchedulerBuilder builder = Scheduler.builder().agents(1).threadNamePrefix(prefix);
        assertThrows(IllegalArgumentException.class, () -> builder.threadNamePrefix(""));
        try (Scheduler scheduler = builder.build()) {
            assertEquals(prefix + "0", call(scheduler, () -> Thread.currentThread().getName()));
        }
    }

    @Test
    void rejectedThreadNamePrefixIsNotRememberedForConflicts() throws Exception {
        SchedulerBuilder builder = Scheduler.builder().agents(1);
        assertThrows(IllegalArgumentException.class, () -> builder.threadNamePrefix(" "));
        assertThrows(NullPointerException.class, () -> builder.threadNamePrefix(null));
        CountingFactory factory = new CountingFactory(uniquePrefix("after-bad-prefix"));
        assertDoesNotThrow(() -> builder.threadFactory(factory));
        try (Scheduler scheduler = builder.build()) {
            assertEquals(1, factory.calls.get());
            Thread ran = call(scheduler, Thread::currentThread);
            assertSame(factory.created.get(0), ran);
        }
    }

    @Test
    void rejectedThreadFactoryIsNotRememberedForConflicts() throws Exception {
        String prefix = uniquePrefix("after-null-factory");
        SchedulerBuilder builder = Scheduler.builder().agents(1);
        assertThrows(NullPointerException.class, () -> builder.threadFactory(null));
        assertDoesNotThrow(() -> builder.threadNamePrefix(prefix).daemon(true));
        try (Scheduler scheduler = builder.build()) {
            assertEquals(prefix + "0", call(scheduler, () -> Thread.currentThread().getName()));
        }
    }

    @Test
    void rejectedStealThresholdIsNotRememberedForConflicts() {
        SchedulerBuilder builder = Scheduler.builder();
        assertThrows(IllegalArgumentException.class, () -> builder.stealThreshold(-1));
        assertDoesNotThrow(() -> builder.stealPolicy(StealPolicies.randomStride()));
    }

    @Test
    void rejectedMaxQueuedTasksLeavesEarlierBoundAndBehaviour() throws Exception {
        SchedulerBuilder builder = Scheduler.builder().agents(1).maxQueuedTasks(1, RejectionBehaviour.DISCARD);
        assertThrows(NullPointerException.class, () -> builder.maxQueuedTasks(100, null));
        assertThrows(IllegalArgumentException.class, () -> builder.maxQueuedTasks(0, RejectionBehaviour.ABORT));
        assertThrows(IllegalArgumentException.class, () -> builder.maxQueuedTasks(-1));
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (Scheduler scheduler = builder.build()) {
            try {
                scheduler.execute(() -> {
                    started.countDown();
                    awaitQuietly(release);
                });
                assertTrue(started.await(TIMEOUT_SECONDS, TimeUnit.SECONDS));
                Future<?> queued = scheduler.submit(() -> { });
                Future<?> overBound = scheduler.submit(() -> { });   // the bound of 1 with DISCARD
                assertTrue(overBound.isCancelled(), "a task over the bound of 1 should be discarded");
                assertEquals(1, scheduler.metrics().discarded());
                assertFalse(queued.isDone());
            } finally {
                release.countDown();
            }
        }
    }

    @Test
    void rejectedConflictLeavesEarlierThreadFactory() throws Exception {
        CountingFactory factory = new CountingFactory(uniquePrefix("kept-factory"));
        SchedulerBuilder builder = Scheduler.builder().agents(2).threadFactory(factory);
        assertThrows(IllegalStateException.class, () -> builder.daemon(false));
        assertThrows(IllegalStateException.class, () -> builder.threadNamePrefix("nope-"));
        try (Scheduler scheduler = builder.build()) {
            assertEquals(2, factory.calls.get());
            assertTrue(factory.created.contains(callOn(scheduler, 1, Thread::currentThread)));
        }
    }

    @Test
    void rejectedConflictingAgentsLeavesCapacities() {
        SchedulerBuilder builder = Scheduler.builder().capacities(3.0, 1.0);
        assertThrows(IllegalStateException.class, () -> builder.agents(3));
        try (Scheduler scheduler = builder.build()) {
            assertEquals(2, scheduler.agentCount());
            assertEquals(3.0, scheduler.metrics().agents().get(0).capacity());
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ================================================================ conflicts

    @Test
    void rejectsThreadFactoryAfterThreadNamePrefix() {
        SchedulerBuilder builder = Scheduler.builder().threadNamePrefix("p-");
        assertThrows(IllegalStateException.class, () -> builder.threadFactory(Thread::new));
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void rejectsThreadFactoryAfterDaemon(boolean daemon) {
        SchedulerBuilder builder = Scheduler.builder().daemon(daemon);
        assertThrows(IllegalStateException.class, () -> builder.threadFactory(Thread::new));
    }

    @Test
    void rejectsThreadNamePrefixAfterThreadFactory() {
        SchedulerBuilder builder = Scheduler.builder().threadFactory(Thread::new);
        assertThrows(IllegalStateException.class, () -> builder.threadNamePrefix("p-"));
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void rejectsDaemonAfterThreadFactory(boolean daemon) {
        SchedulerBuilder builder = Scheduler.builder().threadFactory(Thread::new);
        assertThrows(IllegalStateException.class, () -> builder.daemon(daemon));
    }

    @Test
    void allowsThreadNamePrefixWithDaemon() {
        assertDoesNotThrow(() -> Scheduler.builder().daemon(false).threadNamePrefix("p-").daemon(true));
    }

    @Test
    void rejectsStealPolicyAfterStealThreshold() {
        SchedulerBuilder builder = Scheduler.builder().stealThreshold(4);
        assertThrows(IllegalStateException.class, () -> builder.stealPolicy(StealPolicies.randomStride()));
    }

    @Test
    void rejectsStealThresholdAfterStealPolicy() {
        SchedulerBuilder builder = Scheduler.builder().stealPolicy(StealPolicies.powerOfTwoChoices());
        assertThrows(IllegalStateException.class, () -> builder.stealThreshold(4));
    }

    @Test
    void allowsStealThresholdTwice() {
        assertDoesNotThrow(() -> Scheduler.builder().stealThreshold(1).stealThreshold(2));
    }

    @Test
    void rejectsAgentsContradictingCapacities() {
        SchedulerBuilder builder = Scheduler.builder().capacities(1.0, 1.0, 1.0);
        assertThrows(IllegalStateException.class, () -> builder.agents(2));
        assertThrows(IllegalStateException.class, () -> builder.agents(4));
    }

    @Test
    void rejectsCapacitiesContradictingAgents() {
        SchedulerBuilder builder = Scheduler.builder().agents(2);
        assertThrows(IllegalStateException.class, () -> builder.capacities(1.0, 1.0, 1.0));
        assertThrows(IllegalStateException.class, () -> builder.capacities(1.0));
    }

    @Test
    void allowsAgentsMatchingCapacitiesInEitherOrder() {
        assertDoesNotThrow(() -> Scheduler.builder().agents(2).capacities(1.0, 2.0));
        assertDoesNotThrow(() -> Scheduler.builder().capacities(1.0, 2.0).agents(2));
    }

    // ================================================================ defaults and effects

    @Test
    void defaultAgentCountIsAvailableProcessors() {
        try (Scheduler scheduler = Scheduler.builder().build()) {
            assertEquals(Runtime.getRuntime().availableProcessors(), scheduler.agentCount());
            assertEquals(scheduler.agentCount(), scheduler.metrics().agents().size());
        }
    }

    @Test
    void agentsSetsTheAgentCountWithUnitCapacities() {
        try (Scheduler scheduler = Scheduler.builder().agents(3).build()) {
            assertEquals(3, scheduler.agentCount());
            for (AgentMetrics agent : scheduler.metrics().agents()) {
                assertEquals(1.0, agent.capacity());
            }
        }
    }

    @Test
    void capacitiesSetTheAgentCountAndEachCapacity() {
        try (Scheduler scheduler = Scheduler.builder().capacities(2, 1, 1).build()) {
            assertEquals(3, scheduler.agentCount());
            List<AgentMetrics> agents = scheduler.metrics().agents();
            assertEquals(2.0, agents.get(0).capacity());
            assertEquals(1.0, agents.get(1).capacity());
            assertEquals(1.0, agents.get(2).capacity());
        }
    }

    @Test
    void capacitiesAreCopiedWhenSet() {
        double[] capacities = {2.0, 1.0};
        SchedulerBuilder builder = Scheduler.builder().capacities(capacities);
        capacities[0] = 7.0;
        try (Scheduler scheduler = builder.build()) {
            assertEquals(2.0, scheduler.metrics().agents().get(0).capacity());
        }
    }

    @Test
    void defaultNameAndThreadNames() throws Exception {
        try (Scheduler scheduler = Scheduler.builder().agents(2).build()) {
            String name = scheduler.name();
            assertTrue(name.matches("loadstar-\\d+"), () -> "default name: " + name);
            assertEquals(name + "-agent-0", callOn(scheduler, 0, () -> Thread.currentThread().getName()));
            assertEquals(name + "-agent-1", callOn(scheduler, 1, () -> Thread.currentThread().getName()));
        }
    }

    @Test
    void eachBuildGetsItsOwnDefaultName() {
        SchedulerBuilder builder = Scheduler.builder().agents(1);
        try (Scheduler first = builder.build(); Scheduler second = builder.build()) {
            assertNotEquals(first.name(), second.name());
        }
    }

    @Test
    void nameShowsInNameAndThreadNames() throws Exception {
        String name = "ingest-" + UNIQUE.incrementAndGet();
        try (Scheduler scheduler = Scheduler.builder().agents(1).name(name).build()) {
            assertEquals(name, scheduler.name());
            assertEquals(name + "-agent-0", call(scheduler, () -> Thread.currentThread().getName()));
            assertEquals(name + "-agent-0", scheduler.metrics().agents().get(0).thread());
        }
    }

    @Test
    void threadNamePrefixShowsInThreadNames() throws Exception {
        String prefix = uniquePrefix("worker");
        try (Scheduler scheduler = Scheduler.builder().agents(2).name("named").threadNamePrefix(prefix).build()) {
            assertEquals("named", scheduler.name());
            assertEquals(prefix + "0", callOn(scheduler, 0, () -> Thread.currentThread().getName()));
            assertEquals(prefix + "1", callOn(scheduler, 1, () -> Thread.currentThread().getName()));
        }
    }

    @Test
    void threadsAreDaemonsByDefault() throws Exception {
        try (Scheduler scheduler = Scheduler.builder().agents(1).build()) {
            assertTrue(call(scheduler, () -> Thread.currentThread().isDaemon()));
        }
    }

    @Test
    void daemonFalseMakesNonDaemonThreads() throws Exception {
        try (Scheduler scheduler = Scheduler.builder().agents(2).daemon(false).build()) {
            assertFalse(callOn(scheduler, 0, () -> Thread.currentThread().isDaemon()));
            assertFalse(callOn(scheduler, 1, () -> Thread.currentThread().isDaemon()));
        }
    }

    @Test
    void customThreadFactoryMakesEveryAgentThread() throws Exception {
        CountingFactory factory = new CountingFactory(uniquePrefix("custom"));
        try (Scheduler scheduler = Scheduler.builder().agents(3).threadFactory(factory).build()) {
            assertEquals(3, factory.calls.get());
            for (int agent = 0; agent < 3; agent++) {
                Thread ran = callOn(scheduler, agent, Thread::currentThread);
                assertTrue(factory.created.contains(ran), () -> "task ran on " + ran + ", not a factory thread");
            }
        }
        assertEquals(3, factory.calls.get(), "no thread is made after build");
    }

    @Test
    void idleStrategySupplierIsCalledOncePerAgent() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Supplier<IdleStrategy> supplier = () -> {
            calls.incrementAndGet();
            return new BusySpinIdleStrategy();
        };
        try (Scheduler scheduler = Scheduler.builder().agents(3).spinRounds(0).idleStrategy(supplier).build()) {
            assertEquals(3, calls.get());
            assertEquals(7, call(scheduler, () -> 7), "agents that park at once still run work");
        }
    }

    /** A placement policy that always answers {@code agent} and counts its calls. */
    private static final class FixedPlacement implements PlacementPolicy {
        final int agent;
        final AtomicInteger calls = new AtomicInteger();

        FixedPlacement(int agent) {
            this.agent = agent;
        }

        @Override
        public int place(TaskOptions options, AgentLoads loads, int random) {
            calls.incrementAndGet();
            return agent;
        }

        @Override
        public String name() {
            return "fixed(" + agent + ")";
        }
    }

    /** Records the agent each submission was placed on, as reported by {@code onSubmitted}. */
    private static final class PlacementRecorder implements SchedulerListener {
        final List<Integer> agents = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void onSubmitted(Object task, TaskOptions options, int agent) {
            agents.add(agent);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 0, PlacementPolicy.ANY_AGENT})
    void placementPolicyPlacesExternalTasks(int agent) throws Exception {
        FixedPlacement placement = new FixedPlacement(agent);
        PlacementRecorder recorder = new PlacementRecorder();
        try (Scheduler scheduler = Scheduler.builder().agents(3).placementPolicy(placement)
                .listener(recorder).build()) {
            for (int i = 0; i < 4; i++) {
                int expected = i;
                assertEquals(expected, call(scheduler, () -> expected));
            }
            assertEquals(4, placement.calls.get());
            assertEquals(List.of(agent, agent, agent, agent), recorder.agents);
        }
    }

    @Test
    void stealPolicyIsConsulted() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        StealPolicy counting = new StealPolicy() {
            @Override
            public int selectVictims(int thief, AgentLoads loads, int random, int[] victims) {
                calls.incrementAndGet();
                return 0;
            }

            @Override
            public String name() {
                return "counting";
            }
        };
        try (Scheduler scheduler = Scheduler.builder().agents(2).stealPolicy(counting).build()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            // pinned tasks wake their own agent whatever the steal policy, and leave it searching after
            for (int i = 0; calls.get() == 0 && System.nanoTime() - deadline < 0; i++) {
                callOn(scheduler, i % 2, () -> 1);
            }
            assertTrue(calls.get() > 0, "an idle agent should ask the steal policy for victims");
        }
    }

    @Test
    void listenersAreNotified() throws Exception {
        AtomicInteger first = new AtomicInteger();
        AtomicInteger second = new AtomicInteger();
        SchedulerListener one = new SchedulerListener() {
            @Override
            public void onSubmitted(Object task, TaskOptions options, int agent) {
                first.incrementAndGet();
            }
        };
        SchedulerListener two = new SchedulerListener() {
            @Override
            public void onSubmitted(Object task, TaskOptions options, int agent) {
                second.incrementAndGet();
            }
        };
        try (Scheduler scheduler = Scheduler.builder().agents(1).listener(one).listener(two).build()) {
            call(scheduler, () -> 1);
            call(scheduler, () -> 2);
        }
        assertEquals(2, first.get());
        assertEquals(2, second.get());
    }

    @Test
    void singleArgumentMaxQueuedTasksAborts() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (Scheduler scheduler = Scheduler.builder().agents(1).maxQueuedTasks(1).build()) {
            try {
                scheduler.execute(() -> {
                    started.countDown();
                    awaitQuietly(release);
                });
                assertTrue(started.await(TIMEOUT_SECONDS, TimeUnit.SECONDS));
                scheduler.execute(() -> { });
                assertThrows(RejectedExecutionException.class, () -> scheduler.execute(() -> { }));
                assertEquals(1, scheduler.metrics().rejected());
            } finally {
                release.countDown();
            }
        }
    }

    @Test
    void builderBuildsIndependentSchedulers() throws Exception {
        SchedulerBuilder builder = Scheduler.builder().agents(2);
        Scheduler first = builder.build();
        try (Scheduler second = builder.agents(2).build()) {
            first.close();
            assertTrue(first.isTerminated());
            assertFalse(second.isShutdown());
            assertEquals(5, call(second, () -> 5));
        } finally {
            first.close();
        }
    }

    // ================================================================ failing thread factories

    /** Builds with a factory that makes {@code good} threads named {@code prefix<n>}, then fails as told. */
    private static List<Thread> buildWithFailingFactory(String prefix, int good, Consumer<Integer> failure,
                                                        Class<? extends Throwable> expectedCause) {
        List<Thread> created = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger calls = new AtomicInteger();
        ThreadFactory factory = r -> {
            int n = calls.getAndIncrement();
            if (n >= good) {
                failure.accept(n);
                return null;
            }
            Thread t = new Thread(r, prefix + n);
            created.add(t);
            return t;
        };
        SchedulerBuilder builder = Scheduler.builder().agents(good + 2).threadFactory(factory);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
            try (Scheduler leaked = builder.build()) {
                leaked.shutdownNow();
            }
        });
        if (expectedCause != null) {
            assertNotNull(e.getCause(), "the factory's failure should be the cause");
            assertSame(expectedCause, e.getCause().getClass());
        }
        assertEquals(good + 1, calls.get(), "build should stop at the first failure");
        return created;
    }

    private static void assertNoThreadRuns(String prefix, List<Thread> created) throws InterruptedException {
        Thread.sleep(20);   // a thread started by mistake would be alive by now (and stays alive: agents park)
        assertEquals(List.of(), liveThreadsNamed(prefix));
        for (Thread t : created) {
            assertFalse(t.isAlive(), () -> t.getName() + " was started by a build that failed");
            assertEquals(Thread.State.NEW, t.getState(), () -> t.getName() + " was started by a build that failed");
        }
    }

    @Test
    void threadFactoryReturningNullFailsBuildWithoutRunningThreads() throws Exception {
        String prefix = uniquePrefix("null");
        List<Thread> created = buildWithFailingFactory(prefix, 2, n -> { }, null);
        assertEquals(2, created.size());
        assertNoThreadRuns(prefix, created);
    }

    @Test
    void threadFactoryReturningNullAtOnceFailsBuild() throws Exception {
        String prefix = uniquePrefix("null-first");
        List<Thread> created = buildWithFailingFactory(prefix, 0, n -> { }, null);
        assertEquals(0, created.size());
        assertNoThreadRuns(prefix, created);
    }

    @Test
    void threadFactoryThrowingFailsBuildWithoutRunningThreads() throws Exception {
        String prefix = uniquePrefix("throws");
        List<Thread> created = buildWithFailingFactory(prefix, 2, n -> {
            throw new UnsupportedOperationException("no thread for agent " + n);
        }, UnsupportedOperationException.class);
        assertNoThreadRuns(prefix, created);
    }

    @Test
    void threadFactoryThrowingErrorFailsBuildWithoutRunningThreads() throws Exception {
        String prefix = uniquePrefix("error");
        List<Thread> created = buildWithFailingFactory(prefix, 1, n -> {
            throw new OutOfMemoryError("simulated: unable to create thread " + n);
        }, OutOfMemoryError.class);
        assertNoThreadRuns(prefix, created);
    }

    @Test
    void builderStillWorksAfterAFailedBuild() throws Exception {
        AtomicReference<Boolean> fail = new AtomicReference<>(true);
        CountingFactory good = new CountingFactory(uniquePrefix("recovered"));
        ThreadFactory flaky = r -> fail.get() ? null : good.newThread(r);
        SchedulerBuilder builder = Scheduler.builder().agents(2).threadFactory(flaky);
        assertThrows(IllegalStateException.class, builder::build);
        fail.set(false);
        try (Scheduler scheduler = builder.build()) {
            assertEquals(2, good.calls.get());
            assertEquals(9, call(scheduler, () -> 9));
        }
    }
}
