package io.github.loadstar.algorithms.mlfq;

import io.github.loadstar.algorithms.internal.Versioned;
import io.github.loadstar.algorithms.sim.TimeSlicedBacklog;
import io.github.loadstar.core.Priority;
import io.github.loadstar.core.spi.Backlog;
import io.github.loadstar.core.spi.OrderingPolicy;
import io.github.loadstar.core.spi.QueuedTask;
import io.github.loadstar.core.spi.Reconfigurable;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * A multi-level feedback queue over the four priority classes CRITICAL, HIGH, NORMAL and LOW.
 *
 * <h2>Definition</h2>
 * Every level is a FIFO queue. A task enters at its class ({@link io.github.loadstar.core.TaskOptions#priority()}),
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
 * O(1) per offer and poll (four queues, a round robin over three weights), plus O(1) per aged task;
 * a boost is O(n) once per {@code boostPeriod}. Nothing is allocated per task; one record per tenant.
 *
 * <p>References: R. H. Arpaci-Dusseau, A. C. Arpaci-Dusseau, <i>Operating Systems: Three Easy
 * Pieces</i>, ch. 8 "Scheduling: The Multi-Level Feedback Queue"; smooth weighted round robin as in
 * nginx's upstream balancer; Hadoop's {@code WeightedRoundRobinMultiplexer} for deterministic level
 * draining.
 */
public final class MlfqPolicy implements OrderingPolicy, Reconfigurable<MlfqConfig> {
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
        @SuppressWarnings("unchecked")
        private final ArrayDeque<QueuedTask>[] levels = new ArrayDeque[] {
            new ArrayDeque<QueuedTask>(), new ArrayDeque<QueuedTask>(), new ArrayDeque<QueuedTask>(),
            new ArrayDeque<QueuedTask>()};
        private final double[] current = new double[4];
        private final Map<String, TenantState> tenants = new HashMap<>();
        private int size;
        private long lastBoost;
        private boolean boostStarted;

        @Override
        public void offer(QueuedTask task, long now) {
            if (!boostStarted) {
                boostStarted = true;
                lastBoost = now;
            }
            enqueue(task, entryLevel(task), now);
            size++;
        }

        @Override
        public QueuedTask poll(long now) {
            int level = nextLevel(now, true);
            if (level < 0) {
                return null;
            }
            QueuedTask task = levels[level].pollFirst();
            task.policyNode(LEVEL_BOXES[level]);    // the level it ran from, for the feedback rule
            size--;
            return task;
        }

        @Override
        public QueuedTask peek(long now) {
            int level = nextLevel(now, false);
            return level < 0 ? null : levels[level].peekFirst();
        }

        @Override
        public int size() {
            return size;
        }

        /** Rule 4: charge the tenant's use at the level the task ran from; demote it past its allotment. */
        @Override
        public void onFinish(QueuedTask task, long runNanos, long now) {
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

        private void enqueue(QueuedTask task, int level, long now) {
            task.policyKey(now);    // when it started waiting at this level
            levels[level].addLast(task);
        }

        /**
         * Brings time-driven state up to date (boost, aging), then picks the level to serve:
         * CRITICAL if it has work, else the smooth weighted round robin over levels with work.
         * {@code commit} false leaves the round robin where it is (for peek).
         */
        private int nextLevel(long now, boolean commit) {
            if (size == 0) {
                return -1;
            }
            MlfqConfig c = config();
            if (now - lastBoost >= c.boostPeriodNanos()) {
                boost(now);
            }
            age(now, c);
            if (!levels[CRITICAL].isEmpty()) {
                return CRITICAL;
            }
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

        /** Rule 3: heads that waited agingThreshold move up agingBoost levels (FIFO: heads are oldest). */
        private void age(long now, MlfqConfig c) {
            long threshold = c.agingThresholdNanos();
            for (int level = HIGH; level <= LOW; level++) {
                ArrayDeque<QueuedTask> queue = levels[level];
                QueuedTask head;
                while ((head = queue.peekFirst()) != null && now - head.policyKey() >= threshold) {
                    queue.pollFirst();
                    enqueue(head, Math.max(CRITICAL, level - c.agingBoost()), now);
                }
            }
        }

        /** Rule 5: undo every demotion; every queued task returns to its class. */
        private void boost(long now) {
            lastBoost = now;
            tenants.clear();
            for (int level = CRITICAL; level <= LOW; level++) {
                java.util.Arrays.fill(current, 0);
            }
            @SuppressWarnings("unchecked")
            ArrayDeque<QueuedTask>[] old = new ArrayDeque[4];
            for (int level = CRITICAL; level <= LOW; level++) {
                old[level] = levels[level].clone();
                levels[level].clear();
            }
            for (int level = CRITICAL; level <= LOW; level++) {
                for (QueuedTask task : old[level]) {
                    int target = Math.min(level, levelOf(task.options().priority()));
                    levels[target].addLast(task);   // keeps its waiting time: aging continues
                }
            }
        }

        private int levelOf(Priority priority) {
            return priority.ordinal();
        }
    }
}
