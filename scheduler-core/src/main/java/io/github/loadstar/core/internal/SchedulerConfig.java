package io.github.loadstar.core.internal;

import io.github.loadstar.core.AllAgentsOpen;
import io.github.loadstar.core.CoordinatorConfig;
import io.github.loadstar.core.OrderingScope;
import io.github.loadstar.core.PinnedOnOpenAgent;
import io.github.loadstar.core.RejectionBehaviour;
import io.github.loadstar.core.SchedulerListener;
import io.github.loadstar.core.spi.AgentBreakerFactory;
import io.github.loadstar.core.spi.OrderingPolicy;
import io.github.loadstar.core.spi.PlacementPolicy;
import io.github.loadstar.core.spi.StealPolicy;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.function.Supplier;
import org.agrona.concurrent.IdleStrategy;

/**
 * A validated, immutable scheduler configuration, as produced by
 * {@link io.github.loadstar.core.SchedulerBuilder}.
 *
 * @param name                     the scheduler's name (logs, thread names)
 * @param capacities               one positive capacity per agent it starts with
 * @param maxAgents                the most agents at once (slots), at least as many as capacities
 * @param threadFactory            creates agent threads, or null for Loadstar's own
 * @param threadNamePrefix         prefix of Loadstar's own thread names
 * @param daemon                   whether Loadstar's own threads are daemons
 * @param idleStrategy             makes the per-agent strategy between empty search rounds
 * @param spinRounds               empty search rounds before parking
 * @param stealPolicy              chooses victims
 * @param stealBatchLimit          most tasks moved by one steal
 * @param placementPolicy          places external tasks
 * @param maxQueuedTasks           bound on queued tasks, or 0 for none
 * @param rejectionBehaviour       what happens at the bound
 * @param listeners                event listeners
 * @param latencySamplingInterval  one task in this many is timed (a power of two)
 * @param orderingPolicy           orders each agent's backlog (FIFO: the lock-free path)
 * @param orderingScope            per agent, or one backlog for the whole scheduler
 * @param agentBreakers            makes each agent's circuit breaker, or null for none
 * @param allAgentsOpen            what submissions do when every breaker is open
 * @param pinnedOnOpenAgent        what happens to tasks pinned to an agent whose breaker opens
 * @param coordinator              the history and the rebalancing
 * @param jmx                      whether to register the scheduler's management bean
 */
public record SchedulerConfig(
        String name,
        double[] capacities,
        int maxAgents,
        ThreadFactory threadFactory,
        String threadNamePrefix,
        boolean daemon,
        Supplier<? extends IdleStrategy> idleStrategy,
        int spinRounds,
        StealPolicy stealPolicy,
        int stealBatchLimit,
        PlacementPolicy placementPolicy,
        long maxQueuedTasks,
        RejectionBehaviour rejectionBehaviour,
        List<SchedulerListener> listeners,
        int latencySamplingInterval,
        OrderingPolicy orderingPolicy,
        OrderingScope orderingScope,
        AgentBreakerFactory agentBreakers,
        AllAgentsOpen allAgentsOpen,
        PinnedOnOpenAgent pinnedOnOpenAgent,
        CoordinatorConfig coordinator,
        boolean jmx) {

    public SchedulerConfig {
        capacities = capacities.clone();
        listeners = List.copyOf(listeners);
    }

    /** The number of agents it starts with. */
    public int agentCount() {
        return capacities.length;
    }

    @Override
    public double[] capacities() {
        return capacities.clone();
    }
}
