package io.github.loadstar.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loadstar.core.spi.AgentBreaker;
import io.github.loadstar.core.spi.AgentLoads;
import io.github.loadstar.core.spi.Backlog;
import io.github.loadstar.core.spi.OrderingPolicy;
import io.github.loadstar.core.spi.PlacementPolicies;
import io.github.loadstar.core.spi.PlacementPolicy;
import io.github.loadstar.core.spi.QueuedTask;
import io.github.loadstar.core.spi.StealPolicies;
import io.github.loadstar.core.spi.StealPolicy;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A strategy that throws — a steal, placement or ordering policy, an agent breaker, an idle
 * strategy, a listener — costs neither a task nor a wake-up: the call gets a safe default, the
 * agent keeps its thread, and the control counts stay right. Each case throws once at the first
 * call of one method, then 1,000 tasks must all run, the agents must all go back to sleep, and
 * tasks submitted to the sleeping scheduler must wake it.
 */
@Timeout(120)
final class StrategyFailureTest {

    /** Where the one exception is thrown. */
    enum Fault {
        STEAL_POLICY, PLACEMENT_POLICY, IDLE_STRATEGY, BACKLOG_OFFER, BACKLOG_POLL, BACKLOG_PEEK,
        BACKLOG_SIZE, BACKLOG_ON_START, BACKLOG_ON_FINISH, BREAKER_ACQUIRE, BREAKER_SUCCESS,
        BREAKER_ADMITS, LISTENER_STARTED, LISTENER_COMPLETED
    }

    /** Throws the one exception, the first time it is asked for {@code where}. */
    private static final class OneFault {
        final Fault fault;
        final AtomicBoolean thrown = new AtomicBoolean();

        OneFault(Fault fault) {
            this.fault = fault;
        }

