package io.github.loadstar.core;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Tests {@link TaskOptions}: the builder's argument validation (with the parameter named in the
 * message), value semantics, and the checks a {@link Scheduler} makes on submission (an affinity
 * beyond its agents, null tasks and options, the {@link java.util.concurrent.ExecutorService}
 * contract for {@code invokeAll}/{@code invokeAny}).
 */
final class TaskOptionsTest {
    private static final int AGENTS = 2;
    private static final long TIMEOUT_SECONDS = 30;
    /** How long a rejected task is given to (wrongly) run. */
    private static final long NEVER_RUNS_MILLIS = 150;

    private Scheduler scheduler;

    @AfterEach
    void closeScheduler() {
        if (scheduler != null) {
            scheduler.close();
        }
    }

    private Scheduler scheduler() {
        if (scheduler == null) {
            scheduler = Scheduler.builder().agents(AGENTS).name("task-options-test").build();
        }
        return scheduler;
    }

    private static <T extends RuntimeException> T assertRejected(Class<T> type, String parameter, Executable call) {
        T e = assertThrows(type, call);
        String message = e.getMessage();
        assertNotNull(message, () -> type.getSimpleName() + " without a message; expected it to name " + parameter);
        assertTrue(message.contains(parameter),
                () -> "expected the message to name '" + parameter + "' but was: " + message);
        return e;
    }

    // ================================================================ builder validation

    @Test
    void rejectsNullPriority() {
        assertRejected(NullPointerException.class, "priority", () -> TaskOptions.builder().priority(null));
    }

    @Test
    void rejectsNullDeadline() {
        assertRejected(NullPointerException.class, "deadline", () -> TaskOptions.builder().deadline(null));
    }

    static Stream<Duration> nonPositiveDeadlines() {
        return Stream.of(Duration.ZERO, Duration.ofNanos(-1), Duration.ofMillis(-5), Duration.ofSeconds(-1, 999_999_999),
                Duration.ofDays(-365L * 300), Duration.ofSeconds(Long.MIN_VALUE));
    }

    @ParameterizedTest
    @MethodSource("nonPositiveDeadlines")
    void rejectsNonPositiveDeadline(Duration deadline) {
        assertRejected(IllegalArgumentException.class, "deadline", () -> TaskOptions.builder().deadline(deadline));
    }

    static Stream<Duration> tooLongDeadlines() {
        return Stream.of(Duration.ofDays(365L * 300), Duration.ofDays(365L * 150),
                Duration.ofNanos(Long.MAX_VALUE / 2 + 1), Duration.ofNanos(Long.MAX_VALUE),
                Duration.ofSeconds(Long.MAX_VALUE, 999_999_999));
    }

    @ParameterizedTest
    @MethodSource("tooLongDeadlines")
    void rejectsTooLongDeadline(Duration deadline) {
        assertRejected(IllegalArgumentException.class, "deadline", () -> TaskOptions.builder().deadline(deadline));
    }

    @Test
    void acceptsDeadlinesUpToTheLimit() {
        assertEquals(1L, TaskOptions.builder().deadline(Duration.ofNanos(1)).build().relativeDeadlineNanos());
        assertEquals(Long.MAX_VALUE / 2,
                TaskOptions.builder().deadline(Duration.ofNanos(Long.MAX_VALUE / 2)).build().relativeDeadlineNanos());
        Duration century = Duration.ofDays(365L * 100);
        assertEquals(Optional.of(century), TaskOptions.builder().deadline(century).build().deadline());
    }

    @Test
    void rejectsNullTenant() {
        assertRejected(NullPointerException.class, "tenant", () -> TaskOptions.builder().tenant(null));
        assertRejected(NullPointerException.class, "tenant", () -> TaskOptions.builder().tenant(null, 2.0));
    }

