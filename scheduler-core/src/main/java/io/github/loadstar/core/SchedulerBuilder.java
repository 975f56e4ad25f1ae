package io.github.loadstar.core;

import io.github.loadstar.core.internal.LoadstarScheduler;
import io.github.loadstar.core.internal.SchedulerConfig;
import io.github.loadstar.core.spi.AgentBreakerFactory;
import io.github.loadstar.core.spi.OrderingPolicies;
import io.github.loadstar.core.spi.OrderingPolicy;
import io.github.loadstar.core.spi.PlacementPolicies;
import io.github.loadstar.core.spi.PlacementPolicy;
import io.github.loadstar.core.spi.StealPolicies;
import io.github.loadstar.core.spi.StealPolicy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * Builds a {@link Scheduler}. Every setter validates its argument at once and throws
 * {@link IllegalArgumentException} or {@link NullPointerException} naming the parameter; setters
 * that contradict an earlier one throw {@link IllegalStateException}. A builder may build any
 * number of schedulers.
 *
 * <pre>{@code
 * Scheduler scheduler = Scheduler.builder()
 *     .name("ingest")
 *     .capacities(2.0, 1.0, 1.0)                     // three agents, the first twice as fast
 *     .stealThreshold(4)                             // only rob agents with more than 4 queued
 *     .maxQueuedTasks(100_000, RejectionBehaviour.CALLER_RUNS)
 *     .build();
 * }</pre>
 */
public final class SchedulerBuilder {
    /** The most agents a scheduler may have. */
    public static final int MAX_AGENTS = 32_767;
    /** The largest steal batch. */
    public static final int MAX_STEAL_BATCH = 1024;
    /** The largest latency sampling interval. */
    public static final int MAX_SAMPLING_INTERVAL = 1 << 20;

    static final int DEFAULT_SPIN_ROUNDS = 20;
    static final int DEFAULT_STEAL_BATCH = 32;
    static final int DEFAULT_SAMPLING_INTERVAL = 64;

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private String name;
    private int agents;
    private double[] capacities;
    private int maxAgents;
    private ThreadFactory threadFactory;
    private String threadNamePrefix;
    private Boolean daemon;
    private Supplier<? extends IdleStrategy> idleStrategy;
    private int spinRounds = DEFAULT_SPIN_ROUNDS;
    private CoordinatorConfig coordinator = CoordinatorConfig.DEFAULT;
    private boolean jmx;
    private StealPolicy stealPolicy;
    private boolean stealThresholdSet;
    private int stealBatchLimit = DEFAULT_STEAL_BATCH;
    private PlacementPolicy placementPolicy;
    private long maxQueuedTasks;
    private RejectionBehaviour rejectionBehaviour;
    private final List<SchedulerListener> listeners = new ArrayList<>();
    private int latencySamplingInterval = DEFAULT_SAMPLING_INTERVAL;
    private OrderingPolicy orderingPolicy;
    private OrderingScope orderingScope;
    private AgentBreakerFactory agentBreakers;
    private AllAgentsOpen allAgentsOpen;
    private PinnedOnOpenAgent pinnedOnOpenAgent;

    SchedulerBuilder() {
    }

    /**
     * Names the scheduler (in logs and in its threads' names). Default: {@code loadstar-<n>}.
     *
     * @throws NullPointerException     if {@code name} is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public SchedulerBuilder name(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank");
        }
        this.name = name;
        return this;
    }

    /**
     * Sets the number of agents, each of capacity 1. Default: {@link Runtime#availableProcessors()}.
     *
     * @throws IllegalArgumentException if {@code agents} is not in [1, {@value #MAX_AGENTS}]
     */
    public SchedulerBuilder agents(int agents) {
        if (agents < 1 || agents > MAX_AGENTS) {
            throw new IllegalArgumentException("agents must be between 1 and " + MAX_AGENTS + ": " + agents);
        }
        if (capacities != null && capacities.length != agents) {
            throw new IllegalStateException("agents (" + agents + ") contradicts capacities, which has "
                    + capacities.length + " entries");
        }
        this.agents = agents;
        return this;
    }