        void at(Fault where) {
            if (where == fault && thrown.compareAndSet(false, true)) {
                throw new IllegalStateException("injected fault in " + where);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void aStrategyThatThrowsOnceLosesNothing(Fault fault) throws Exception {
        OneFault one = new OneFault(fault);
        SchedulerBuilder builder = Scheduler.builder().agents(4).name("faults-" + fault);
        // BACKLOG_PEEK: the default policy looks at every agent, so the blocked agent 0 is robbed
        StealPolicy steal = fault == Fault.BACKLOG_PEEK ? StealPolicies.threshold() : StealPolicies.powerOfTwoChoices();
        builder.stealPolicy(new StealPolicy() {
            @Override
            public int selectVictims(int thief, AgentLoads loads, int random, int[] victims) {
                one.at(Fault.STEAL_POLICY);
                return steal.selectVictims(thief, loads, random, victims);
            }

            @Override
            public String name() {
                return "faulty-steal";
            }
        });
        // a backlog's peek is called by steals only: with every task placed on agent 0 while it is
        // blocked, the others must steal, so the fault is certain to be reached (it once was not)
        PlacementPolicy place = fault == Fault.BACKLOG_PEEK ? AllOnAgentZero.INSTANCE : PlacementPolicies.powerOfTwoChoices();
        builder.placementPolicy(new PlacementPolicy() {
            @Override
            public int place(TaskOptions options, AgentLoads loads, int random) {
                one.at(Fault.PLACEMENT_POLICY);
                return place.place(options, loads, random);
            }

            @Override
            public String name() {
                return "faulty-placement";
            }
        });
        builder.idleStrategy(() -> new FaultyIdle(one));
        AtomicInteger replaced = new AtomicInteger();
        builder.listener(new SchedulerListener() {
            @Override
            public void onAgentReplaced(int agent, Thread dead, Thread replacement, Throwable cause) {
                replaced.incrementAndGet();
            }

            @Override
            public void onStarted(Object task, int agent) {
                one.at(Fault.LISTENER_STARTED);
            }

            @Override
            public void onCompleted(Object task, int agent, long runNanos) {
                one.at(Fault.LISTENER_COMPLETED);
            }
        });
        if (fault.name().startsWith("BACKLOG")) {
            builder.orderingPolicy(new FaultyFifoPolicy(one));
        }
        if (fault.name().startsWith("BREAKER")) {
            builder.agentBreakers((agent, name) -> new FaultyBreaker(one));
        }
        try (Scheduler s = builder.build()) {
            AtomicInteger ran = new AtomicInteger();
            List<TaskFuture<?>> futures = new ArrayList<>();
            CountDownLatch gate = new CountDownLatch(1);
            if (fault == Fault.BACKLOG_PEEK) {
                // agent 0 busy while its backlog fills: the other agents must steal from it
                s.execute(() -> {
                    try {
                        gate.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, TaskOptions.builder().pinnedTo(0).build());
            }
            for (int i = 0; i < 1_000; i++) {
                if (i % 10 == 0) {
                    // a task that spawns others, so that agents steal from each other
                    futures.add(s.submit(() -> {
                        for (int k = 0; k < 9; k++) {
                            s.execute(ran::incrementAndGet);
                        }
                        ran.incrementAndGet();
                    }));
                    i += 9;
                } else {
                    futures.add(s.submit(ran::incrementAndGet));
                }
            }
            if (fault == Fault.BACKLOG_PEEK) {
                // agent 0 stays blocked until the others have robbed it (work behind a blocked agent
                // must never be stranded): only then can the fault have been reached for certain
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!one.thrown.get() && System.nanoTime() - until < 0) {
                    Thread.sleep(1);
                }
            }
            gate.countDown();
            for (TaskFuture<?> f : futures) {
                f.get(30, TimeUnit.SECONDS);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (ran.get() < 1_000 && System.nanoTime() - deadline < 0) {
                Thread.sleep(1);
            }
            assertEquals(1_000, ran.get(), "tasks run");
            assertTrue(one.thrown.get(), "the fault was never triggered: the test would prove nothing\n" + s.metrics());

            // every agent goes back to sleep: no searcher or idle count was leaked
            assertTrue(Parked.all(s, 30), "agents did not all park: " + s.metrics().agents());
            // and a sleeping scheduler still wakes for new work (a leaked searcher count stops it)
            CountDownLatch twenty = new CountDownLatch(20);
            for (int i = 0; i < 20; i++) {
                s.execute(twenty::countDown);
            }
            assertTrue(twenty.await(10, TimeUnit.SECONDS), twenty.getCount() + " of 20 tasks did not run");
            assertTrue(Parked.all(s, 30), "agents did not all park: " + s.metrics().agents());

            if (fault.name().startsWith("LISTENER")) {
                assertEquals(1, s.metrics().listenerErrors());
            } else {
                assertEquals(1, s.metrics().strategyErrors());
            }
        }
        assertEquals(0, replaced.get(), "agent threads replaced");
    }

    private static final class FaultyIdle implements IdleStrategy {
        private final OneFault one;
        private final IdleStrategy delegate = new BackoffIdleStrategy(10, 10, 1_000, 100_000);

        FaultyIdle(OneFault one) {
            this.one = one;
        }

        @Override
        public void idle(int workCount) {
            idle();
        }

        @Override
        public void idle() {
            one.at(Fault.IDLE_STRATEGY);
            delegate.idle();
        }

        @Override
        public void reset() {
            delegate.reset();
        }
    }

    /** FIFO order through the ordering SPI, with the one fault. */
    private static final class FaultyFifoPolicy implements OrderingPolicy {
        private final OneFault one;

        FaultyFifoPolicy(OneFault one) {
            this.one = one;
        }

        @Override
        public String name() {
            return "faulty-fifo";
        }

        @Override
        public Backlog newBacklog() {
            return new Backlog() {
                private final ArrayDeque<QueuedTask> queue = new ArrayDeque<>();

                @Override
                public void offer(QueuedTask task, long now) {
                    one.at(Fault.BACKLOG_OFFER);
                    queue.addLast(task);
                }

                @Override
                public QueuedTask poll(long now) {
                    one.at(Fault.BACKLOG_POLL);
                    return queue.pollFirst();
                }

                @Override
                public QueuedTask peek(long now) {
                    one.at(Fault.BACKLOG_PEEK);
                    return queue.peekFirst();
                }

                @Override
                public int size() {
                    one.at(Fault.BACKLOG_SIZE);
                    return queue.size();
                }

                @Override
                public void onStart(QueuedTask task, long now) {
                    one.at(Fault.BACKLOG_ON_START);
                }

                @Override
                public void onFinish(QueuedTask task, long runNanos, long now) {
                    one.at(Fault.BACKLOG_ON_FINISH);
                }
            };
        }
    }

    /** Always closed, with the one fault. */
    private static final class FaultyBreaker implements AgentBreaker {
        private final OneFault one;

        FaultyBreaker(OneFault one) {
            this.one = one;
        }

        @Override
        public long tryAcquire() {
            one.at(Fault.BREAKER_ACQUIRE);
            return 1L;
        }

        @Override
        public void onSuccess(long permit, long runNanos) {
            one.at(Fault.BREAKER_SUCCESS);
        }

        @Override
        public void onFailure(long permit, long runNanos, Throwable error) {
        }

        @Override
        public void release(long permit) {
        }

        @Override
        public boolean admitsWork() {
            one.at(Fault.BREAKER_ADMITS);
            return true;
        }

        @Override
        public long nanosUntilTrials() {
            return 0L;
        }

        @Override
        public String state() {
            return "CLOSED";
        }

        @Override
        public void onTransition(TransitionObserver observer) {
        }
    }
}
