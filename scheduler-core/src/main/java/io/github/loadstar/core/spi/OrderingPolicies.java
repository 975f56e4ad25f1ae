package io.github.loadstar.core.spi;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The registry of ordering policies: {@code fifo} and {@code arrival} built in, the rest found with {@link ServiceLoader}
 * ({@code scheduler-algorithms} registers {@code edf}, {@code cfs}, {@code wfq} and {@code mlfq}).
 */
public final class OrderingPolicies {
    private static final OrderingPolicy FIFO = new Fifo();
    private static final OrderingPolicy ARRIVAL = new Arrival();

    private OrderingPolicies() {
    }

    /**
     * The default, run on the runtime's lock-free path: tasks submitted from outside run first in,
     * first out on their agent; tasks that a running task submits go onto its agent's deque and run
     * newest first there (thieves take the oldest), as in ForkJoinPool's default mode. So a task
     * that keeps submitting a successor keeps its agent on that chain, and the agent's older spawned
     * tasks wait until a thief is idle to take them; for arrival order everywhere, use
     * {@link #arrival()}.
     */
    public static OrderingPolicy fifo() {
        return FIFO;
    }

    /**
     * First in, first out through the ordered path (a backlog per agent under the agent's claim, as
     * EDF or CFS): slower than {@link #fifo()}, whose lock-free loops are chosen at build, but a
     * scheduler built with it can switch to another ordering policy while it runs, and back
     * ({@code reconfigure(s -> s.withOrderingPolicy(...))}). Registered as {@code arrival}.
     */
    public static OrderingPolicy arrival() {
        return ARRIVAL;
    }

    /**
     * A new policy by its registered name, with its default configuration.
     *
     * @throws NullPointerException     if {@code name} is null
     * @throws IllegalArgumentException if no policy has that name; the message lists the known ones
     */
    public static OrderingPolicy byName(String name) {
        Objects.requireNonNull(name, "name");
        Map<String, OrderingPolicyProvider> providers = providers();
        OrderingPolicyProvider provider = providers.get(name);
        if (provider == null) {
            throw new IllegalArgumentException("unknown ordering policy '" + name + "'; known policies: "
                    + String.join(", ", providers.keySet()));
        }
        return provider.create();
    }

    /** The registered names, sorted. */
    public static java.util.Set<String> names() {
        return providers().keySet();
    }

    private static Map<String, OrderingPolicyProvider> providers() {
        Map<String, OrderingPolicyProvider> byName = new TreeMap<>();
        byName.put("fifo", new OrderingPolicyProvider() {
            @Override
            public String name() {
                return "fifo";
            }

            @Override
            public OrderingPolicy create() {
                return FIFO;
            }
        });
        byName.put("arrival", new OrderingPolicyProvider() {
            @Override
            public String name() {
                return "arrival";
            }

            @Override
            public OrderingPolicy create() {
                return ARRIVAL;
            }
        });
        for (OrderingPolicyProvider p : ServiceLoader.load(OrderingPolicyProvider.class,
                OrderingPolicies.class.getClassLoader())) {
            byName.putIfAbsent(p.name(), p);
        }
        return byName;
    }

    /** FIFO; its backlog (used by the simulator and the GLOBAL scope) is a plain queue. */
    private static final class Fifo implements OrderingPolicy {
        @Override
        public String name() {
            return "fifo";
        }

        @Override
        public Backlog newBacklog() {
            return new FifoBacklog();
        }

        @Override
        public boolean isFifo() {
            return true;
        }

        @Override
        public String toString() {
            return "fifo";
        }
    }

    /** FIFO on the ordered path: the same backlog, but not {@link OrderingPolicy#isFifo()}. */
    private static final class Arrival implements OrderingPolicy {
        @Override
        public String name() {
            return "arrival";
        }

        @Override
        public Backlog newBacklog() {
            return new FifoBacklog();
        }

        @Override
        public String toString() {
            return "arrival";
        }
    }

    /** Arrival order; O(1) per operation. */
    private static final class FifoBacklog implements Backlog {
        private final ArrayDeque<QueuedTask> tasks = new ArrayDeque<>();

        @Override
        public void offer(QueuedTask task, long now) {
            tasks.addLast(task);
        }

        @Override
        public QueuedTask poll(long now) {
            return tasks.pollFirst();
        }

        @Override
        public QueuedTask peek(long now) {
            return tasks.peekFirst();
        }

        @Override
        public int size() {
            return tasks.size();
        }
    }
}
