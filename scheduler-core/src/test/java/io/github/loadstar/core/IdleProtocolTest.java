package io.github.loadstar.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loadstar.core.spi.AgentLoads;
import io.github.loadstar.core.spi.StealPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Wake-ups reach an agent that can run the work, whatever the steal policy; a failed start leaks nothing. */
@Timeout(60)
final class IdleProtocolTest {

    /**
     * Regression: a task alone in a parked agent's inbox, with a steal threshold the searcher may
     * not cross, used to leave the searcher waking itself forever while the owner slept.
     */
    @Test
    void workBelowTheStealThresholdStillRuns() throws Exception {
        try (Scheduler scheduler = Scheduler.builder().agents(2).stealThreshold(4).build()) {
            for (int i = 0; i < 2_000; i++) {
                assertEquals(i, scheduler.submit(() -> 0).get(5, TimeUnit.SECONDS) + i);
            }
        }
    }

    /**
     * Regression: two blocking tasks submitted from outside to two agents must both start. When
     * both landed on one agent, the second waited behind the first (which never ends) unless the
     * other agent stole it, and two races let that agent sleep instead: the last searcher woke only
     * idle owners of queued work, not a thief for work behind a busy one; and an agent that could
     * not search parked without a re-check while the last searcher, stopping at that moment, found
     * nobody idle to wake. Under load each showed about once in 3,000 rounds (as a 10 s time-out in
     * {@code ExecutorContractTest}); this test runs the pattern alone, many times.
     */
    @Test
    void twoBlockingTasksOnTwoAgentsBothStart() throws Exception {
        int rounds = Boolean.getBoolean("loadstar.stress") ? 20_000 : 1_500;
        // a thread that competes for a core, as the rest of a loaded machine would: the races need
        // an agent to be descheduled at the wrong moment
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread competitor = new Thread(() -> {
            long x = 0;
            while (!stop.get()) {
                x += System.nanoTime() & 1;
            }
            if (x == 42) {
                System.err.print("");
            }
        }, "competitor");
        competitor.setDaemon(true);
        competitor.start();
        try {
            runRounds(rounds);
        } finally {
            stop.set(true);
            competitor.join();
        }
    }

    private static void runRounds(int rounds) throws InterruptedException {
        for (int round = 0; round < rounds; round++) {
            CountDownLatch started = new CountDownLatch(2);
            CountDownLatch release = new CountDownLatch(1);
            try (Scheduler scheduler = Scheduler.builder().agents(2).build()) {
                for (int i = 0; i < 2; i++) {
                    scheduler.execute(Gate.holdUntil(started, release));
                }
                boolean both = started.await(10, TimeUnit.SECONDS);
                String state = both ? "" : scheduler.metrics().toString();
                release.countDown();
                assertTrue(both, "round " + round + ": a blocking task never started:\n" + state);
            }
        }
    }

    @Test
    void workRunsWhenTheStealPolicyNeverStealsAnything() throws Exception {
        StealPolicy none = new StealPolicy() {
            @Override
            public int selectVictims(int thief, AgentLoads loads, int random, int[] victims) {
                return 0;
            }

            @Override
            public String name() {
                return "none";
            }
        };
        try (Scheduler scheduler = Scheduler.builder().agents(3).stealPolicy(none).build()) {
            CountDownLatch done = new CountDownLatch(5_000);
            for (int i = 0; i < 5_000; i++) {
                scheduler.execute(done::countDown);
                if (i % 100 == 0) {
                    Thread.sleep(0, 100_000);   // let agents park between bursts
                }
            }
            assertTrue(done.await(10, TimeUnit.SECONDS), done.getCount() + " tasks never ran");
            long parks = scheduler.metrics().agents().stream().mapToLong(a -> a.parks()).sum();
            assertTrue(parks < 200_000, "agents spun through park/wake " + parks + " times");
        }
    }

    @Test
    void pinnedWorkWakesItsOwnAgent() throws Exception {
        try (Scheduler scheduler = Scheduler.builder().agents(4).build()) {
            for (int round = 0; round < 200; round++) {
                int agent = round % 4;
                Thread ranOn = scheduler.submit(Thread::currentThread, TaskOptions.builder().pinnedTo(agent).build())
                        .get(5, TimeUnit.SECONDS);
                assertEquals(scheduler.metrics().agents().get(agent).thread(), ranOn.getName());
            }
        }
    }

    /** Regression: a Thread.start() failure during build() left the agents already started running. */
    @Test
    void aThreadThatFailsToStartLeaksNoOtherThread() throws Exception {
        List<Thread> made = new ArrayList<>();
        AtomicInteger count = new AtomicInteger();
        ThreadFactory failing = r -> {
            int n = count.getAndIncrement();
            Thread t = new Thread(r, "start-failure-" + n) {
                @Override
                public synchronized void start() {
                    if (n == 2) {
                        throw new OutOfMemoryError("unable to create native thread (simulated by the test)");
                    }
                    super.start();
                }
            };
            made.add(t);
            return t;
        };
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Scheduler.builder().agents(4).threadFactory(failing).build());
        assertTrue(e.getCause() instanceof OutOfMemoryError);
        for (Thread t : made) {
            t.join(10_000);
            assertTrue(!t.isAlive(), t.getName() + " is still running");
        }
    }
}
