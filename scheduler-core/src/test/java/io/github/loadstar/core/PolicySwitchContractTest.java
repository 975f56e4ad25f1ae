package io.github.loadstar.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loadstar.core.spi.Backlog;
import io.github.loadstar.core.spi.OrderingPolicy;
import io.github.loadstar.core.spi.QueuedTask;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A backlog hears {@code onStart} and {@code onFinish} only about tasks it gave out itself, while the
 * ordering policy is switched again and again under stealing: a policy keeps per-task state in the
 * task's slots (CFS: the tenant's entity, with its heap position), and a charge for a task it never
 * held would act on slots another backlog wrote.
 *
 * <p>Every backlog here checks the {@link Backlog} contract as it is called: {@code onStart} with the
 * task its last {@code poll} returned, {@code onFinish} with a task it started, and the task's
 * {@code policyNode} still its own. Found by {@code PolicyConservationPropertyTest} (a task lost after
 * arrival → CFS → arrival): a task that ran when its agent's backlog was swapped was charged to the
 * new policy, and a task stolen during a switch could carry another agent's CFS entity into it,
 * whose {@code onFinish} re-sifted that foreign entity into its own heap; both heaps lost an entity
 * and the tasks queued under it.
 */
final class PolicySwitchContractTest {
    private static final int MAX_TASKS = 200_000;
    private static final int SWITCHES = 300;

    @ParameterizedTest
    @EnumSource(OrderingScope.class)
    @Timeout(120)
    void noBacklogIsChargedForATaskItDidNotGiveOut(OrderingScope scope) throws InterruptedException {
        List<String> violations = Collections.synchronizedList(new ArrayList<>());
        AtomicIntegerArray runs = new AtomicIntegerArray(MAX_TASKS);
        AtomicBoolean switching = new AtomicBoolean(true);
        int[] submitted = {0};
        Scheduler scheduler = Scheduler.builder().name("switch-contract").agents(8)
                .orderingPolicy(new ContractCheckingPolicy(violations)).orderingScope(scope)
                .placementPolicy(AllOnAgentZero.INSTANCE).build();
        try {
            // everything lands on agent 0 and the other seven steal, while the policy is replaced
            Thread producer = new Thread(() -> {
                int i = 0;
                for (; i < MAX_TASKS && switching.get(); i++) {
                    int id = i;
                    scheduler.execute(() -> {
                        runs.incrementAndGet(id);
                        Work.burn(300);
                    });
                    if ((i & 1023) == 1023) {
                        Thread.yield();
                    }
                }
                submitted[0] = i;
            }, "switch-contract-producer");
            producer.start();
            for (int s = 0; s < SWITCHES; s++) {
                OrderingPolicy next = new ContractCheckingPolicy(violations);
                scheduler.reconfigure(settings -> settings.withOrderingPolicy(next));
                LockSupport.parkNanos(100_000);
            }
            switching.set(false);
            producer.join();
            scheduler.shutdown();
            assertTrue(scheduler.awaitTermination(60, TimeUnit.SECONDS), () -> "did not terminate\n" + scheduler.metrics());
        } finally {
            scheduler.shutdownNow();
        }
        assertEquals(List.of(), violations.subList(0, Math.min(5, violations.size())),
                violations.size() + " contract violations over " + submitted[0] + " tasks and " + SWITCHES + " switches");
        for (int i = 0; i < submitted[0]; i++) {
            assertEquals(1, runs.get(i), "task " + i + " runs");
        }
    }

    /** FIFO, checking every call it receives against the Backlog contract. */
    private static final class ContractCheckingPolicy implements OrderingPolicy {
        private static final AtomicInteger BACKLOGS = new AtomicInteger();
        private final List<String> violations;

        ContractCheckingPolicy(List<String> violations) {
            this.violations = violations;
        }

        @Override
        public String name() {
            return "contract-checking";
        }

        @Override
        public Backlog newBacklog() {
            return new Backlog() {
                private final ArrayDeque<QueuedTask> queue = new ArrayDeque<>();
                private final Set<QueuedTask> started = Collections.newSetFromMap(new IdentityHashMap<>());
                private final String name = "backlog " + BACKLOGS.incrementAndGet();
                private QueuedTask lastPolled;

                @Override
                public String toString() {
                    return name;
                }

                @Override
                public void offer(QueuedTask task, long now) {
                    task.policyNode(this);
                    queue.addLast(task);
                }

                @Override
                public QueuedTask poll(long now) {
                    lastPolled = queue.pollFirst();
                    return lastPolled;
                }

                @Override
                public QueuedTask peek(long now) {
                    return queue.peekFirst();
                }

                @Override
                public int size() {
                    return queue.size();
                }

                @Override
                public void onStart(QueuedTask task, long now) {
                    if (task != lastPolled || task.policyNode() != this) {
                        violations.add("onStart of a task this backlog did not just give out (its slot holds "
                                + task.policyNode() + ", not " + this + ")");
                    }
                    started.add(task);
                }

                @Override
                public void onFinish(QueuedTask task, long runNanos, long now) {
                    if (!started.remove(task) || task.policyNode() != this) {
                        violations.add("onFinish of a task this backlog did not start (its slot holds "
                                + task.policyNode() + ", not " + this + ")");
                    }
                }
            };
        }
    }
}
