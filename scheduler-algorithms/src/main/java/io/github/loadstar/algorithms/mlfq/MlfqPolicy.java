package io.github.loadstar.algorithms.mlfq;

import io.github.loadstar.algorithms.internal.Versioned;
import io.github.loadstar.algorithms.sim.TimeSlicedBacklog;
import io.github.loadstar.core.Priority;
import io.github.loadstar.core.spi.Backlog;
import io.github.loadstar.core.spi.OrderingPolicy;
import io.github.loadstar.core.spi.QueuedTask;
import io.github.loadstar.core.spi.ReconfigurableByName;
import io.github.loadstar.algorithms.internal.KeyedHeap;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A multi-level feedback queue over the four priority classes CRITICAL, HIGH, NORMAL and LOW.
 *
 * <h2>Definition</h2>
 * Every level is ordered by the time each task entered it, then by arrival (FIFO for arrivals; an
 * aged task takes its place by the time it aged, not by when somebody noticed). A task enters at its class ({@link io.github.loadstar.core.TaskOptions#priority()}),
 * lowered by its tenant's current demotion. Then, following OSTEP's five rules:
 * <ol>
 *   <li>CRITICAL always runs first.</li>
 *   <li>Otherwise HIGH, NORMAL and LOW share the agent by their weights (default 0.3 / 0.2 / 0.1,
 *       normalised), with a <em>deterministic</em> smooth weighted round robin — no random draw —
 *       over the levels that have work: an empty level's share goes to the others.</li>
 *   <li>Aging: a task that has waited {@code agingThreshold} at its level moves up
 *       {@code agingBoost} levels (and keeps aging there). Aging may lift a task into CRITICAL,
 *       where it queues FIFO behind the critical tasks that arrived before it: that is what bounds
 *       every wait, even under a flood of critical work.</li>
 *   <li>Feedback: a tenant that has used up its {@code allotment} of run time at a level — counted
 *       across all its tasks, however they yielded — is demoted one level; its next tasks enter one
 *       level lower. This is OSTEP's rule 4, which cannot be gamed by giving up the processor just
 *       before a slice ends. CRITICAL tasks and tasks without a tenant are never demoted.</li>
 *   <li>Every {@code boostPeriod}, every demotion is undone and every queued task returns to its
 *       class.</li>
 * </ol>
 *
 * <h2>Guarantees</h2>
 * CRITICAL work is never behind other work; the long-run shares of continuously backlogged levels
 * equal their normalised weights (exactly, over each round of the weighted round robin); a task's
 * wait is bounded by the aging time to CRITICAL plus the critical work ahead of it then.
 *
 * <h2>Complexity</h2>
 * O(log n) per offer, poll and aging step (a binary heap per level, a round robin over three
 * weights), O(1) peek when nothing falls due; a boost is O(n log n) once per {@code boostPeriod}.
 * Nothing is allocated per task beyond amortised heap growth; one record per tenant.
 *
 * <h2>Time</h2>
 * Boosts fall on a fixed grid (the first offer + k × {@code boostPeriod}) and a task ages exactly
 * {@code agingThreshold} after it entered its level; every operation first applies, in time order,
 * whatever fell due by its {@code now}. So the state is a function of the operations and their
 * times alone: a peek, or an operation that happens to look at the backlog later, changes nothing.
 *
 * <p>References: R. H. Arpaci-Dusseau, A. C. Arpaci-Dusseau, <i>Operating Systems: Three Easy
 * Pieces</i>, ch. 8 "Scheduling: The Multi-Level Feedback Queue"; smooth weighted round robin as in
 * nginx's upstream balancer; Hadoop's {@code WeightedRoundRobinMultiplexer} for deterministic level
 * draining.
 */
public final class MlfqPolicy implements OrderingPolicy, ReconfigurableByName<MlfqConfig> {
    static final int CRITICAL = 0;
    static final int HIGH = 1;
    static final int LOW = 3;
    private static final Integer[] LEVEL_BOXES = {0, 1, 2, 3};

    private final Versioned<MlfqConfig> config;

    /** MLFQ with the defaults. */
    public MlfqPolicy() {
        this(MlfqConfig.defaults());
    }

    /** MLFQ with {@code config}. */
    public MlfqPolicy(MlfqConfig config) {
        this.config = new Versioned<>(config);
    }

    @Override
    public String name() {
        return "mlfq";
    }

    @Override
    public Backlog newBacklog() {
        return new MlfqBacklog();
    }

    @Override
    public MlfqConfig config() {
        return config.config();
    }

    @Override
    public long configVersion() {
        return config.configVersion();
    }

    @Override
    public void reconfigure(MlfqConfig newConfig) {
        config.reconfigure(newConfig);
    }

    @Override
    public String toString() {
        return "mlfq(" + config() + ")";
    }

    /** A tenant's feedback state in one backlog. */
    static final class TenantState {
        int demotion;
        long usedAtLevel;
    }

    /** One agent's four queues. */
    final class MlfqBacklog implements Backlog, TimeSlicedBacklog {
        /** Per level: tasks keyed by the time they entered the level, then by arrival order. */
        @SuppressWarnings("unchecked")
        private final KeyedHeap<QueuedTask>[] levels = new KeyedHeap[] {
            new KeyedHeap<QueuedTask>(), new KeyedHeap<QueuedTask>(), new KeyedHeap<QueuedTask>(),
            new KeyedHeap<QueuedTask>()};
        private final double[] current = new double[4];
        private final Map<String, TenantState> tenants = new HashMap<>();
        private int size;
        private long nextSequence;
        /** An empty heap that a boost swaps with each level it rebuilds. */
        private KeyedHeap<QueuedTask> stay = new KeyedHeap<>();
        /** The time of the last boost on the grid first offer + k × boostPeriod. */
        private long lastBoost;
        private boolean boostStarted;

        @Override
        public void offer(QueuedTask task, long now) {
            if (!boostStarted) {
                boostStarted = true;
                lastBoost = now;
            }
            advance(now);
            levels[entryLevel(task)].offer(task, now, nextSequence++);
            size++;
        }

        @Override
        public QueuedTask poll(long now) {
            advance(now);
            int level = nextLevel(true);
            if (level < 0) {
                return null;
            }
            QueuedTask task = levels[level].poll();
            task.policyNode(LEVEL_BOXES[level]);    // the level it ran from, for the feedback rule
            size--;
            return task;
        }

        /**
         * The task {@link #poll} would return now. It brings the time-driven state up to {@code now}
         * as poll does; that is invisible, because {@link #advance} applies each boost and each aging
         * step at the time it falls due, whenever it is called.
         */
        @Override
        public QueuedTask peek(long now) {
            advance(now);
            int level = nextLevel(false);
            return level < 0 ? null : levels[level].peek();
        }

        @Override
        public int size() {
            return size;
        }

        /** Rule 4: charge the tenant's use at the level the task ran from; demote it past its allotment. */
        @Override
        public void onFinish(QueuedTask task, long runNanos, long now) {
            advance(now);
            String tenant = task.options().tenant();
            if (tenant == null || task.options().priority() == Priority.CRITICAL
                    || !(task.policyNode() instanceof Integer)) {
                return;
            }
            int level = (Integer) task.policyNode();
            MlfqConfig c = config();
            long allotment = c.allotmentAt(level);
            if (level == CRITICAL || level >= LOW || allotment == 0) {
                return;
            }
            TenantState state = tenants.computeIfAbsent(tenant, k -> new TenantState());
            int tenantLevel = Math.min(LOW, task.options().priority().ordinal() + state.demotion);
            if (tenantLevel != level) {
                return;     // the task ran above its tenant's level (aged); it does not count there
            }
            state.usedAtLevel += Math.max(0, runNanos);
            if (state.usedAtLevel >= allotment) {
                state.demotion++;
                state.usedAtLevel = 0;
            }
        }

        @Override
        public long sliceNanos(QueuedTask task, long now) {
            Object level = task.policyNode();
            return config().quantumAt(level instanceof Integer ? (Integer) level : levelOf(task.options().priority()));
        }

        /** The level a tenant's tasks of {@code priority} enter now (for tests and reports). */
        int entryLevel(String tenant, Priority priority) {
            int nominal = levelOf(priority);
            if (nominal == CRITICAL || tenant == null) {
                return nominal;
            }
            TenantState state = tenants.get(tenant);
            return state == null ? nominal : Math.min(LOW, nominal + state.demotion);
        }

        private int entryLevel(QueuedTask task) {
            return entryLevel(task.options().tenant(), task.options().priority());
        }

        /**
         * CRITICAL if it has work, else the smooth weighted round robin over levels with work.
         * {@code commit} false leaves the round robin where it is (for peek).
         */
        private int nextLevel(boolean commit) {
            if (size == 0) {
                return -1;
            }
            if (!levels[CRITICAL].isEmpty()) {
                return CRITICAL;
            }
            MlfqConfig c = config();
            double total = 0;
            int best = -1;
            double bestCurrent = Double.NEGATIVE_INFINITY;
            for (int level = HIGH; level <= LOW; level++) {
                if (levels[level].isEmpty()) {
                    continue;
                }
                double w = c.weightAt(level);
                total += w;
                double candidate = current[level] + w;
                if (candidate > bestCurrent) {
                    bestCurrent = candidate;
                    best = level;
                }
            }
            if (commit) {
                for (int level = HIGH; level <= LOW; level++) {
                    if (!levels[level].isEmpty()) {
                        current[level] += c.weightAt(level);
                    }
                }
                current[best] -= total;
            }
            return best;
        }

        /**
         * Applies, in time order, every boost (rule 5) and every aging step (rule 3) that fell due
         * at or before {@code now}, each at the time it fell due: a task that waited
         * {@code agingThreshold} at its level enters the level {@code agingBoost} above at
         * (entry time + threshold), and the next boost is the next point of the boost grid. So the
         * state after {@code advance(t2)} is the same whether or not {@code advance(t1)} ran before
         * it for some {@code t1 <= t2}: peeks and the moment of the call change nothing. Each task
         * ages at most three times per call; boosts that find nothing to do are skipped in O(1).
         */
        private void advance(long now) {
            if (!boostStarted) {
                return;
            }
            MlfqConfig c = config();
            long threshold = c.agingThresholdNanos();
            long period = c.boostPeriodNanos();
            while (true) {
                int agingLevel = -1;
                long agingAt = 0;
                for (int level = HIGH; level <= LOW; level++) {
                    if (!levels[level].isEmpty()) {
                        long at = levels[level].peekKey() + threshold;
                        if (agingLevel < 0 || at - agingAt < 0) {
                            agingLevel = level;
                            agingAt = at;
                        }
                    }
                }
                long boostAt = lastBoost + period;
                if (now - boostAt >= 0 && (agingLevel < 0 || boostAt - agingAt <= 0)) {
                    boost(boostAt);
                    // further boosts before the next aging step (or now) find nothing to undo
                    long quiet = agingLevel >= 0 && agingAt - now < 0 ? agingAt : now;
                    if (quiet - boostAt > 0) {
                        lastBoost = boostAt + (quiet - boostAt) / period * period;
                    }
                    continue;
                }
                if (agingLevel >= 0 && now - agingAt >= 0) {
                    KeyedHeap<QueuedTask> from = levels[agingLevel];
                    long seq = from.peekSeq();
                    QueuedTask task = from.poll();
                    levels[Math.max(CRITICAL, agingLevel - c.agingBoost())].offer(task, agingAt, seq);
                    continue;
                }
                return;
            }
        }

        /** Rule 5: undo every demotion; every queued task returns to its class, keeping its wait. */
        private void boost(long at) {
            lastBoost = at;
            tenants.clear();
            Arrays.fill(current, 0);
            for (int level = LOW; level > CRITICAL; level--) {
                KeyedHeap<QueuedTask> heap = levels[level];
                int n = heap.size();
                for (int i = 0; i < n; i++) {
                    long key = heap.peekKey();
                    long seq = heap.peekSeq();
                    QueuedTask task = heap.poll();
                    int target = Math.min(level, levelOf(task.options().priority()));
                    if (target == level) {
                        stay.offer(task, key, seq);
                    } else {
                        levels[target].offer(task, key, seq);
                    }
                }
                levels[level] = stay;
                stay = heap;
            }
        }

        private int levelOf(Priority priority) {
            return priority.ordinal();
        }
    }
}