    @Test
    void rejectsEmptyTenant() {
        assertRejected(IllegalArgumentException.class, "tenant", () -> TaskOptions.builder().tenant(""));
        assertRejected(IllegalArgumentException.class, "tenant", () -> TaskOptions.builder().tenant("", 2.0));
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.0, -0.0, -1.0, -Double.MIN_VALUE, Double.NaN,
        Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
    void rejectsNonPositiveOrNonFiniteTenantWeight(double weight) {
        assertRejected(IllegalArgumentException.class, "tenantWeight",
                () -> TaskOptions.builder().tenant("billing", weight));
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1, Long.MIN_VALUE})
    void rejectsNonPositiveCost(long cost) {
        assertRejected(IllegalArgumentException.class, "cost", () -> TaskOptions.builder().cost(cost));
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, -2, Integer.MIN_VALUE})
    void rejectsNegativeAffinity(int agent) {
        assertRejected(IllegalArgumentException.class, "affinity", () -> TaskOptions.builder().pinnedTo(agent));
    }

    @Test
    void rejectedSettersLeaveTheBuilderUnchanged() {
        TaskOptions.Builder builder = TaskOptions.builder()
                .priority(Priority.HIGH)
                .deadline(Duration.ofMillis(5))
                .tenant("billing", 2.0)
                .cost(7)
                .pinnedTo(1);
        TaskOptions before = builder.build();
        assertThrows(NullPointerException.class, () -> builder.priority(null));
        assertThrows(IllegalArgumentException.class, () -> builder.deadline(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> builder.deadline(Duration.ofDays(365L * 300)));
        assertThrows(IllegalArgumentException.class, () -> builder.tenant("other", Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> builder.tenant("", 3.0));
        assertThrows(IllegalArgumentException.class, () -> builder.cost(0));
        assertThrows(IllegalArgumentException.class, () -> builder.pinnedTo(-1));
        TaskOptions after = builder.build();
        assertEquals(before, after);
        assertEquals(Priority.HIGH, after.priority());
        assertEquals(Optional.of(Duration.ofMillis(5)), after.deadline());
        assertEquals("billing", after.tenant());
        assertEquals(2.0, after.tenantWeight());
        assertEquals(7, after.cost());
        assertEquals(1, after.affinity());
    }

    // ================================================================ value semantics

    @Test
    void defaultValues() {
        TaskOptions d = TaskOptions.DEFAULT;
        assertEquals(Priority.NORMAL, d.priority());
        assertFalse(d.hasDeadline());
        assertEquals(Optional.empty(), d.deadline());
        assertEquals(0L, d.relativeDeadlineNanos());
        assertNull(d.tenant());
        assertEquals(1.0, d.tenantWeight());
        assertEquals(1L, d.cost());
        assertEquals(TaskOptions.MOVABLE, d.affinity());
        assertEquals(-1, TaskOptions.MOVABLE);
        assertTrue(d.isMovable());
        assertEquals(d, TaskOptions.builder().build());
        assertEquals(d.hashCode(), TaskOptions.builder().build().hashCode());
    }

    @Test
    void settersAreReflectedInTheOptions() {
        TaskOptions o = TaskOptions.builder()
                .priority(Priority.CRITICAL)
                .deadline(Duration.ofMillis(5))
                .tenant("billing", 2.5)
                .cost(3)
                .pinnedTo(4)
                .build();
        assertEquals(Priority.CRITICAL, o.priority());
        assertTrue(o.hasDeadline());
        assertEquals(Optional.of(Duration.ofMillis(5)), o.deadline());
        assertEquals(5_000_000L, o.relativeDeadlineNanos());
        assertEquals("billing", o.tenant());
        assertEquals(2.5, o.tenantWeight());
        assertEquals(3L, o.cost());
        assertEquals(4, o.affinity());
        assertFalse(o.isMovable());
    }

    @Test
    void singleArgumentTenantHasWeightOne() {
        TaskOptions o = TaskOptions.builder().tenant("a", 3.0).tenant("b").build();
        assertEquals("b", o.tenant());
        assertEquals(1.0, o.tenantWeight());
    }

    @Test
    void noDeadlineRemovesTheDeadline() {
        TaskOptions o = TaskOptions.builder().deadline(Duration.ofSeconds(1)).noDeadline().build();
        assertFalse(o.hasDeadline());
        assertEquals(Optional.empty(), o.deadline());
        assertEquals(0L, o.relativeDeadlineNanos());
        assertEquals(TaskOptions.DEFAULT, o);
    }

    @Test
    void movableUndoesPinning() {
        TaskOptions pinned = TaskOptions.builder().pinnedTo(0).build();
        assertFalse(pinned.isMovable());
        assertEquals(0, pinned.affinity());
        TaskOptions movable = pinned.toBuilder().movable().build();
        assertTrue(movable.isMovable());
        assertEquals(TaskOptions.MOVABLE, movable.affinity());
        assertEquals(TaskOptions.DEFAULT, movable);
    }

    @Test
    void equalOptionsHaveEqualHashCodes() {
        TaskOptions a = full().build();
        TaskOptions b = full().build();
        assertNotSame(a, b);
        assertEquals(a, b);
        assertEquals(b, a);
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals(a, a);
        assertNotEquals(null, a);
        assertFalse(a.equals("not options"));
        assertEquals(a.toString(), b.toString());
    }

    private static TaskOptions.Builder full() {
        return TaskOptions.builder()
                .priority(Priority.LOW)
                .deadline(Duration.ofMillis(20))
                .tenant("search", 1.5)
                .cost(9)
                .pinnedTo(1);
    }

    static Stream<Arguments> singleFieldChanges() {
        return Stream.of(
                change("priority", b -> b.priority(Priority.HIGH)),
                change("deadline", b -> b.deadline(Duration.ofMillis(21))),
                change("no deadline", TaskOptions.Builder::noDeadline),
                change("tenant", b -> b.tenant("index", 1.5)),
                change("tenantWeight", b -> b.tenant("search", 1.5000001)),
                change("cost", b -> b.cost(10)),
                change("affinity", b -> b.pinnedTo(0)),
                change("movable", TaskOptions.Builder::movable));
    }

    private static Arguments change(String field, Function<TaskOptions.Builder, TaskOptions.Builder> edit) {
        return Arguments.of(field, edit);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("singleFieldChanges")
    void optionsDifferingInOneFieldAreNotEqual(String field, Function<TaskOptions.Builder, TaskOptions.Builder> edit) {
        TaskOptions base = full().build();
        TaskOptions changed = edit.apply(full()).build();
        assertNotEquals(base, changed, field);
        assertNotEquals(changed, base, field);
        assertNotEquals(base.toString(), changed.toString(), field);
    }

    @Test
    void toBuilderRoundTrips() {
        TaskOptions original = full().build();
        TaskOptions copy = original.toBuilder().build();
        assertEquals(original, copy);
        assertEquals(original.hashCode(), copy.hashCode());
        assertEquals(TaskOptions.DEFAULT, TaskOptions.DEFAULT.toBuilder().build());
        TaskOptions noTenant = TaskOptions.builder().cost(2).build();
        assertEquals(noTenant, noTenant.toBuilder().build());
    }

    @Test
    void toBuilderDoesNotChangeTheOriginal() {
        TaskOptions original = full().build();
        TaskOptions.Builder builder = original.toBuilder();
        TaskOptions edited = builder.priority(Priority.CRITICAL).cost(100).movable().noDeadline().build();
        assertEquals(full().build(), original);
        assertEquals(Priority.LOW, original.priority());
        assertEquals(9, original.cost());
        assertEquals(1, original.affinity());
        assertTrue(original.hasDeadline());
        assertEquals(Priority.CRITICAL, edited.priority());
        assertEquals("search", edited.tenant(), "untouched fields come from the original");
        assertEquals(1.5, edited.tenantWeight());
    }

    @Test
    void builderIsReusableAndBuildsSnapshots() {
        TaskOptions.Builder builder = TaskOptions.builder().cost(2);
        TaskOptions first = builder.build();
        TaskOptions second = builder.cost(3).build();
        assertEquals(2, first.cost());
        assertEquals(3, second.cost());
    }

    @Test
    void toStringShowsTheValues() {
        String s = full().build().toString();
        assertTrue(s.contains("LOW"), s);
        assertTrue(s.contains("search"), s);
        assertTrue(s.contains("cost=9"), s);
        assertTrue(s.contains("pinnedTo=1"), s);
        assertTrue(TaskOptions.DEFAULT.toString().contains("movable"), TaskOptions.DEFAULT.toString());
    }

    // ================================================================ submission-time validation

    /** Runs a task on the scheduler and waits until the metrics count it, so later figures are stable. */
    private long completedAfterWarmUp() throws Exception {
        Scheduler s = scheduler();
        assertEquals(1, s.submit(() -> 1).get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (s.metrics().completed() < 1 && System.nanoTime() - deadline < 0) {
            Thread.onSpinWait();
        }
        long completed = s.metrics().completed();
        assertEquals(1, completed);
        return completed;
    }

    private void assertNeverRan(CountDownLatch ran, long completedBefore) throws InterruptedException {
        assertFalse(ran.await(NEVER_RUNS_MILLIS, TimeUnit.MILLISECONDS), "a rejected task ran");
        assertEquals(completedBefore, scheduler().metrics().completed());
    }

    @ParameterizedTest
    @ValueSource(ints = {AGENTS, AGENTS + 1, Integer.MAX_VALUE})
    void executeRejectsAffinityBeyondTheAgents(int agent) throws Exception {
        long completed = completedAfterWarmUp();
        CountDownLatch ran = new CountDownLatch(1);
        TaskOptions options = TaskOptions.builder().pinnedTo(agent).build();
        assertRejected(IllegalArgumentException.class, "affinity", () -> scheduler().execute(ran::countDown, options));
        assertNeverRan(ran, completed);
    }

    @ParameterizedTest
    @ValueSource(ints = {AGENTS, AGENTS + 1, Integer.MAX_VALUE})
    void submitCallableRejectsAffinityBeyondTheAgents(int agent) throws Exception {
        long completed = completedAfterWarmUp();
        CountDownLatch ran = new CountDownLatch(1);
        TaskOptions options = TaskOptions.builder().pinnedTo(agent).build();
        Callable<String> task = () -> {
            ran.countDown();
            return "ran";
        };
        assertRejected(IllegalArgumentException.class, "affinity", () -> scheduler().submit(task, options));
        assertNeverRan(ran, completed);
    }

    @Test
    void submitRunnableRejectsAffinityBeyondTheAgents() throws Exception {
        long completed = completedAfterWarmUp();
        CountDownLatch ran = new CountDownLatch(1);
        TaskOptions options = TaskOptions.builder().pinnedTo(AGENTS).build();
        Runnable task = ran::countDown;
        assertRejected(IllegalArgumentException.class, "affinity", () -> scheduler().submit(task, options));
        assertNeverRan(ran, completed);
    }

    @Test
    void rejectedAffinityIsNotCountedAsRejectedExecution() throws Exception {
        TaskOptions options = TaskOptions.builder().pinnedTo(AGENTS).build();
        assertThrows(IllegalArgumentException.class, () -> scheduler().execute(() -> { }, options));
        assertEquals(0, scheduler().metrics().rejected());
    }

    @Test
    void rejectedAffinityDoesNotUseUpTheQueueBound() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (Scheduler bounded = Scheduler.builder().agents(1).maxQueuedTasks(1).build()) {
            try {
                bounded.execute(() -> {
                    started.countDown();
                    try {
                        release.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                assertTrue(started.await(TIMEOUT_SECONDS, TimeUnit.SECONDS));
                TaskOptions bad = TaskOptions.builder().pinnedTo(1).build();
                for (int i = 0; i < 3; i++) {
                    assertThrows(IllegalArgumentException.class, () -> bounded.execute(() -> { }, bad));
                }
                CountDownLatch ran = new CountDownLatch(1);
                assertDoesNotThrow(() -> bounded.execute(ran::countDown, TaskOptions.builder().pinnedTo(0).build()),
                        "the one queue slot should still be free");
                assertThrows(RejectedExecutionException.class, () -> bounded.execute(() -> { }));
                release.countDown();
                assertTrue(ran.await(TIMEOUT_SECONDS, TimeUnit.SECONDS));
            } finally {
                release.countDown();
            }
        }
    }

    @Test
    void pinnedTaskRunsOnItsAgent() throws Exception {
        for (int agent = 0; agent < AGENTS; agent++) {
            TaskOptions options = TaskOptions.builder().pinnedTo(agent).build();
            String thread = scheduler().submit(() -> Thread.currentThread().getName(), options)
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertEquals("task-options-test-agent-" + agent, thread);
        }
    }

    @Test
    void executeRejectsNullTask() {
        assertRejected(NullPointerException.class, "task", () -> scheduler().execute(null));
        assertRejected(NullPointerException.class, "task", () -> scheduler().execute(null, TaskOptions.DEFAULT));
    }

    @Test
    void submitRejectsNullTask() {
        assertRejected(NullPointerException.class, "task", () -> scheduler().submit((Runnable) null));
        assertRejected(NullPointerException.class, "task", () -> scheduler().submit((Callable<?>) null));
        assertRejected(NullPointerException.class, "task", () -> scheduler().submit((Runnable) null, "result"));
        assertRejected(NullPointerException.class, "task",
                () -> scheduler().submit((Runnable) null, TaskOptions.DEFAULT));
        assertRejected(NullPointerException.class, "task",
                () -> scheduler().submit((Callable<?>) null, TaskOptions.DEFAULT));
    }

    @Test
    void rejectsNullOptions() throws Exception {
        long completed = completedAfterWarmUp();
        CountDownLatch ran = new CountDownLatch(1);
        Callable<Integer> callable = () -> {
            ran.countDown();
            return 1;
        };
        assertRejected(NullPointerException.class, "options", () -> scheduler().execute(ran::countDown, null));
        assertRejected(NullPointerException.class, "options", () -> scheduler().submit(callable, null));
        assertRejected(NullPointerException.class, "options",
                () -> scheduler().submit((Runnable) ran::countDown, (TaskOptions) null));
        assertNeverRan(ran, completed);
    }

    @Test
    void invokeAllRejectsNullCollectionAndNullElements() throws Exception {
        long completed = completedAfterWarmUp();
        assertThrows(NullPointerException.class, () -> scheduler().invokeAll(null));
        assertThrows(NullPointerException.class, () -> scheduler().invokeAll(null, 1, TimeUnit.SECONDS));
        List<Callable<Integer>> withNull = new ArrayList<>(Arrays.asList(() -> 1, null));
        assertThrows(NullPointerException.class, () -> scheduler().invokeAll(withNull));
        List<Callable<Integer>> onlyNull = new ArrayList<>();
        onlyNull.add(null);
        assertThrows(NullPointerException.class, () -> scheduler().invokeAll(onlyNull, 1, TimeUnit.SECONDS));
        Thread.sleep(50);
        assertTrue(scheduler().metrics().completed() <= completed + 1,
                "at most the non-null task before the null one may have run");
    }

    @Test
    void invokeAnyRejectsNullAndEmptyCollections() {
        assertThrows(NullPointerException.class, () -> scheduler().invokeAny(null));
        assertThrows(NullPointerException.class, () -> scheduler().invokeAny(null, 1, TimeUnit.SECONDS));
        assertThrows(IllegalArgumentException.class, () -> scheduler().invokeAny(List.<Callable<Integer>>of()));
        assertThrows(IllegalArgumentException.class,
                () -> scheduler().invokeAny(List.<Callable<Integer>>of(), 1, TimeUnit.SECONDS));
    }

    @Test
    void invokeAllAndInvokeAnyStillWork() throws Exception {
        List<Callable<Integer>> tasks = List.of(() -> 1, () -> 2, () -> 3);
        int sum = 0;
        for (var f : scheduler().invokeAll(tasks)) {
            sum += f.get();
        }
        assertEquals(6, sum);
        int any = scheduler().invokeAny(tasks);
        assertTrue(any >= 1 && any <= 3, "invokeAny returned " + any);
    }

    @Test
    void awaitTerminationRejectsNullUnit() {
        assertRejected(NullPointerException.class, "unit", () -> scheduler().awaitTermination(1, null));
    }

    @Test
    void submittedOptionsAreKeptOnTheFuture() throws Exception {
        TaskOptions options = full().pinnedTo(0).build();
        TaskFuture<Integer> future = scheduler().submit(() -> 42, options);
        assertEquals(42, future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        assertSame(options, future.options());
        assertInstanceOf(TaskFuture.class, scheduler().submit(() -> { }));
    }
}