    /**
     * Sets the most agents the scheduler may have at once: the room for
     * {@link Scheduler#addAgent agents added while it runs}. Default: the number of agents it starts
     * with (nothing can be added). Each slot costs its queues and counters, made at build.
     *
     * @throws IllegalArgumentException if {@code maxAgents} is not in [1, {@value #MAX_AGENTS}], or
     *                                  (at {@link #build()}) is below the number of agents
     */
    public SchedulerBuilder maxAgents(int maxAgents) {
        if (maxAgents < 1 || maxAgents > MAX_AGENTS) {
            throw new IllegalArgumentException("maxAgents must be between 1 and " + MAX_AGENTS + ": " + maxAgents);
        }
        this.maxAgents = maxAgents;
        return this;
    }

    /**
     * Sets each agent's capacity (its relative speed), which also sets the number of agents.
     * Placement balances queued cost per unit of capacity, and the metrics normalise work by it.
     *
     * @throws NullPointerException     if {@code capacities} is null
     * @throws IllegalArgumentException if it is empty, longer than {@value #MAX_AGENTS}, or holds a
     *                                  value that is not positive and finite
     */
    public SchedulerBuilder capacities(double... capacities) {
        Objects.requireNonNull(capacities, "capacities");
        if (capacities.length < 1 || capacities.length > MAX_AGENTS) {
            throw new IllegalArgumentException("capacities must have between 1 and " + MAX_AGENTS
                    + " entries: " + capacities.length);
        }
        for (int i = 0; i < capacities.length; i++) {
            double c = capacities[i];
            if (!(c > 0) || Double.isInfinite(c)) {
                throw new IllegalArgumentException("capacities[" + i + "] must be positive and finite: " + c);
            }
        }
        if (agents != 0 && agents != capacities.length) {
            throw new IllegalStateException("capacities has " + capacities.length
                    + " entries, which contradicts agents (" + agents + ")");
        }
        this.capacities = capacities.clone();
        return this;
    }

    /**
     * Creates agent threads with {@code threadFactory} instead of Loadstar's own (for virtual
     * threads, custom names, priorities or uncaught-exception handlers).
     *
     * @throws NullPointerException  if {@code threadFactory} is null
     * @throws IllegalStateException if a thread name prefix or the daemon flag was set
     */
    public SchedulerBuilder threadFactory(ThreadFactory threadFactory) {
        Objects.requireNonNull(threadFactory, "threadFactory");
        if (threadNamePrefix != null || daemon != null) {
            throw new IllegalStateException("threadFactory cannot be combined with threadNamePrefix or daemon");
        }
        this.threadFactory = threadFactory;
        return this;
    }

    /**
     * Prefixes the names of Loadstar's own agent threads; the agent index follows.
     * Default: {@code <name>-agent-}.
     *
     * @throws NullPointerException     if {@code prefix} is null
     * @throws IllegalArgumentException if {@code prefix} is blank
     * @throws IllegalStateException    if a thread factory was set
     */
    public SchedulerBuilder threadNamePrefix(String prefix) {
        Objects.requireNonNull(prefix, "threadNamePrefix");
        if (prefix.isBlank()) {
            throw new IllegalArgumentException("threadNamePrefix must not be blank");
        }
        if (threadFactory != null) {
            throw new IllegalStateException("threadNamePrefix cannot be combined with threadFactory");
        }
        this.threadNamePrefix = prefix;
        return this;
    }

    /**
     * Whether Loadstar's own agent threads are daemon threads. Default: true, as in ForkJoinPool,
     * so a scheduler that is never closed does not keep the JVM alive.
     *
     * @throws IllegalStateException if a thread factory was set
     */
    public SchedulerBuilder daemon(boolean daemon) {
        if (threadFactory != null) {
            throw new IllegalStateException("daemon cannot be combined with threadFactory");
        }
        this.daemon = daemon;
        return this;
    }

