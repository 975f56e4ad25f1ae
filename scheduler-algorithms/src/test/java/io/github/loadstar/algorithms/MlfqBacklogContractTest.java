package io.github.loadstar.algorithms;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.loadstar.core.Priority;
import io.github.loadstar.core.TaskOptions;
import io.github.loadstar.core.spi.Backlog;
import io.github.loadstar.core.spi.OrderingPolicy;
import org.junit.jupiter.api.Test;

/** The {@link BacklogContractTest backlog contract} for the mlfq policy's backlog. */
final class MlfqBacklogContractTest extends BacklogContractTest {
    @Override
    protected OrderingPolicy policy() {
        return Policies.mlfq();
    }

    @Override
    @Test
    void peekChangesNoObservableState() {
        super.peekChangesNoObservableState();
    }

    /**
     * Deterministic reproducer (defaults: aging threshold 100 ms, boost one level). A (NORMAL) arrives
     * at 0; its threshold passes at 100 ms, so it belongs at HIGH from then. B (HIGH) arrives at
     * 150 ms. Both are at HIGH and A got there first, so a poll at 150 ms + 1 ns returns A — if
     * anybody peeked at 150 ms before B arrived. Without the peek, A is aged only at the poll and
     * queued behind B.
     */
    @Test
    void agedTaskKeepsItsPlaceWhetherOrNotAnybodyPeeked() {
        assertEquals(0L, firstPolled(true), "with a peek before B arrives");
        assertEquals(0L, firstPolled(false), "without a peek before B arrives");
    }

    private static long firstPolled(boolean peek) {
        Backlog backlog = Policies.mlfq().newBacklog();
        long t150 = 150_000_000L;
        backlog.offer(new TestTask(0, TaskOptions.builder().priority(Priority.NORMAL).build(), 0), 0);
        if (peek) {
            backlog.peek(t150);
        }
        backlog.offer(new TestTask(1, TaskOptions.builder().priority(Priority.HIGH).build(), t150), t150);
        return ((TestTask) backlog.poll(t150 + 1)).id();
    }
}
