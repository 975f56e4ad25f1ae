package io.github.loadstar.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three thieves drain one agent's inbox while a producer fills it, across hundreds of the inbox's
 * buffer boundaries: every task runs exactly once and no agent thread dies.
 *
 * <p>Regression: thieves once called the inbox's {@code relaxedPeek} without holding the claim.
 * In JCTools' atomic MPSC queue that method moves the consumer to the next buffer at a boundary, so
 * two threads crossing together corrupted the queue (a ClassCastException in an agent). The build
 * runs this test with both queue flavours (see the surefire executions in scheduler-core's pom).
 */
final class InboxStealStressTest {

    @Test
    @Timeout(120)
    void thievesDrainingOneInboxLoseAndDuplicateNothing() throws InterruptedException {
        int tasks = Boolean.getBoolean("loadstar.stress") ? 5_000_000 : 400_000;
        AtomicIntegerArray runs = new AtomicIntegerArray(tasks);
        AtomicInteger replaced = new AtomicInteger();
        SchedulerListener listener = new SchedulerListener() {
            @Override
            public void onAgentReplaced(int agent, Thread dead, Thread replacement, Throwable cause) {
                replaced.incrementAndGet();
            }
        };
        CountDownLatch done = new CountDownLatch(tasks);
        try (Scheduler scheduler = Scheduler.builder().agents(4).placementPolicy(AllOnAgentZero.INSTANCE).listener(listener)
                .stealBatchLimit(3).build()) {
            for (int i = 0; i < tasks; i++) {
                int id = i;
                scheduler.execute(() -> {
                    runs.incrementAndGet(id);
                    done.countDown();
                });
            }
            assertTrue(done.await(60, TimeUnit.SECONDS), done.getCount() + " tasks never ran");
            scheduler.shutdown();
            assertTrue(scheduler.awaitTermination(10, TimeUnit.SECONDS));
            assertEquals(0, replaced.get(), "an agent thread died");
            assertEquals(0, scheduler.metrics().failed());
            assertTrue(scheduler.metrics().steals() > 0, "the thieves took part");
        }
        for (int i = 0; i < tasks; i++) {
            assertEquals(1, runs.get(i), "task " + i);
        }
    }
}
