package io.github.loadstar.hazelcast;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastException;
import com.hazelcast.core.HazelcastInstance;
import io.github.loadstar.algorithms.breaker.CircuitBreakerConfig;
import io.github.loadstar.algorithms.breaker.CircuitBreakers;
import io.github.loadstar.core.Scheduler;
import io.github.loadstar.core.spi.AgentBreaker;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * The bridge between a cluster's membership and a scheduler's agents. Each worker (a data member
 * other than this process) is one remote agent: joined -> Scheduler.addRemoteAgent with a
 * HazelcastRemoteLink and a breaker of its own; left -> Scheduler.removeAgent (the agent stops
 * admitting, takes back what the member had not started, and leaves once every task it sent is
 * reported: Hazelcast's durable executor re-runs what the member held, and the ledger makes a re-run
 * of a finished task return its recorded outcome). A member's window and capacity come from the
 * executor thread count it publishes (ClusterSettings.THREADS_ATTRIBUTE).
 *
 * Membership events arrive on a Hazelcast event thread, in order per member; the map from member to
 * agent index is changed only there and in attach (before the listener is registered, members
 * already present are added under the same lock).
 */

/** Keeps one remote agent per worker member of a Hazelcast cluster; see the overview in the source. */
public final class RemoteMembers implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteMembers.class);

    private final Scheduler scheduler;
    private final HazelcastInstance instance;
    private final MemberKeys keys;
    private final TaskLedger ledger;
    private final int windowPerThread;
    private final long responseTimeoutNanos;
    private final IntFunction<CircuitBreakerConfig> breakerConfig;
    private final boolean withoutLocalAgents;
    private final Map<UUID, Integer> agents = new ConcurrentHashMap<>();
    private final Map<UUID, HazelcastRemoteLink> links = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    private UUID registration;
    private boolean localAgentsRemoved;

    private RemoteMembers(Builder b) {
        this.scheduler = b.scheduler;
        this.instance = b.instance;
        this.keys = MemberKeys.watching(b.instance);
        this.ledger = TaskLedger.of(b.instance);
        this.windowPerThread = b.windowPerThread;
        this.responseTimeoutNanos = b.responseTimeout.toNanos();
        this.breakerConfig = b.breakerConfig;
        this.withoutLocalAgents = b.withoutLocalAgents;
    }

    /**
     * A builder attaching {@code scheduler} to the cluster {@code instance} belongs to (a lite member,
     * so no task lands on this process, or a client).
     */
    public static Builder builder(Scheduler scheduler, HazelcastInstance instance) {
        return new Builder(scheduler, instance);
    }

    /** The breaker a member gets by default: open after min(3, window) timeouts or lost deliveries in a row, probed after 1 s. */
    public static CircuitBreakerConfig defaultBreaker(int window) {
        return CircuitBreakerConfig.builder()
                .consecutiveFailureThreshold(Math.min(3, window))
                .failureRateThreshold(100f)
                .openDuration(Duration.ofSeconds(1))
                .halfOpenTrials(Math.max(2, window), Math.max(1, Math.min(2, window)))
                .halfOpenSuccessThreshold(1)
                .halfOpenTimeout(Duration.ofSeconds(30))
                // a task that threw is the task's failure, not the member's: only timeouts and the
                // cluster's own errors count against a member
                .recordException(t -> t instanceof TimeoutException || t instanceof HazelcastException
                        || OutcomeNotDelivered.isNotDelivered(t))
                .build();
    }

    private RemoteMembers start() {
        synchronized (lock) {
            registration = instance.getCluster().addMembershipListener(new MembershipListener() {
                @Override
                public void memberAdded(MembershipEvent event) {
                    join(event.getMember());
                }

                @Override
                public void memberRemoved(MembershipEvent event) {
                    leave(event.getMember());
                }
            });
            for (Member m : instance.getCluster().getMembers()) {
                join(m);
            }
        }
        return this;
    }

    private void join(Member member) {
        if (member.isLiteMember() || member.localMember()) {
            return;     // runs nothing (or is this process)
        }
        synchronized (lock) {
            if (agents.containsKey(member.getUuid())) {
                return;
            }
            int threads = threadsOf(member);
            int window = threads * windowPerThread;
            HazelcastRemoteLink link = new HazelcastRemoteLink(instance, member, keys, window, responseTimeoutNanos);
            AgentBreaker breaker = CircuitBreakers.perAgent(breakerConfig.apply(window))
                    .create(-1, scheduler.name() + "-member-" + member.getAddress());
            int index;
            try {
                index = scheduler.addRemoteAgent(link, threads, breaker);
            } catch (RuntimeException e) {
                link.close();
                LOG.warn("scheduler {}: member {} could not become a remote agent: {}", scheduler.name(),
                        member.getAddress(), e.toString());
                return;
            }
            agents.put(member.getUuid(), index);
            links.put(member.getUuid(), link);
            LOG.info("scheduler {}: member {} joined as remote agent {} (window {}, capacity {})", scheduler.name(),
                    member.getAddress(), index, window, threads);
            if (withoutLocalAgents && !localAgentsRemoved) {
                removeLocalAgents();
            }
        }
    }

    private void removeLocalAgents() {
        localAgentsRemoved = true;
        scheduler.metrics().agents().stream()
                .filter(a -> !a.remote() && a.state() != io.github.loadstar.core.metrics.AgentState.REMOVED
                        && a.state() != io.github.loadstar.core.metrics.AgentState.DRAINING)
                .forEach(a -> {
                    try {
                        scheduler.removeAgent(a.index());
                    } catch (RuntimeException e) {
                        LOG.warn("scheduler {}: local agent {} stays: {}", scheduler.name(), a.index(), e.toString());
                    }
                });
    }

    private void leave(Member member) {
        synchronized (lock) {
            Integer index = agents.remove(member.getUuid());
            links.remove(member.getUuid());
            if (index == null) {
                return;
            }
            try {
                scheduler.removeAgent(index);
                LOG.info("scheduler {}: member {} left; remote agent {} hands its work over", scheduler.name(),
                        member.getAddress(), index);
            } catch (RuntimeException e) {
                // the last agent, or the scheduler is shutting down: it stays, and what it sends is
                // reported not delivered and waits for a member to send it to
                LOG.warn("scheduler {}: member {} left but remote agent {} stays: {}", scheduler.name(),
                        member.getAddress(), index, e.toString());
            }
        }
    }

    private static int threadsOf(Member member) {
        String threads = member.getAttribute(ClusterSettings.THREADS_ATTRIBUTE);
        try {
            return threads == null ? 1 : Math.max(1, Integer.parseInt(threads));
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    /** The agent index of each worker member now. */
    public Map<UUID, Integer> agents() {
        return Map.copyOf(agents);
    }

    /** The link to a member, if it is a remote agent now. */
    public Optional<HazelcastRemoteLink> link(UUID member) {
        return Optional.ofNullable(links.get(member));
    }

    /**
     * The recorded outcome of the task with this id (its idempotence key), waiting up to
     * {@code timeout} for it to be recorded: how a submitter that restarted gets the results of the
     * tasks it had submitted, without submitting them again.
     *
     * @return the ledger's line once DONE; empty if the ledger has no line for the id (never sent,
     *         or expired) or it is not done within the timeout
     */
    public Optional<LedgerEntry> awaitOutcome(String id, Duration timeout) throws InterruptedException {
        Objects.requireNonNull(id, "id");
        long end = System.nanoTime() + timeout.toNanos();
        for (;;) {
            LedgerEntry line = ledger.entry(id);
            if (line != null && line.done()) {
                return Optional.of(line);
            }
            if (System.nanoTime() - end > 0) {
                return Optional.empty();
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    /**
     * Stops following the membership; the remote agents stay until removed or the scheduler ends (the
     * key table follows the partitions until the last of them has left).
     */
    @Override
    public void close() {
        keys.close();
        synchronized (lock) {
            if (registration != null) {
                try {
                    instance.getCluster().removeMembershipListener(registration);
                } catch (RuntimeException ignored) {
                    // the instance is shutting down
                }
                registration = null;
            }
        }
    }

    /** Settings of a {@link RemoteMembers}; each setter checks its argument at once. */
    public static final class Builder {
        private final Scheduler scheduler;
        private final HazelcastInstance instance;
        private int windowPerThread = 2;
        private Duration responseTimeout = Duration.ofSeconds(1);
        private IntFunction<CircuitBreakerConfig> breakerConfig = RemoteMembers::defaultBreaker;
        private boolean withoutLocalAgents;

        private Builder(Scheduler scheduler, HazelcastInstance instance) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            this.instance = Objects.requireNonNull(instance, "instance");
        }

        /**
         * Tasks in flight per executor thread of a member (default 2): deeper windows keep a member
         * busy across round trips, shallower ones keep the order closer to the policy's.
         */
        public Builder windowPerThread(int tasks) {
            if (tasks < 1 || tasks > 1_000) {
                throw new IllegalArgumentException("windowPerThread must be between 1 and 1000: " + tasks);
            }
            this.windowPerThread = tasks;
            return this;
        }

        /**
         * How long a task may be in flight before it counts against its member's breaker (default
         * 1 s). Set it above the longest task: a task longer than this counts once as a timeout.
         */
        public Builder responseTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "responseTimeout");
            if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException("responseTimeout must be positive and at most a day: " + timeout);
            }
            this.responseTimeout = timeout;
            return this;
        }

        /** Each member's breaker, from its window (default {@link #defaultBreaker}). */
        public Builder breaker(IntFunction<CircuitBreakerConfig> config) {
            this.breakerConfig = Objects.requireNonNull(config, "breaker");
            return this;
        }

        /** Removes the scheduler's local agents once the first member has joined: tasks run on members only. */
        public Builder withoutLocalAgents() {
            this.withoutLocalAgents = true;
            return this;
        }

        /** Adds a remote agent for every worker member now, and follows the membership from here on. */
        public RemoteMembers attach() {
            return new RemoteMembers(this).start();
        }
    }
}
