package io.github.loadstar.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.loadstar.core.metrics.AgentMetrics;
import io.github.loadstar.core.metrics.AgentState;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@link java.util.concurrent.ExecutorService} contract, as the JSR-166 TCK
 * ({@code AbstractExecutorServiceTest}, {@code ThreadPoolExecutorTest}) checks it, for
 * {@code Scheduler.builder().agents(n).build()}; plus the lifecycle and failure guarantees that
 * {@link Scheduler} and {@link TaskFuture} document on top of it.
 *
 * <p>Tasks that must stay queued are held back by first blocking every agent with a task that waits
 * on {@link #release}; such tasks wait interruptibly, so {@code shutdownNow} (which {@link #tearDown}
 * calls on every scheduler a test made) always ends them.
 */
@Timeout(30)
final class ExecutorContractTest {
    private static final long WAIT_SECONDS = 10;

    /** Opened by a test (or by tearDown) to let blocking tasks finish. */
    private final CountDownLatch release = new CountDownLatch(1);
    private final List<Scheduler> schedulers = new CopyOnWriteArrayList<>();

    @AfterEach
    void tearDown() throws InterruptedException {
        release.countDown();
        List<String> stuck = new ArrayList<>();
        for (Scheduler s : schedulers) {
            s.shutdownNow();
            if (!s.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS)) {
                stuck.add(s.toString());
            }
        }
        assertTrue(stuck.isEmpty(), "schedulers did not terminate: " + stuck);
    }

    // ================================================================ fixtures

    private Scheduler scheduler(int agents) {
        return register(Scheduler.builder().agents(agents).build());
    }

    private Scheduler scheduler(SchedulerBuilder builder) {
        return register(builder.build());
    }

    private Scheduler register(Scheduler s) {
        schedulers.add(s);
        return s;
    }

    /** Makes daemon threads, remembers them, and records what reaches their uncaught-exception handler. */
    static final class RecordingThreadFactory implements ThreadFactory {
        final List<Thread> threads = new CopyOnWriteArrayList<>();
        final List<Throwable> uncaught = new CopyOnWriteArrayList<>();
        final List<Thread> uncaughtOn = new CopyOnWriteArrayList<>();
        final Semaphore uncaughtCalls = new Semaphore(0);

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "contract-agent-" + threads.size());
            t.setDaemon(true);
            t.setUncaughtExceptionHandler((thread, e) -> {
                uncaughtOn.add(thread);
                uncaught.add(e);
                uncaughtCalls.release();
            });
            threads.add(t);
            return t;
        }

        int created() {
            return threads.size();
        }
    }

    /** One task per agent, each waiting on {@link #release}. */
    final class Blockers {
        final CountDownLatch started;
        final AtomicInteger interrupted = new AtomicInteger();
        final AtomicInteger finishedNormally = new AtomicInteger();
        final List<Thread> threads = new CopyOnWriteArrayList<>();

        Blockers(int n) {
            started = new CountDownLatch(n);
        }

        void block() {
            threads.add(Thread.currentThread());
            started.countDown();
            try {
                release.await();
                finishedNormally.incrementAndGet();
            } catch (InterruptedException e) {
                interrupted.incrementAndGet();
            }
        }
    }

    /** Blocks every agent of {@code s} and returns once each runs a blocking task. */
    private Blockers blockAllAgents(Scheduler s) throws InterruptedException {
        Blockers b = new Blockers(s.agentCount());
        for (int i = 0; i < s.agentCount(); i++) {
            s.execute(b::block);
        }
        await(b.started, "every agent to start a blocking task");
        return b;
    }

    /** A distinct Runnable object that counts its runs. */
    static final class Counting implements Runnable {
        final AtomicInteger runs;

        Counting(AtomicInteger runs) {
            this.runs = runs;
        }

        @Override
        public void run() {
            runs.incrementAndGet();
        }
    }

    /** A custom Error subclass. */
    static final class CustomError extends Error {
        private static final long serialVersionUID = 1L;

        CustomError(String message) {
            super(message);
        }
    }

    private static void await(CountDownLatch latch, String what) throws InterruptedException {
        assertTrue(latch.await(WAIT_SECONDS, TimeUnit.SECONDS), "timed out waiting for " + what);
    }

    private static void awaitTermination(Scheduler s) throws InterruptedException {
        assertTrue(s.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS), "scheduler did not terminate: " + s);
        assertTrue(s.isTerminated());
    }

    private static void shutdownAndAwait(Scheduler s) throws InterruptedException {
        s.shutdown();
        awaitTermination(s);
    }

    private static void waitUntil(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(1);
        }
    }

    /** Waits (at most WAIT_SECONDS) for {@code latch}, ignoring interrupts. */
    private static void awaitUninterruptibly(CountDownLatch latch) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        for (;;) {
            try {
                latch.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                return;
            } catch (InterruptedException ignored) {
                // keep waiting
            }
        }
    }

    // ================================================================ submit / execute

    @ParameterizedTest(name = "agents={0}")
    @ValueSource(ints = {1, 2, 4})
    void submitCallableReturnsItsValue(int agents) throws Exception {
        Scheduler s = scheduler(agents);
        TaskFuture<Integer> f = s.submit(() -> 6 * 7);
        assertEquals(42, f.get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertTrue(f.isDone());
        assertFalse(f.isCancelled());
    }

    @ParameterizedTest(name = "agents={0}")
    @ValueSource(ints = {1, 2, 4})
    void submitRunnableReturnsNullAndSubmitWithResultReturnsTheResult(int agents) throws Exception {
        Scheduler s = scheduler(agents);
        AtomicInteger runs = new AtomicInteger();
        TaskFuture<?> plain = s.submit(new Counting(runs));
        assertNull(plain.get(WAIT_SECONDS, TimeUnit.SECONDS));
        Object result = new Object();
        TaskFuture<Object> withResult = s.submit(new Counting(runs), result);
        assertSame(result, withResult.get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertEquals(2, runs.get());
    }

    @ParameterizedTest(name = "agents={0}")
    @ValueSource(ints = {1, 2, 4})
    void executeRunsEachTaskExactlyOnce(int agents) throws Exception {
        Scheduler s = scheduler(agents);
        int n = 1_000;
        AtomicIntegerArray runs = new AtomicIntegerArray(n);
        CountDownLatch done = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            int k = i;
            s.execute(() -> {
                runs.incrementAndGet(k);
                done.countDown();
            });
        }
        await(done, "all executed tasks");
        shutdownAndAwait(s);
        for (int i = 0; i < n; i++) {
            assertEquals(1, runs.get(i), "runs of task " + i);
        }
        assertEquals(n, s.metrics().completed());
    }

    @Test
    void nullTasksAreRejectedWithNullPointerException() {
        Scheduler s = scheduler(2);
        assertThrows(NullPointerException.class, () -> s.execute(null));
        assertThrows(NullPointerException.class, () -> s.submit((Runnable) null));
        assertThrows(NullPointerException.class, () -> s.submit((Callable<Object>) null));
        assertThrows(NullPointerException.class, () -> s.submit((Runnable) null, "x"));
    }

    // ================================================================ failures

    static Stream<Arguments> agentsAndListener() {
        return Stream.of(Arguments.of(1, false), Arguments.of(2, false), Arguments.of(4, false),
                Arguments.of(2, true));
    }

    @ParameterizedTest(name = "agents={0}, withListener={1}")
    @MethodSource("agentsAndListener")
    void failedSubmitReportsThroughGetOnlyAndExecuteFailureReachesHandlerOnce(int agents, boolean withListener)
            throws Exception {
        RecordingThreadFactory factory = new RecordingThreadFactory();
        SchedulerBuilder builder = Scheduler.builder().agents(agents).threadFactory(factory);
        List<Throwable> listenerFailures = new CopyOnWriteArrayList<>();
        if (withListener) {     // a listener sends tasks through the observed (timed) paths
            builder.listener(new SchedulerListener() {
                @Override
                public void onFailed(Object task, int agent, Throwable error) {
                    listenerFailures.add(error);
                }
            });
        }
        Scheduler s = scheduler(builder);

        IllegalStateException callableBoom = new IllegalStateException("callable boom");
        TaskFuture<Object> fc = s.submit(() -> {
            throw callableBoom;
        });
        ExecutionException e1 = assertThrows(ExecutionException.class, () -> fc.get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertSame(callableBoom, e1.getCause());
        assertTrue(fc.isDone());
        assertFalse(fc.isCancelled());

        IllegalArgumentException runnableBoom = new IllegalArgumentException("runnable boom");
        TaskFuture<?> fr = s.submit((Runnable) () -> {
            throw runnableBoom;
        });
        ExecutionException e2 = assertThrows(ExecutionException.class, fr::get);
        assertSame(runnableBoom, e2.getCause());

        UnsupportedOperationException executeBoom = new UnsupportedOperationException("execute boom");
        s.execute(() -> {
            throw executeBoom;
        });
        assertTrue(factory.uncaughtCalls.tryAcquire(WAIT_SECONDS, TimeUnit.SECONDS),
                "the execute failure never reached the uncaught-exception handler");

        // the agent carries on with later tasks
        AtomicInteger later = new AtomicInteger();
        List<Future<?>> laters = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            laters.add(s.submit(new Counting(later)));
        }
        for (Future<?> f : laters) {
            assertNull(f.get(WAIT_SECONDS, TimeUnit.SECONDS));
        }
        assertEquals(50, later.get());

        shutdownAndAwait(s);
        assertEquals(List.of(executeBoom), factory.uncaught,
                "exactly the execute failure reaches the handler, exactly once; submit failures do not");
        assertTrue(factory.threads.contains(factory.uncaughtOn.get(0)), "reported on an agent thread");
        assertEquals(agents, factory.created(), "a RuntimeException must not replace the agent thread");
        assertEquals(3, s.metrics().failed(), "failed counts submit and execute failures");
        if (withListener) {
            assertEquals(3, listenerFailures.size(), "onFailed calls: " + listenerFailures);
        }
    }

    @Test
    void executeFailureOnTheOnlyAgentDoesNotStopIt() throws Exception {
        RecordingThreadFactory factory = new RecordingThreadFactory();
        Scheduler s = scheduler(Scheduler.builder().agents(1).threadFactory(factory));
        for (int i = 0; i < 5; i++) {
            s.execute(() -> {
                throw new IllegalStateException("boom");
            });
        }
        assertEquals("still running", s.submit(() -> "still running").get(WAIT_SECONDS, TimeUnit.SECONDS));
        shutdownAndAwait(s);
        assertEquals(5, factory.uncaught.size());
        assertEquals(1, factory.created());
        assertEquals(5, s.metrics().failed());
    }

    // ================================================================ invokeAll / invokeAny

    @Test
    void invokeAllOfEmptyListReturnsEmptyList() throws Exception {
        Scheduler s = scheduler(2);
        assertTrue(s.invokeAll(new ArrayList<Callable<Object>>()).isEmpty());
        assertTrue(s.invokeAll(new ArrayList<Callable<Object>>(), 1, TimeUnit.SECONDS).isEmpty());
    }

    @ParameterizedTest(name = "agents={0}")
    @ValueSource(ints = {1, 2, 4})
    void invokeAllReturnsDoneFuturesInOrder(int agents) throws Exception {
        Scheduler s = scheduler(agents);
        List<Callable<Integer>> tasks = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int k = i;
            tasks.add(() -> {
                if (k % 3 == 0) {
                    Thread.sleep(1);
                }
                return k;
            });
        }
        List<Future<Integer>> futures = s.invokeAll(tasks);
        assertEquals(20, futures.size());
        for (int i = 0; i < 20; i++) {
            Future<Integer> f = futures.get(i);
            assertTrue(f.isDone(), "future " + i + " done");
            assertEquals(i, f.get());
        }
        List<Future<Integer>> timed = s.invokeAll(tasks, WAIT_SECONDS, TimeUnit.SECONDS);
        for (int i = 0; i < 20; i++) {
            assertTrue(timed.get(i).isDone());
            assertEquals(i, timed.get(i).get());
        }
    }

    @Test
    void invokeAllReportsFailuresThroughTheFutures() throws Exception {
        Scheduler s = scheduler(2);
        IllegalStateException boom = new IllegalStateException("boom");
        List<Callable<String>> tasks = List.of(() -> "a", () -> {
            throw boom;
        }, () -> "c");
        List<Future<String>> futures = s.invokeAll(tasks);
        assertEquals("a", futures.get(0).get());
        assertSame(boom, assertThrows(ExecutionException.class, () -> futures.get(1).get()).getCause());
        assertEquals("c", futures.get(2).get());
    }

    @Test
    void timedInvokeAllCancelsUnfinishedTasksOnTimeout() throws Exception {
        Scheduler s = scheduler(2);
        AtomicInteger interrupted = new AtomicInteger();
        AtomicInteger finishedNormally = new AtomicInteger();
        Callable<String> blocker = () -> {
            try {
                release.await();
                finishedNormally.incrementAndGet();
                return "late";
            } catch (InterruptedException e) {
                interrupted.incrementAndGet();
                throw e;
            }
        };
        List<Callable<String>> tasks = List.of(() -> "quick", blocker, blocker);
        List<Future<String>> futures = s.invokeAll(tasks, 100, TimeUnit.MILLISECONDS);
        assertEquals(3, futures.size());
        for (Future<String> f : futures) {
            assertTrue(f.isDone(), "every returned future is done");
        }
        assertTrue(futures.get(1).isCancelled());
        assertTrue(futures.get(2).isCancelled());
        assertThrows(CancellationException.class, () -> futures.get(1).get());
        Future<String> quick = futures.get(0);
        if (!quick.isCancelled()) {     // on a very slow machine even the quick one may time out
            assertEquals("quick", quick.get());
        }
        release.countDown();
        shutdownAndAwait(s);
        assertEquals(0, finishedNormally.get(), "a cancelled blocker ran to completion");
        assertEquals(0, s.metrics().failed(), "cancelled tasks are not failures");
    }

    @Test
    void invokeAllWithNullsThrowsNullPointerException() {
        Scheduler s = scheduler(2);
        assertThrows(NullPointerException.class, () -> s.invokeAll(null));
        assertThrows(NullPointerException.class, () -> s.invokeAll(null, 1, TimeUnit.SECONDS));
        List<Callable<String>> withNull = new ArrayList<>();
        withNull.add(() -> "a");
        withNull.add(null);
        assertThrows(NullPointerException.class, () -> s.invokeAll(withNull));
        assertThrows(NullPointerException.class, () -> s.invokeAll(withNull, 1, TimeUnit.SECONDS));
        List<Callable<String>> ok = List.of(() -> "a");
        assertThrows(NullPointerException.class, () -> s.invokeAll(ok, 1, null));
    }

    @Test
    void invokeAnyOfEmptyListThrowsIllegalArgumentException() {
        Scheduler s = scheduler(2);
        assertThrows(IllegalArgumentException.class, () -> s.invokeAny(new ArrayList<Callable<Object>>()));
        assertThrows(IllegalArgumentException.class,
                () -> s.invokeAny(new ArrayList<Callable<Object>>(), 1, TimeUnit.SECONDS));
    }

    @Test
    void invokeAnyWithNullsThrowsNullPointerException() {
        Scheduler s = scheduler(2);
        assertThrows(NullPointerException.class, () -> s.invokeAny(null));
        // null first: invokeAny submits tasks one at a time and may return as soon as one has
        // completed, so a null after a quick task is not "subject to execution" (the JDK's
        // AbstractExecutorService, and so ThreadPoolExecutor, returns "a" then; seen once on JDK 25)
        List<Callable<String>> withNull = new ArrayList<>();
        withNull.add(null);
        withNull.add(() -> "a");
        assertThrows(NullPointerException.class, () -> s.invokeAny(withNull));
    }

    @ParameterizedTest(name = "agents={0}")
    @ValueSource(ints = {1, 2, 4})
    void invokeAnyWhereAllFailThrowsExecutionException(int agents) {
        Scheduler s = scheduler(agents);
        List<Callable<String>> tasks = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            tasks.add(() -> {
                throw new IllegalStateException("boom");
            });
        }
        ExecutionException e = assertThrows(ExecutionException.class, () -> s.invokeAny(tasks));
        assertTrue(e.getCause() instanceof IllegalStateException, "cause: " + e.getCause());
        ExecutionException timed = assertThrows(ExecutionException.class,
                () -> s.invokeAny(tasks, WAIT_SECONDS, TimeUnit.SECONDS));
        assertTrue(timed.getCause() instanceof IllegalStateException, "cause: " + timed.getCause());
    }

    @ParameterizedTest(name = "agents={0}")
    @ValueSource(ints = {1, 2, 4})
    void invokeAnyReturnsOneOfTheSuccessfulResults(int agents) throws Exception {
        Scheduler s = scheduler(agents);
        List<Callable<String>> tasks = List.of(
                () -> {
                    throw new IllegalStateException("boom");
                },
                () -> "a",
                () -> {
                    throw new IllegalStateException("boom");
                },
                () -> "b");
        String any = s.invokeAny(tasks);
        assertTrue(any.equals("a") || any.equals("b"), any);
        String timed = s.invokeAny(tasks, WAIT_SECONDS, TimeUnit.SECONDS);
        assertTrue(timed.equals("a") || timed.equals("b"), timed);
    }

    @Test
    void timedInvokeAnyTimesOutWhenNothingFinishes() {
        Scheduler s = scheduler(2);
        Callable<String> blocker = () -> {
            release.await();
            return "late";
        };
        assertThrows(TimeoutException.class, () -> s.invokeAny(List.of(blocker, blocker), 50, TimeUnit.MILLISECONDS));
    }

    // ================================================================ shutdown

    @Test
    void submissionsAfterShutdownAreRejected() throws Exception {
        Scheduler s = scheduler(2);
        assertFalse(s.isShutdown());
        s.shutdown();
        assertTrue(s.isShutdown());
        AtomicInteger runs = new AtomicInteger();
        assertThrows(RejectedExecutionException.class, () -> s.execute(new Counting(runs)));
        assertThrows(RejectedExecutionException.class, () -> s.submit(new Counting(runs)));
        assertThrows(RejectedExecutionException.class, () -> s.submit(new Counting(runs), "x"));
        assertThrows(RejectedExecutionException.class, () -> s.submit(() -> runs.incrementAndGet()));
        assertThrows(RejectedExecutionException.class, () -> s.invokeAll(List.of(() -> runs.incrementAndGet())));
        assertThrows(RejectedExecutionException.class, () -> s.invokeAny(List.of(() -> runs.incrementAndGet())));
        awaitTermination(s);
        assertEquals(0, runs.get());
        assertTrue(s.metrics().rejected() >= 4, "rejected: " + s.metrics().rejected());
    }

    @Test
    void submissionsAfterShutdownNowAreRejected() throws Exception {
        Scheduler s = scheduler(2);
        assertTrue(s.shutdownNow().isEmpty());
        assertTrue(s.isShutdown());
        AtomicInteger runs = new AtomicInteger();
        assertThrows(RejectedExecutionException.class, () -> s.execute(new Counting(runs)));
        assertThrows(RejectedExecutionException.class, () -> s.submit(() -> runs.incrementAndGet()));
        awaitTermination(s);
        assertThrows(RejectedExecutionException.class, () -> s.execute(new Counting(runs)));
        assertEquals(0, runs.get());
    }

    @ParameterizedTest(name = "agents={0}")
    @ValueSource(ints = {1, 2, 4})
    void previouslySubmittedTasksCompleteAfterShutdown(int agents) throws Exception {
        Scheduler s = scheduler(agents);
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < 100; i++) {
            s.execute(() -> {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                ran.incrementAndGet();
            });
        }
        s.shutdown();
        assertTrue(s.isShutdown());
        assertTrue(s.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS));
        assertTrue(s.isTerminated());
        assertEquals(100, ran.get());
        assertEquals(100, s.metrics().completed());
    }

    @Test
    void shutdownOfIdleSchedulerTerminatesAndIsIdempotent() throws Exception {
        Scheduler s = scheduler(2);
        assertFalse(s.isTerminated());
        s.shutdown();
        s.shutdown();
        awaitTermination(s);
        s.shutdown();
        assertTrue(s.shutdownNow().isEmpty());
        assertTrue(s.isTerminated());
    }

    static Stream<Arguments> agentsAndThreads() {
        return Stream.of(Arguments.of(1, false), Arguments.of(2, false), Arguments.of(4, false),
                Arguments.of(2, true));
    }

    @ParameterizedTest(name = "agents={0}, customThreadFactory={1}")
    @MethodSource("agentsAndThreads")
    void runningTaskMaySubmitSubtasksAfterShutdown(int agents, boolean customThreads) throws Exception {
        SchedulerBuilder builder = Scheduler.builder().agents(agents);
        if (customThreads) {
            builder.threadFactory(new RecordingThreadFactory());
        }
        Scheduler s = scheduler(builder);
        CountDownLatch inTask = new CountDownLatch(1);
        CountDownLatch shutdownCalled = new CountDownLatch(1);
        AtomicInteger subtasks = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        s.execute(() -> {
            inTask.countDown();
            awaitUninterruptibly(shutdownCalled);
            try {
                s.execute(new Counting(subtasks));
                s.submit(new Counting(subtasks));
                s.submit(() -> subtasks.incrementAndGet());
                s.submit(() -> s.execute(new Counting(subtasks)));      // a grandchild, too
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        await(inTask, "the parent task to start");
        s.shutdown();
        assertThrows(RejectedExecutionException.class, () -> s.execute(new Counting(subtasks)),
                "an outside submission after shutdown must still be rejected");
        shutdownCalled.countDown();
        awaitTermination(s);
        assertNull(failure.get(), "a running task's submission was rejected after shutdown()");
        assertEquals(4, subtasks.get());
    }

    @ParameterizedTest(name = "agents={0}, customThreadFactory={1}")
    @MethodSource("agentsAndThreads")
    void runningTaskCannotSubmitAfterShutdownNow(int agents, boolean customThreads) throws Exception {
        SchedulerBuilder builder = Scheduler.builder().agents(agents);
        if (customThreads) {
            builder.threadFactory(new RecordingThreadFactory());
        }
        Scheduler s = scheduler(builder);
        CountDownLatch inTask = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        CountDownLatch tried = new CountDownLatch(1);
        AtomicInteger subtasks = new AtomicInteger();
        List<Throwable> outcomes = new CopyOnWriteArrayList<>();
        s.execute(() -> {
            inTask.countDown();
            awaitUninterruptibly(stopped);
            try {
                s.execute(new Counting(subtasks));
                outcomes.add(new AssertionError("execute accepted"));
            } catch (Throwable t) {
                outcomes.add(t);
            }
            try {
                s.submit(() -> subtasks.incrementAndGet());
                outcomes.add(new AssertionError("submit accepted"));
            } catch (Throwable t) {
                outcomes.add(t);
            }
            tried.countDown();
        });
        await(inTask, "the parent task to start");
        assertTrue(s.shutdownNow().isEmpty());
        stopped.countDown();
        await(tried, "the parent task to try its submissions");
        awaitTermination(s);
        assertEquals(2, outcomes.size());
        for (Throwable t : outcomes) {
            assertTrue(t instanceof RejectedExecutionException, "expected rejection, got " + t);
        }
        assertEquals(0, subtasks.get());
    }

    @ParameterizedTest(name = "agents={0}")
    @ValueSource(ints = {1, 2, 4})
    void shutdownNowReturnsExactlyTheTasksThatNeverStarted(int agents) throws Exception {
        Scheduler s = scheduler(agents);
        Blockers blockers = blockAllAgents(s);
        AtomicInteger ran = new AtomicInteger();
        List<Runnable> executed = new ArrayList<>();
        List<TaskFuture<?>> submitted = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Runnable r = new Counting(ran);
            executed.add(r);
            s.execute(r);
        }
        for (int i = 0; i < 10; i++) {
            submitted.add(s.submit(new Counting(ran)));
        }

        List<Runnable> returned = s.shutdownNow();

        assertTrue(s.isShutdown());
        assertEquals(30, returned.size(), "returned: " + returned);
        Set<Object> byIdentity = Collections.newSetFromMap(new IdentityHashMap<>());
        byIdentity.addAll(returned);
        assertEquals(30, byIdentity.size(), "a task was returned twice");
        for (Runnable r : executed) {
            assertTrue(byIdentity.contains(r), "executed Runnable not returned as itself: " + r);
        }
        for (TaskFuture<?> f : submitted) {
            assertTrue(byIdentity.contains(f), "submitted task not returned as its TaskFuture: " + f);
        }

        // the interrupts alone must end the blocking tasks, so the scheduler terminates with the
        // latch still closed. (Opening it at once raced the interrupts: a blocker still entering
        // await could see the latch open before it looked at its interrupt flag, and return
        // normally with the flag set — seen under load, about once in 1,500 runs.)
        awaitTermination(s);
        release.countDown();
        assertEquals(0, ran.get(), "a task returned by shutdownNow ran");
        assertEquals(agents, blockers.interrupted.get(), "running tasks were not interrupted");
        assertEquals(0, blockers.finishedNormally.get());
        assertTrue(s.shutdownNow().isEmpty(), "a second shutdownNow returns nothing");
    }

    // ================================================================ awaitTermination

    @Test
    void awaitTerminationTimesOutWhileTasksRun() throws Exception {
        Scheduler s = scheduler(2);
        blockAllAgents(s);
        assertFalse(s.awaitTermination(50, TimeUnit.MILLISECONDS), "not even shut down");
        s.shutdown();
        assertFalse(s.awaitTermination(50, TimeUnit.MILLISECONDS));
        assertFalse(s.awaitTermination(0, TimeUnit.SECONDS));
        assertFalse(s.awaitTermination(-1, TimeUnit.SECONDS));
        assertFalse(s.isTerminated());
        release.countDown();
        assertTrue(s.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS));
        assertTrue(s.isTerminated());
        assertTrue(s.awaitTermination(0, TimeUnit.SECONDS));
        assertTrue(s.awaitTermination(-5, TimeUnit.MILLISECONDS));
    }

    @Test
    void awaitTerminationWithNullUnitThrowsNullPointerException() throws Exception {
        Scheduler s = scheduler(2);
        assertThrows(NullPointerException.class, () -> s.awaitTermination(1, null));
        shutdownAndAwait(s);
        assertThrows(NullPointerException.class, () -> s.awaitTermination(1, null));
    }

    // ================================================================ close

    @ParameterizedTest(name = "agents={0}")
    @ValueSource(ints = {1, 2, 4})
    void closeWaitsForQueuedTasks(int agents) {
        Scheduler s = scheduler(agents);
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < 50; i++) {
            s.execute(() -> {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
                ran.incrementAndGet();
            });
        }
        s.close();
        assertTrue(s.isTerminated());
        assertEquals(50, ran.get());
        s.close();      // idempotent
        assertTrue(s.isTerminated());
        assertFalse(Thread.currentThread().isInterrupted());
    }

    @Test
    void tryWithResourcesClosesTheScheduler() throws Exception {
        Scheduler leaked;
        try (Scheduler s = scheduler(2)) {
            leaked = s;
            assertEquals(3, s.submit(() -> 1 + 2).get());
        }
        assertTrue(leaked.isTerminated());
    }

    @Test
    void closeWhenInterruptedCallsShutdownNowAndKeepsTheInterruptFlag() throws Exception {
        Scheduler s = scheduler(2);
        Blockers blockers = blockAllAgents(s);
        AtomicInteger queuedRan = new AtomicInteger();
        for (int i = 0; i < 10; i++) {
            s.execute(new Counting(queuedRan));
        }
        AtomicBoolean flagAfterClose = new AtomicBoolean();
        AtomicReference<Throwable> closeFailure = new AtomicReference<>();
        CountDownLatch closed = new CountDownLatch(1);
        Thread closer = new Thread(() -> {
            try {
                s.close();
                flagAfterClose.set(Thread.currentThread().isInterrupted());
            } catch (Throwable t) {
                closeFailure.set(t);
            } finally {
                closed.countDown();
            }
        }, "closer");
        closer.setDaemon(true);
        closer.start();
        waitUntil(s::isShutdown, "close() to shut the scheduler down");
        assertFalse(closed.await(50, TimeUnit.MILLISECONDS), "close() returned while tasks were blocked");

        closer.interrupt();

        await(closed, "close() to return after its thread was interrupted");
        closer.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        assertFalse(closer.isAlive());
        assertNull(closeFailure.get());
        assertTrue(flagAfterClose.get(), "close() must return with the interrupt flag set");
        assertTrue(s.isTerminated());
        assertEquals(2, blockers.interrupted.get(), "shutdownNow did not interrupt the running tasks");
        assertEquals(0, blockers.finishedNormally.get());
        assertEquals(0, queuedRan.get(), "queued tasks ran although close() fell back to shutdownNow");
    }

    @Test
    void closeFromInsideATaskOnlyInitiatesShutdown() throws Exception {
        Scheduler s = scheduler(2);
        AtomicInteger later = new AtomicInteger();
        TaskFuture<Boolean> f = s.submit(() -> {
            s.close();
            s.execute(new Counting(later));       // still accepted from inside after shutdown
            return s.isShutdown();
        });
        assertTrue(f.get(WAIT_SECONDS, TimeUnit.SECONDS));
        awaitTermination(s);
        assertEquals(1, later.get());
    }

    // ================================================================ cancellation

    @ParameterizedTest(name = "agents={0}")
    @ValueSource(ints = {1, 2, 4})
    void cancelTrueInterruptsARunningTask(int agents) throws Exception {
        Scheduler s = scheduler(agents);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        TaskFuture<String> f = s.submit(() -> {
            started.countDown();
            try {
                release.await();
                return "not interrupted";
            } catch (InterruptedException e) {
                interrupted.countDown();
                throw e;
            }
        });
        await(started, "the task to start");
        assertTrue(f.cancel(true));
        await(interrupted, "the running task to be interrupted");
        assertTrue(f.isCancelled());
        assertTrue(f.isDone());
        assertThrows(CancellationException.class, f::get);
        assertThrows(CancellationException.class, () -> f.get(1, TimeUnit.SECONDS));
        assertFalse(f.cancel(true), "a second cancel fails");
        // the agent carries on
        assertEquals("next", s.submit(() -> "next").get(WAIT_SECONDS, TimeUnit.SECONDS));
        shutdownAndAwait(s);
        assertEquals(0, s.metrics().failed(), "a cancelled task is not a failure");
    }

    static Stream<Arguments> agentsAndInterrupt() {
        return Stream.of(Arguments.of(1, false), Arguments.of(2, false), Arguments.of(2, true),
                Arguments.of(4, true));
    }

    @ParameterizedTest(name = "agents={0}, mayInterrupt={1}")
    @MethodSource("agentsAndInterrupt")
    void cancelledQueuedTaskNeverRunsAndIsCounted(int agents, boolean mayInterrupt) throws Exception {
        Scheduler s = scheduler(agents);
        blockAllAgents(s);
        AtomicInteger ran = new AtomicInteger();
        TaskFuture<?> f = s.submit(new Counting(ran));
        TaskFuture<?> kept = s.submit(() -> "kept");
        assertFalse(f.isDone());
        assertTrue(f.cancel(mayInterrupt));
        assertTrue(f.isCancelled());
        assertTrue(f.isDone());
        assertThrows(CancellationException.class, f::get);
        release.countDown();
        assertEquals("kept", kept.get(WAIT_SECONDS, TimeUnit.SECONDS));
        shutdownAndAwait(s);
        assertEquals(0, ran.get(), "a task cancelled before it started ran");
        assertEquals(1, s.metrics().cancelled());
        assertEquals(0, s.metrics().failed(), "cancelling is not failing");
    }

    // ================================================================ interrupts between tasks

    @Test
    void interruptOfAnIdleAgentDoesNotLeakIntoTheNextTask() throws Exception {
        RecordingThreadFactory factory = new RecordingThreadFactory();
        Scheduler s = scheduler(Scheduler.builder().agents(2).threadFactory(factory));
        assertEquals(2, factory.created());

        // 1. interrupt right after work (the agents are typically still searching)
        runTrivialTasks(s, 20);
        for (Thread t : factory.threads) {
            t.interrupt();
        }
        assertNoTaskSeesInterrupt(s, "after an interrupt while searching");

        // 2. interrupt parked agents
        waitUntil(() -> s.metrics().agents().stream().allMatch(a -> a.state() == AgentState.PARKED),
                "every agent to park");
        for (Thread t : factory.threads) {
            t.interrupt();
        }
        assertNoTaskSeesInterrupt(s, "after an interrupt while parked");
        assertEquals(2, factory.created(), "an interrupt must not replace agent threads");
        // 3. parked agents that were interrupted still wake up for new work (no lost wake-ups)
        waitUntil(() -> s.metrics().agents().stream().map(AgentMetrics::state).allMatch(AgentState.PARKED::equals),
                "every agent to park again");
        for (Thread t : factory.threads) {
            t.interrupt();
        }
        Thread.sleep(20);
        assertEquals("awake", s.submit(() -> "awake").get(WAIT_SECONDS, TimeUnit.SECONDS));
    }

    @Test
    void interruptDuringATaskThatIgnoresItDoesNotLeakIntoTheNextTask() throws Exception {
        RecordingThreadFactory factory = new RecordingThreadFactory();
        Scheduler s = scheduler(Scheduler.builder().agents(1).threadFactory(factory));
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean proceed = new AtomicBoolean();
        s.execute(() -> {
            started.countDown();
            while (!proceed.get()) {
                Thread.onSpinWait();
            }
        });
        s.execute(() -> Thread.currentThread().interrupt());    // a task that leaves its own flag set
        AtomicBoolean sawInterrupt = new AtomicBoolean(true);
        TaskFuture<?> probe = s.submit(() -> sawInterrupt.set(Thread.currentThread().isInterrupted()));
        await(started, "the first task");
        factory.threads.get(0).interrupt();
        proceed.set(true);
        probe.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertFalse(sawInterrupt.get(), "a stray interrupt reached the next task");
    }

    private static void runTrivialTasks(Scheduler s, int n) throws Exception {
        List<Future<?>> fs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            fs.add(s.submit(() -> { }));
        }
        for (Future<?> f : fs) {
            f.get(WAIT_SECONDS, TimeUnit.SECONDS);
        }
    }

    private static void assertNoTaskSeesInterrupt(Scheduler s, String when) throws Exception {
        int n = 100;
        AtomicInteger interrupted = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            if (i % 2 == 0) {
                s.execute(() -> {
                    if (Thread.currentThread().isInterrupted()) {
                        interrupted.incrementAndGet();
                    }
                    done.countDown();
                });
            } else {
                s.submit(() -> {
                    if (Thread.currentThread().isInterrupted()) {
                        interrupted.incrementAndGet();
                    }
                    done.countDown();
                });
            }
        }
        await(done, "the probe tasks");
        assertEquals(0, interrupted.get(), "tasks saw the interrupt flag " + when);
    }

    // ================================================================ CompletableFuture interop

    @Test
    void completableFutureAsyncMethodsRunOnTheScheduler() throws Exception {
        RecordingThreadFactory factory = new RecordingThreadFactory();
        Scheduler s = scheduler(Scheduler.builder().agents(2).threadFactory(factory));
        AtomicReference<Thread> supplierThread = new AtomicReference<>();
        CompletableFuture<Integer> supplied = CompletableFuture.supplyAsync(() -> {
            supplierThread.set(Thread.currentThread());
            return 41;
        }, s);
        assertEquals(41, supplied.get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertTrue(factory.threads.contains(supplierThread.get()), "supplier did not run on an agent");

        AtomicInteger ran = new AtomicInteger();
        CompletableFuture<Void> run = CompletableFuture.runAsync(new Counting(ran), s);
        assertNull(run.get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertEquals(1, ran.get());

        AtomicReference<Thread> chainThread = new AtomicReference<>();
        CompletableFuture<String> chain = CompletableFuture.supplyAsync(() -> 20, s)
                .thenApplyAsync(x -> x + 1, s)
                .thenApplyAsync(x -> x * 2, s)
                .thenApplyAsync(x -> {
                    chainThread.set(Thread.currentThread());
                    return "v" + x;
                }, s);
        assertEquals("v42", chain.get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertTrue(factory.threads.contains(chainThread.get()), "thenApplyAsync did not run on an agent");

        IllegalStateException boom = new IllegalStateException("boom");
        CompletableFuture<Object> failing = CompletableFuture.supplyAsync(() -> {
            throw boom;
        }, s);
        ExecutionException e = assertThrows(ExecutionException.class, () -> failing.get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertSame(boom, e.getCause());
        assertTrue(factory.uncaught.isEmpty(), "CompletableFuture captures its failures: " + factory.uncaught);
    }

    @Test
    void completableFutureAsyncAfterShutdownIsRejected() throws Exception {
        Scheduler s = scheduler(2);
        s.shutdown();
        assertThrows(RejectedExecutionException.class, () -> CompletableFuture.supplyAsync(() -> 1, s));
        assertThrows(RejectedExecutionException.class, () -> CompletableFuture.runAsync(() -> { }, s));
        awaitTermination(s);
        // a dependent stage whose executor is shut down completes exceptionally
        CompletableFuture<Integer> dependent = CompletableFuture.completedFuture(1).thenApplyAsync(x -> x + 1, s);
        CompletionException ce = assertThrows(CompletionException.class, dependent::join);
        assertTrue(ce.getCause() instanceof RejectedExecutionException, "cause: " + ce.getCause());
    }

    // ================================================================ TaskFuture.toCompletableFuture

    @Test
    void toCompletableFutureCompletesWithTheValueAndIsAlwaysTheSameInstance() throws Exception {
        Scheduler s = scheduler(2);
        blockAllAgents(s);
        TaskFuture<String> f = s.submit(() -> "value");
        CompletableFuture<String> view = f.toCompletableFuture();
        assertSame(view, f.toCompletableFuture());
        assertFalse(view.isDone(), "the task has not run yet");
        CompletableFuture<Integer> length = view.thenApply(String::length);
        release.countDown();
        assertEquals("value", view.get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertEquals(5, length.get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertSame(view, f.toCompletableFuture());
    }

    @Test
    void toCompletableFutureRequestedAfterTheTaskFinishedIsComplete() throws Exception {
        Scheduler s = scheduler(2);
        TaskFuture<String> ok = s.submit(() -> "done");
        assertEquals("done", ok.get(WAIT_SECONDS, TimeUnit.SECONDS));
        CompletableFuture<String> view = ok.toCompletableFuture();
        assertTrue(view.isDone(), "view of a finished task must be complete at once");
        assertEquals("done", view.getNow("not complete"));
        assertSame(view, ok.toCompletableFuture());

        IllegalStateException boom = new IllegalStateException("boom");
        TaskFuture<String> failed = s.submit(() -> {
            throw boom;
        });
        assertThrows(ExecutionException.class, () -> failed.get(WAIT_SECONDS, TimeUnit.SECONDS));
        CompletableFuture<String> failedView = failed.toCompletableFuture();
        assertTrue(failedView.isCompletedExceptionally());
        assertSame(boom, assertThrows(ExecutionException.class, failedView::get).getCause());

        TaskFuture<?> cancelled = s.submit(() -> { });
        cancelled.cancel(false);
        if (cancelled.isCancelled()) {
            CompletableFuture<?> cancelledView = cancelled.toCompletableFuture();
            assertTrue(cancelledView.isCancelled());
            assertThrows(CancellationException.class, cancelledView::join);
        }
    }

    @Test
    void toCompletableFutureCompletesExceptionallyWithTheTasksException() throws Exception {
        Scheduler s = scheduler(2);
        blockAllAgents(s);
        IllegalArgumentException boom = new IllegalArgumentException("boom");
        TaskFuture<String> f = s.submit(() -> {
            throw boom;
        });
        CompletableFuture<String> view = f.toCompletableFuture();
        AtomicReference<Throwable> seen = new AtomicReference<>();
        CompletableFuture<String> handled = view.whenComplete((v, t) -> seen.set(t));
        release.countDown();
        ExecutionException e = assertThrows(ExecutionException.class, () -> view.get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertSame(boom, e.getCause(), "the cause must be the task's exception, unwrapped");
        assertTrue(view.isCompletedExceptionally());
        assertThrows(ExecutionException.class, () -> handled.get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertSame(boom, seen.get());
        CompletionException ce = assertThrows(CompletionException.class, view::join);
        assertSame(boom, ce.getCause());
    }

    @Test
    void cancellingTheViewCancelsAQueuedTaskSoItNeverRuns() throws Exception {
        Scheduler s = scheduler(2);
        blockAllAgents(s);
        AtomicInteger ran = new AtomicInteger();
        TaskFuture<?> f = s.submit(new Counting(ran));
        CompletableFuture<?> view = f.toCompletableFuture();
        assertTrue(view.cancel(false));
        assertTrue(view.isCancelled());
        assertTrue(f.isCancelled(), "cancelling the view must cancel the task");
        assertThrows(CancellationException.class, f::get);
        assertSame(view, f.toCompletableFuture());
        release.countDown();
        shutdownAndAwait(s);
        assertEquals(0, ran.get(), "the task ran although its view was cancelled");
        assertEquals(1, s.metrics().cancelled());
        assertTrue(view.isCancelled());
    }

    @Test
    void completingTheViewByOtherMeansDoesNotAffectTheTask() throws Exception {
        Scheduler s = scheduler(2);
        blockAllAgents(s);
        AtomicInteger ran = new AtomicInteger();
        TaskFuture<String> f = s.submit(() -> {
            ran.incrementAndGet();
            return "real";
        });
        CompletableFuture<String> view = f.toCompletableFuture();
        assertTrue(view.complete("fake"));
        assertFalse(f.isDone());
        release.countDown();
        assertEquals("real", f.get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertEquals(1, ran.get());
        assertEquals("fake", view.get());
    }

    // ================================================================ Errors replace the agent thread

    /** What a listener saw of one agent replacement. */
    record Replacement(int agent, Thread dead, Thread replacement, Throwable cause) {
    }

    static Stream<Arguments> agentsAndErrors() {
        return Stream.of(
                Arguments.of(1, "AssertionError"),
                Arguments.of(2, "AssertionError"),
                Arguments.of(2, "CustomError"),
                Arguments.of(4, "CustomError"));
    }

    @ParameterizedTest(name = "agents={0}, {1}")
    @MethodSource("agentsAndErrors")
    void errorFromExecutedTaskReplacesTheAgentThreadAndLosesNoTask(int agents, String kind) throws Exception {
        RecordingThreadFactory factory = new RecordingThreadFactory();
        List<Replacement> replacements = new CopyOnWriteArrayList<>();
        CountDownLatch replaced = new CountDownLatch(1);
        Scheduler s = scheduler(Scheduler.builder().agents(agents).threadFactory(factory)
                .listener(new SchedulerListener() {
                    @Override
                    public void onAgentReplaced(int agent, Thread dead, Thread replacement, Throwable cause) {
                        replacements.add(new Replacement(agent, dead, replacement, cause));
                        replaced.countDown();
                    }
                }));
        assertEquals(agents, factory.created());
        List<Thread> original = List.copyOf(factory.threads);

        Error error = kind.equals("AssertionError") ? new AssertionError("task error") : new CustomError("task error");
        AtomicReference<Thread> thrower = new AtomicReference<>();
        s.execute(() -> {
            thrower.set(Thread.currentThread());
            throw error;
        });
        int n = 1_000;
        AtomicIntegerArray runs = new AtomicIntegerArray(n);
        for (int i = 0; i < n; i++) {
            int k = i;
            s.execute(() -> runs.incrementAndGet(k));
        }

        await(replaced, "onAgentReplaced");
        Replacement r = replacements.get(0);
        assertSame(thrower.get(), r.dead(), "the dead thread is the one that ran the failing task");
        assertTrue(original.contains(r.dead()));
        assertNotNull(r.replacement(), "no replacement thread");
        assertNotSame(r.dead(), r.replacement());
        assertSame(error, r.cause());
        assertTrue(r.agent() >= 0 && r.agent() < agents);

        r.dead().join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        assertFalse(r.dead().isAlive(), "the dead thread must end");
        assertEquals(agents + 1, factory.created(), "exactly one extra newThread call");
        assertSame(factory.threads.get(agents), r.replacement());

        // more work after the replacement, and everything queued behind the Error runs
        AtomicInteger after = new AtomicInteger();
        for (int i = 0; i < n; i++) {
            s.execute(new Counting(after));
        }
        shutdownAndAwait(s);
        for (int i = 0; i < n; i++) {
            assertEquals(1, runs.get(i), "runs of task " + i + " queued behind the Error");
        }
        assertEquals(n, after.get());
        assertEquals(1, replacements.size(), "onAgentReplaced must be called once");
        assertEquals(agents + 1, factory.created());
        assertEquals(List.of(error), factory.uncaught, "the Error is reported once, by the dying thread");
        assertEquals(1, s.metrics().failed());
    }

    @Test
    void errorQueuedBehindABlockedSingleAgentStillLetsEveryQueuedTaskRun() throws Exception {
        RecordingThreadFactory factory = new RecordingThreadFactory();
        AtomicInteger replacements = new AtomicInteger();
        Scheduler s = scheduler(Scheduler.builder().agents(1).threadFactory(factory)
                .listener(new SchedulerListener() {
                    @Override
                    public void onAgentReplaced(int agent, Thread dead, Thread replacement, Throwable cause) {
                        replacements.incrementAndGet();
                    }
                }));
        blockAllAgents(s);
        AtomicInteger before = new AtomicInteger();
        AtomicInteger behind = new AtomicInteger();
        for (int i = 0; i < 100; i++) {
            s.execute(new Counting(before));
        }
        s.execute(() -> {
            throw new CustomError("queued error");
        });
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            futures.add(s.submit(new Counting(behind)));
        }
        release.countDown();
        for (Future<?> f : futures) {
            assertNull(f.get(WAIT_SECONDS, TimeUnit.SECONDS));
        }
        shutdownAndAwait(s);
        assertEquals(100, before.get());
        assertEquals(1_000, behind.get());
        assertEquals(1, replacements.get());
        assertEquals(2, factory.created());
    }
}