    /**
     * Supplies each agent's Agrona {@link IdleStrategy}, applied between empty search rounds before
     * the agent parks. Default: {@link BackoffIdleStrategy} that spins 10 times, then yields.
     *
     * @throws NullPointerException if {@code idleStrategy} is null
     */
    public SchedulerBuilder idleStrategy(Supplier<? extends IdleStrategy> idleStrategy) {
        this.idleStrategy = Objects.requireNonNull(idleStrategy, "idleStrategy");
        return this;
    }

    /**
     * How many empty search rounds an agent makes, at most, before it parks. Default:
     * {@value #DEFAULT_SPIN_ROUNDS}. An agent adapts within that limit: each search that ends in a
     * park halves its next one (down to two rounds), and a search that finds work, or a park that
     * ends within 50 µs (work arriving in a burst), restores the limit, so a busy scheduler spins
     * and a quiet one does not. 0 parks at once; more trades CPU for wake-up latency.
     *
     * @throws IllegalArgumentException if {@code spinRounds} is not in [0, 1,000,000]
     */
    public SchedulerBuilder spinRounds(int spinRounds) {
        if (spinRounds < 0 || spinRounds > 1_000_000) {
            throw new IllegalArgumentException("spinRounds must be between 0 and 1000000: " + spinRounds);
        }
        this.spinRounds = spinRounds;
        return this;
    }

    /**
     * Sets the steal policy. Default: {@link StealPolicies#threshold()}.
     *
     * @throws NullPointerException  if {@code stealPolicy} is null
     * @throws IllegalStateException if a steal threshold was set
     */
    public SchedulerBuilder stealPolicy(StealPolicy stealPolicy) {
        Objects.requireNonNull(stealPolicy, "stealPolicy");
        if (stealThresholdSet) {
            throw new IllegalStateException("stealPolicy cannot be combined with stealThreshold");
        }
        this.stealPolicy = stealPolicy;
        return this;
    }

    /**
     * Uses the default steal policy with this threshold: only agents with more than
     * {@code stealThreshold} queued tasks are robbed.
     *
     * @throws IllegalArgumentException if {@code stealThreshold} is negative
     * @throws IllegalStateException    if a steal policy was set
     */
    public SchedulerBuilder stealThreshold(int stealThreshold) {
        if (stealThreshold < 0) {
            throw new IllegalArgumentException("stealThreshold must not be negative: " + stealThreshold);
        }
        if (stealPolicy != null && !stealThresholdSet) {
            throw new IllegalStateException("stealThreshold cannot be combined with stealPolicy");
        }
        this.stealPolicy = StealPolicies.threshold(stealThreshold);
        this.stealThresholdSet = true;
        return this;
    }

    /**
     * The most tasks one steal moves from a victim's inbox or ordered backlog (it also never takes
     * more than half of it). A steal from a victim's deque — tasks its own tasks spawned — takes one
     * task, the oldest, which in a divide-and-conquer tree is the largest piece of work (as in
     * ForkJoinPool). Default: {@value #DEFAULT_STEAL_BATCH}.
     *
     * @throws IllegalArgumentException if {@code limit} is not in [1, {@value #MAX_STEAL_BATCH}]
     */
    public SchedulerBuilder stealBatchLimit(int limit) {
        if (limit < 1 || limit > MAX_STEAL_BATCH) {
            throw new IllegalArgumentException("stealBatchLimit must be between 1 and " + MAX_STEAL_BATCH + ": " + limit);
        }
        this.stealBatchLimit = limit;
        return this;
    }

    /**
     * Sets the placement policy for tasks submitted from outside. Default:
     * {@link PlacementPolicies#powerOfTwoChoices()}.
     *
     * @throws NullPointerException if {@code placementPolicy} is null
     */
    public SchedulerBuilder placementPolicy(PlacementPolicy placementPolicy) {
        this.placementPolicy = Objects.requireNonNull(placementPolicy, "placementPolicy");
        return this;
    }

