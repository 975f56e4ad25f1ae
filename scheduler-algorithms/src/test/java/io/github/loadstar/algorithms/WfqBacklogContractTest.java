package io.github.loadstar.algorithms;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.loadstar.core.TaskOptions;
import io.github.loadstar.core.spi.Backlog;
import io.github.loadstar.core.spi.OrderingPolicy;
import io.github.loadstar.core.spi.QueuedTask;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@link BacklogContractTest backlog contract} for the wfq (WF2Q+) policy's backlog. */
final class WfqBacklogContractTest extends BacklogContractTest {
    @Override
    protected OrderingPolicy policy() {
        return Policies.wfq();
    }

    @Override
    @Test
    void peekChangesNoObservableState() {
        super.peekChangesNoObservableState();
    }

    /**
     * Deterministic reproducer. Flows b and c, weight 1. c has two tasks of cost 10, b two of cost 1.
     * Polls serve b1 (F 1), c1 (F 10) and b2: V = 0.5 + 5 + 0.5 = 6, and c, the only backlogged flow,
     * has S = 10 &gt; V. By WF2Q+ (V = max(V + L/Σw, min S) at each departure) V is 10 now, so when b
     * returns with b3, b4 (cost 1) it is tagged S = max(F = 2, V = 10) = 10 and the order is b3, c2, b4.
     * The backlog does that only if something peeks before b returns; without a peek b is tagged from
     * V = 6, banks 4 units of virtual time while idle, and gets b3, b4 before c2.
     */
    @Test
    void peekBetweenPollAndOfferDoesNotChangeTheOrder() {
        assertEquals(List.of(4L, 1L, 5L), returningFlowOrder(true), "with a peek before b returns");
        assertEquals(List.of(4L, 1L, 5L), returningFlowOrder(false), "without a peek before b returns");
    }

    private static List<Long> returningFlowOrder(boolean peek) {
        Backlog backlog = Policies.wfq().newBacklog();
        TaskOptions c = TaskOptions.builder().tenant("c", 1.0).cost(10).build();
        TaskOptions b = TaskOptions.builder().tenant("b", 1.0).cost(1).build();
        backlog.offer(new TestTask(0, c, 0), 0);
        backlog.offer(new TestTask(1, c, 0), 0);
        backlog.offer(new TestTask(2, b, 0), 0);
        backlog.offer(new TestTask(3, b, 0), 0);
        assertEquals(2L, ((TestTask) backlog.poll(0)).id(), "b1 first (F = 1)");
        assertEquals(0L, ((TestTask) backlog.poll(0)).id(), "then c1 (b is ineligible: S = 1 > V = 0.5)");
        assertEquals(3L, ((TestTask) backlog.poll(0)).id(), "then b2");
        if (peek) {
            backlog.peek(0);
        }
        backlog.offer(new TestTask(4, b, 0), 0);
        backlog.offer(new TestTask(5, b, 0), 0);
        List<Long> order = new ArrayList<>();
        QueuedTask t;
        while ((t = backlog.poll(0)) != null) {
            order.add(((TestTask) t).id());
        }
        return order;
    }
}
