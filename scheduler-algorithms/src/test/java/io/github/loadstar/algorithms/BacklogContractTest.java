package io.github.loadstar.algorithms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import io.github.loadstar.core.Priority;
import io.github.loadstar.core.TaskOptions;
import io.github.loadstar.core.spi.Backlog;
import io.github.loadstar.core.spi.OrderingPolicy;
import io.github.loadstar.core.spi.QueuedTask;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The {@link Backlog} contract, checked for one policy per subclass (in the style of JCTools'
 * queue sanity tests): over random, seeded sequences of the calls the runtime and the simulator make
 * — {@code offer} with random options (a few tenants with random weights, random cost, deadline and
 * priority), {@code poll}, {@code peek}, {@code onStart}/{@code onFinish} with random run times,
 * re-offers of preempted tasks, on a monotonic virtual clock that sometimes starts near
 * {@code Long.MAX_VALUE} and wraps — a backlog must conserve tasks (every offer is polled exactly
 * once: offered = polled + size), report its size exactly, be work conserving (poll returns a task
 * whenever size() &gt; 0), answer {@code peek(now)} with the task the next {@code poll(now)}
 * returns, return null from poll and peek when empty, and — as {@link Backlog#peek} promises —
 * change nothing by peeking.
 */
public abstract class BacklogContractTest {
    private static final int EXAMPLES = 300;
    private static final int MAX_STEPS = 400;
    private static final String[] TENANTS = {null, "a", "b", "c"};
    private static final double[] WEIGHTS = {0.5, 1.0, 2.0, 3.7};

    /** A new policy of the kind under test (each example gets a fresh one). */
    protected abstract OrderingPolicy policy();

    /** Which property a run of the driver asserts. */
    private enum Check {
        CONSERVATION, SIZE, WORK_CONSERVING, PEEK_MATCHES_POLL, NULL_WHEN_EMPTY
    }

    @Test
    final void everyOfferedTaskIsPolledExactlyOnce() {
        property(Check.CONSERVATION);
    }

    @Test
    final void sizeIsExactAfterEveryOperation() {
        property(Check.SIZE);
    }

    @Test
    final void pollReturnsATaskWheneverSizeIsPositive() {
        property(Check.WORK_CONSERVING);
    }

    @Test
    final void peekReturnsTheTaskTheNextPollAtTheSameTimeReturns() {
        property(Check.PEEK_MATCHES_POLL);
    }

    @Test
    final void pollAndPeekReturnNullWhenEmpty() {
        Backlog fresh = policy().newBacklog();
        for (long now : new long[] {0L, -1L, Long.MAX_VALUE, Long.MIN_VALUE, 123_456_789L}) {
            assertNull(fresh.peek(now), "peek on a new backlog at " + now);
            assertNull(fresh.poll(now), "poll on a new backlog at " + now);
            assertEquals(0, fresh.size(), "size of a new backlog");
        }
        property(Check.NULL_WHEN_EMPTY);
    }

    /**
     * Peeking has no observable effect: the same operation sequence run with a {@code peek(now)}
     * before every operation polls the same tasks in the same order as without.
     */
    @Test
    void peekChangesNoObservableState() {
        qt().withFixedSeed(0xB0C4L).withExamples(EXAMPLES).withShrinkCycles(200)
                .forAll(longs().all(), integers().between(1, MAX_STEPS))
                .checkAssert((seed, steps) -> {
                    Driver plain = new Driver(policy(), seed, steps, null, false);
                    List<Long> without = plain.run();
                    List<Long> with = new Driver(policy(), seed, steps, null, true).run();
                    assertEquals(without, with, "ids polled without and with peeks (seed " + seed + ", "
                            + steps + " steps); operations: " + plain.trace);
                });
    }

    private void property(Check check) {
        qt().withFixedSeed(0xC0DEL + check.ordinal()).withExamples(EXAMPLES).withShrinkCycles(200)
                .forAll(longs().all(), integers().between(1, MAX_STEPS))
                .checkAssert((seed, steps) -> new Driver(policy(), seed, steps, check, false).run());
    }

    /**
     * Runs one random operation sequence against a fresh backlog, tracking a model (tasks waiting,
     * tasks running) and asserting {@code check} after every operation; then drains the backlog.
     */
    private static final class Driver {
        private final Backlog backlog;
        private final SplittableRandom random;
        private final int steps;
        private final Check check;
        private final boolean peekBeforeEveryOperation;
        private final String what;
        /** Offered and not yet polled, by identity (value: how many times; must stay 1). */
        private final Map<QueuedTask, Integer> waiting = new IdentityHashMap<>();
        /** Polled and started, not yet finished. */
        private final List<QueuedTask> running = new ArrayList<>();
        private final List<Long> polledIds = new ArrayList<>();
        /** The operations, for failure messages. */
        final StringBuilder trace = new StringBuilder();
        private long offered;
        private long polled;
        private long nextId;
        private long now;

        Driver(OrderingPolicy policy, long seed, int steps, Check check, boolean peekBeforeEveryOperation) {
            this.backlog = policy.newBacklog();
            this.random = new SplittableRandom(seed);
            this.steps = steps;
            this.check = check;
            this.peekBeforeEveryOperation = peekBeforeEveryOperation;
            this.what = policy.name() + " seed=" + seed + " steps=" + steps;
            switch (random.nextInt(3)) {
                case 0:
                    now = 0;
                    break;
                case 1:
                    now = random.nextLong();
                    break;
                default:
                    now = Long.MAX_VALUE - random.nextInt(1_000_000_000);    // wraps during the run
                    break;
            }
        }

        List<Long> run() {
            for (int step = 0; step < steps; step++) {
                advanceClock();
                if (peekBeforeEveryOperation) {
                    backlog.peek(now);
                }
                int op = random.nextInt(100);
                if (op < 40) {
                    offer(newTask());
                } else if (op < 70) {
                    poll();
                } else if (op < 82) {
                    peek();
                } else {
                    finishOne();
                }
                afterOperation("step " + step + " op " + op);
            }
            // drain: everything still held comes out, each exactly once
            while (!running.isEmpty()) {
                if (peekBeforeEveryOperation) {
                    backlog.peek(now);
                }
                finishOne();
            }
            int guard = waiting.size() + 1;
            while (guard-- > 0) {
                advanceClock();
                if (peekBeforeEveryOperation) {
                    backlog.peek(now);
                }
                if (backlog.size() == 0 && waiting.isEmpty()) {
                    break;
                }
                QueuedTask t = poll();
                if (t == null) {
                    break;
                }
                afterOperation("draining");
            }
            if (check == Check.CONSERVATION || check == Check.SIZE || check == Check.WORK_CONSERVING) {
                assertTrue(waiting.isEmpty(), "tasks never polled: " + waiting.keySet() + " in " + what);
                assertEquals(offered, polled, "offers vs polls after draining in " + what);
                assertEquals(0, backlog.size(), "size after draining in " + what);
            }
            if (check == Check.NULL_WHEN_EMPTY || check == Check.CONSERVATION) {
                assertNull(backlog.peek(now), "peek on a drained backlog in " + what);
                assertNull(backlog.poll(now), "poll on a drained backlog in " + what);
            }
            return polledIds;
        }

        private void advanceClock() {
            int r = random.nextInt(100);
            if (r < 20) {
                return;                                      // same instant
            }
            if (r < 97) {
                now += 1 + random.nextInt(2_000_000);        // up to 2 ms
            } else {
                now += 500_000_000L + random.nextInt(1_500_000_000);   // 0.5–2 s: boosts, aging
            }
        }

        private TestTask newTask() {
            TaskOptions.Builder b = TaskOptions.builder()
                    .priority(Priority.values()[random.nextInt(Priority.values().length)])
                    .cost(random.nextInt(4) == 0 ? 1 + random.nextInt(1_000) : 1 + random.nextInt(10));
            String tenant = TENANTS[random.nextInt(TENANTS.length)];
            if (tenant != null) {
                b.tenant(tenant, WEIGHTS[random.nextInt(WEIGHTS.length)]);
            }
            if (random.nextBoolean()) {
                b.deadline(Duration.ofNanos(1 + random.nextInt(1_000_000_000)));
            }
            return new TestTask(nextId++, b.build(), now);
        }

        private void offer(QueuedTask task) {
            trace.append("\n  offer(#").append(((TestTask) task).id()).append(' ').append(task.options())
                    .append(", now=").append(now).append(')');
            backlog.offer(task, now);
            offered++;
            Integer before = waiting.put(task, 1);
            assertNull(before, "the driver offered a waiting task twice");
        }

        private QueuedTask poll() {
            int sizeBefore = backlog.size();
            QueuedTask t = backlog.poll(now);
            trace.append("\n  poll(now=").append(now).append(") = ").append(t == null ? "null" : "#" + ((TestTask) t).id());
            if (check == Check.WORK_CONSERVING) {
                if (sizeBefore > 0) {
                    assertNotNull(t, "poll returned null with size() = " + sizeBefore + " in " + what);
                } else {
                    assertNull(t, "poll returned a task with size() = 0 in " + what);
                }
            }
            if (check == Check.NULL_WHEN_EMPTY && waiting.isEmpty()) {
                assertNull(t, "poll on an empty backlog returned " + t + " in " + what);
            }
            if (t == null) {
                return null;
            }
            polled++;
            if (waiting.remove(t) == null) {
                fail("poll returned " + t + ", which is not waiting (never offered, or polled twice) in " + what);
            }
            polledIds.add(((TestTask) t).id());
            backlog.onStart(t, now);
            running.add(t);
            return t;
        }

        private void peek() {
            QueuedTask p = backlog.peek(now);
            trace.append("\n  peek(now=").append(now).append(") = ").append(p == null ? "null" : "#" + ((TestTask) p).id());
            if (check == Check.NULL_WHEN_EMPTY && waiting.isEmpty()) {
                assertNull(p, "peek on an empty backlog returned " + p + " in " + what);
            }
            if (check == Check.PEEK_MATCHES_POLL) {
                QueuedTask again = backlog.peek(now);
                assertSame(p, again, "two peeks at the same time differ in " + what);
                QueuedTask t = poll();
                assertSame(p, t, "peek(now) and the next poll(now) differ in " + what);
            }
        }

        /** A running task ends after a random run time; half of them were preempted and come back. */
        private void finishOne() {
            if (running.isEmpty()) {
                return;
            }
            QueuedTask t = running.remove(random.nextInt(running.size()));
            long ran = random.nextInt(10) == 0 ? 0 : 1 + random.nextInt(3_000_000);
            backlog.onFinish(t, ran, now);
            trace.append("\n  onFinish(#").append(((TestTask) t).id()).append(", ran=").append(ran)
                    .append(", now=").append(now).append(')');
            if (random.nextBoolean()) {
                offer(t);       // time-sliced or preempted: offered back, as the simulator does
            }
        }

        private void afterOperation(String where) {
            if (check == Check.SIZE) {
                assertEquals(waiting.size(), backlog.size(), "size() after " + where + " in " + what);
            }
            if (check == Check.CONSERVATION) {
                assertEquals(offered, polled + backlog.size(), "offered = polled + size after " + where
                        + " in " + what);
            }
        }
    }
}