    /**
     * Bounds the number of queued (accepted, not yet started) tasks; at the bound, submissions follow
     * {@code behaviour}. Default: unbounded. A bound costs one shared atomic counter update per task.
     *
     * @throws IllegalArgumentException if {@code maxQueuedTasks} is less than 1
     * @throws NullPointerException     if {@code behaviour} is null
     */
    public SchedulerBuilder maxQueuedTasks(long maxQueuedTasks, RejectionBehaviour behaviour) {
        if (maxQueuedTasks < 1) {
            throw new IllegalArgumentException("maxQueuedTasks must be at least 1: " + maxQueuedTasks);
        }
        this.rejectionBehaviour = Objects.requireNonNull(behaviour, "rejectionBehaviour");
        this.maxQueuedTasks = maxQueuedTasks;
        return this;
    }

    /**
     * Bounds the number of queued tasks with {@link RejectionBehaviour#ABORT}.
     *
     * @throws IllegalArgumentException if {@code maxQueuedTasks} is less than 1
     */
    public SchedulerBuilder maxQueuedTasks(long maxQueuedTasks) {
        return maxQueuedTasks(maxQueuedTasks, RejectionBehaviour.ABORT);
    }

    /**
     * Registers a listener; may be called more than once.
     *
     * @throws NullPointerException if {@code listener} is null
     */
    public SchedulerBuilder listener(SchedulerListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /**
     * Times one task in {@code interval} for the queue-latency percentiles. Default:
     * {@value #DEFAULT_SAMPLING_INTERVAL}. 1 times every task (two clock reads each).
     *
     * @throws IllegalArgumentException if {@code interval} is not a power of two in
     *                                  [1, {@value #MAX_SAMPLING_INTERVAL}]
     */
    public SchedulerBuilder latencySamplingInterval(int interval) {
        if (interval < 1 || interval > MAX_SAMPLING_INTERVAL || Integer.bitCount(interval) != 1) {
            throw new IllegalArgumentException("latencySamplingInterval must be a power of two between 1 and "
                    + MAX_SAMPLING_INTERVAL + ": " + interval);
        }
        this.latencySamplingInterval = interval;
        return this;
    }

    /**
     * Orders each agent's waiting tasks by {@code policy}. Default: {@link OrderingPolicies#fifo()},
     * which runs on the lock-free deques; any other policy keeps each agent's backlog in the
     * policy's structure, guarded by the agent's claim, and reads the clock a few times per task.
     *
     * @throws NullPointerException if {@code policy} is null
     */
    public SchedulerBuilder orderingPolicy(OrderingPolicy policy) {
        this.orderingPolicy = Objects.requireNonNull(policy, "orderingPolicy");
        return this;
    }

    /**
     * Orders each agent's waiting tasks by the policy registered under {@code name}
     * ({@code fifo}, and with scheduler-algorithms {@code edf}, {@code cfs}, {@code wfq}, {@code mlfq}),
     * with its default configuration.
     *
     * @throws NullPointerException     if {@code name} is null
     * @throws IllegalArgumentException if no policy has that name (the message lists the known ones)
     */
    public SchedulerBuilder orderingPolicy(String name) {
        Objects.requireNonNull(name, "orderingPolicy");
        this.orderingPolicy = OrderingPolicies.byName(name);
        return this;
    }

    /**
     * Whether each agent orders its own backlog ({@link OrderingScope#PER_AGENT}, the default) or
     * one backlog orders all tasks ({@link OrderingScope#GLOBAL}).
     *
     * @throws NullPointerException if {@code scope} is null
     */
    public SchedulerBuilder orderingScope(OrderingScope scope) {
        this.orderingScope = Objects.requireNonNull(scope, "orderingScope");
        return this;
    }

    /**
     * Guards every agent with a circuit breaker made by {@code factory} (with scheduler-algorithms:
     * {@code CircuitBreakers.perAgent(config)}). A task that throws counts as a failure of its
     * agent, a task slower than the breaker's slow-call duration as a slow call. While an agent's
     * breaker is open, placement and stealing skip it, its queued movable tasks move to the other
     * agents, and its pinned tasks wait or fail ({@link #pinnedOnOpenAgent}); when it half-opens,
     * only its trial tasks run there. Costs two clock reads per task.
     *
     * @throws NullPointerException if {@code factory} is null
     */
    public SchedulerBuilder agentBreakers(AgentBreakerFactory factory) {
        this.agentBreakers = Objects.requireNonNull(factory, "agentBreakers");
        return this;
    }

    /**
     * What a submission does when every agent's breaker is open. Default: {@link AllAgentsOpen#QUEUE}.
     *
     * @throws NullPointerException if {@code rule} is null
     */
    public SchedulerBuilder whenAllAgentsOpen(AllAgentsOpen rule) {
        this.allAgentsOpen = Objects.requireNonNull(rule, "whenAllAgentsOpen");
        return this;
    }

    /**
     * What happens to tasks pinned to an agent whose breaker opens. Default:
     * {@link PinnedOnOpenAgent#WAIT}.
     *
     * @throws NullPointerException if {@code rule} is null
     */
    public SchedulerBuilder pinnedOnOpenAgent(PinnedOnOpenAgent rule) {
        this.pinnedOnOpenAgent = Objects.requireNonNull(rule, "pinnedOnOpenAgent");
        return this;
    }

    /**
     * Sets the coordinator's configuration: the history it keeps and the rebalancing it does.
     * Default: {@link CoordinatorConfig#DEFAULT}.
     *
     * @throws NullPointerException if {@code coordinator} is null
     */
    public SchedulerBuilder coordinator(CoordinatorConfig coordinator) {
        this.coordinator = Objects.requireNonNull(coordinator, "coordinator");
        return this;
    }

    /**
     * Registers the scheduler's management bean ({@link io.github.loadstar.core.management.SchedulerMXBean})
     * in the platform MBean server under {@code io.github.loadstar:type=Scheduler,name=<name>} while
     * it runs (it is unregistered when the scheduler terminates). Default: false.
     */
    public SchedulerBuilder jmx(boolean register) {
        this.jmx = register;
        return this;
    }

    /**
     * Builds and starts the scheduler.
     *
     * @throws IllegalStateException if the thread factory fails to create a thread (no thread is
     *                               left running)
     */
    public Scheduler build() {
        String schedulerName = name != null ? name : "loadstar-" + SEQUENCE.incrementAndGet();
        double[] caps = capacities;
        if (caps == null) {
            caps = new double[agents != 0 ? agents : Runtime.getRuntime().availableProcessors()];
            Arrays.fill(caps, 1.0);
        }
        if (maxAgents != 0 && maxAgents < caps.length) {
            throw new IllegalArgumentException("maxAgents (" + maxAgents + ") is below the number of agents ("
                    + caps.length + ")");
        }
        Supplier<? extends IdleStrategy> idle = idleStrategy != null
                ? idleStrategy
                : () -> new BackoffIdleStrategy(10, 10, 1_000, 1_000);
        SchedulerConfig config = new SchedulerConfig(
                schedulerName,
                caps,
                maxAgents != 0 ? maxAgents : caps.length,
                threadFactory,
                threadNamePrefix != null ? threadNamePrefix : schedulerName + "-agent-",
                daemon == null || daemon,
                idle,
                spinRounds,
                stealPolicy != null ? stealPolicy : StealPolicies.threshold(),
                stealBatchLimit,
                placementPolicy != null ? placementPolicy : PlacementPolicies.powerOfTwoChoices(),
                maxQueuedTasks,
                rejectionBehaviour != null ? rejectionBehaviour : RejectionBehaviour.ABORT,
                listeners,
                latencySamplingInterval,
                orderingPolicy != null ? orderingPolicy : OrderingPolicies.fifo(),
                orderingScope != null ? orderingScope : OrderingScope.PER_AGENT,
                agentBreakers,
                allAgentsOpen != null ? allAgentsOpen : AllAgentsOpen.QUEUE,
                pinnedOnOpenAgent != null ? pinnedOnOpenAgent : PinnedOnOpenAgent.WAIT,
                coordinator,
                jmx);
        return LoadstarScheduler.start(config);
    }
}
