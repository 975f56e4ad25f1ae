package io.github.loadstar.algorithms.cfs;

import io.github.loadstar.algorithms.internal.Versioned;
import io.github.loadstar.algorithms.sim.TimeSlicedBacklog;
import io.github.loadstar.core.spi.Backlog;
import io.github.loadstar.core.spi.OrderingPolicy;
import io.github.loadstar.core.spi.QueuedTask;
import io.github.loadstar.core.spi.ReconfigurableByName;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The Completely Fair Scheduler (Linux's fair class before 6.6), between tenants.
 *
 * <h2>Definition</h2>
 * Each tenant is a scheduling entity with a weight from Linux's nice table ({@link NiceWeights}:
 * a nice set in {@link CfsConfig#tenantNice()}, else the table weight nearest 1024 × the tasks'
 * {@code tenantWeight}). An entity's <em>virtual runtime</em> grows by
 * {@code runNanos × 1024 / weight} each time one of its tasks finishes ({@code calc_delta_fair}).
 * The next task is the oldest task of the entity with the smallest virtual runtime; tasks without a
 * tenant form one entity. {@code min_vruntime} follows the smallest virtual runtime among the queued
 * entities and the running one (the kernel's {@code curr}: the entity of the task last started, until
 * another starts) and never decreases. Leaving {@code curr} out would let {@code min_vruntime} run
 * ahead of it, and when its slice ends and it is queued again it would be clamped up and lose service
 * it is owed. An entity that becomes runnable (new, or back after its queue emptied) starts at
 * {@code max(its own vruntime, min_vruntime)}: never at 0, so a newcomer cannot monopolise the agent,
 * and never with credit banked while it was away, so it gets at most its share from then on; yet
 * it is not made to wait either, since it starts level with the most-deserving entity.
 *
 * <h2>Guarantees</h2>
 * Continuously backlogged tenants receive service in proportion to their weights, within one slice
 * of each other; with the simulator's time slices ({@code slice = period × w / Σw}, at least
 * {@code minGranularity}; {@code period = targetLatency}, or {@code n × minGranularity} beyond 8
 * entities) the shares match the table weights. On the runtime tasks are not preempted, so the
 * granularity is one task.
 *
 * <h2>Complexity</h2>
 * Entities sit in a binary min-heap keyed by virtual runtime (the kernel uses a red-black tree; a
 * heap with position tracking gives the same O(log n) insert, remove-min and re-key, with less
 * memory), and each holds its tasks in FIFO order: O(log T) per operation for T tenants, O(1)
 * peek; an entity is allocated once per tenant, nothing per task. Virtual runtimes are compared by
 * the sign of their difference, so they may wrap.
 *
 * <p>References: Linux {@code kernel/sched/fair.c} ({@code update_curr}, {@code place_entity},
 * {@code update_min_vruntime}), {@code kernel/sched/core.c} ({@code sched_prio_to_weight}).
 */
public final class CfsPolicy implements OrderingPolicy, ReconfigurableByName<CfsConfig> {
    private final Versioned<CfsConfig> config;

    /** CFS with the defaults. */
    public CfsPolicy() {
        this(CfsConfig.defaults());
    }

    /** CFS with {@code config}. */
    public CfsPolicy(CfsConfig config) {
        this.config = new Versioned<>(config);
    }

    @Override
    public String name() {
        return "cfs";
    }

    @Override
    public Backlog newBacklog() {
        return new CfsBacklog();
    }

    @Override
    public CfsConfig config() {
        return config.config();
    }

    /** The nice table's weight of the tenant's nice value (configured, or nearest its weight), over nice 0's. */
    @Override
    public double tenantWeight(String tenant, double requested) {
        return config().weightOf(tenant, requested) / (double) NiceWeights.NICE_0_LOAD;
    }

    @Override
    public long configVersion() {
        return config.configVersion();
    }

    /** Replaces the config; new weights apply to every entity at its agent's next operation. */
    @Override
    public void reconfigure(CfsConfig newConfig) {
        config.reconfigure(newConfig);
    }

    @Override
    public String toString() {
        return "cfs(" + config() + ")";
    }

    /** A tenant's scheduling entity in one backlog. */
    static final class Entity {
        final String tenant;
        /** The weight its latest task carried (the scheduler's registry resolves it; see offer). */
        double tenantWeight;
        final ArrayDeque<QueuedTask> tasks = new ArrayDeque<>();
        long weight;
        long vruntime;
        long sequence;
        int heapIndex = -1;

        Entity(String tenant, double tenantWeight) {
            this.tenant = tenant;
            this.tenantWeight = tenantWeight;
        }
    }

    /** One agent's CFS run queue. */
    final class CfsBacklog implements Backlog, TimeSlicedBacklog {
        private final Map<String, Entity> entities = new HashMap<>();
        private Entity untenanted;
        private Entity[] heap = new Entity[8];
        private int heapSize;
        private int size;
        private long minVruntime;
        private long nextSequence;
        private long queuedWeight;
        private long seenVersion = -1;
        /** The entity of the task last started (the kernel's curr): part of min_vruntime. */
        private Entity current;

        @Override
        public void offer(QueuedTask task, long now) {
            refreshWeights();
            Entity e = entityOf(task);
            e.tasks.addLast(task);
            task.policyNode(e);
            size++;
            if (e.heapIndex < 0) {
                // place_entity: a (re)arriving entity starts level with the most deserving one
                if (e.vruntime - minVruntime < 0) {
                    e.vruntime = minVruntime;
                }
                e.sequence = nextSequence++;
                insert(e);
                queuedWeight += e.weight;
            }
        }

        @Override
        public QueuedTask poll(long now) {
            refreshWeights();
            if (heapSize == 0) {
                return null;
            }
            Entity e = heap[0];
            QueuedTask task = e.tasks.pollFirst();
            size--;
            if (e.tasks.isEmpty()) {
                removeAt(0);
                queuedWeight -= e.weight;
            }
            // min_vruntime is not advanced here: the polled entity is about to become curr
            // (onStart), and advancing past it now would clamp it when it is queued again
            return task;
        }

        @Override
        public QueuedTask peek(long now) {
            return heapSize == 0 ? null : heap[0].tasks.peekFirst();
        }

        @Override
        public int size() {
            return size;
        }

        /** set_next_entity: the started task's entity becomes curr (a thief's poll does not). */
        @Override
        public void onStart(QueuedTask task, long now) {
            Object node = task.policyNode();
            if (node instanceof Entity) {
                current = (Entity) node;
                updateMinVruntime();
            }
        }

        /** update_curr: charge the run time, scaled by the entity's weight. */
        @Override
        public void onFinish(QueuedTask task, long runNanos, long now) {
            Object node = task.policyNode();
            if (!(node instanceof Entity)) {
                return;
            }
            Entity e = (Entity) node;
            e.vruntime += Math.max(0L, runNanos) * NiceWeights.NICE_0_LOAD / e.weight;
            if (e.heapIndex >= 0) {
                siftDown(e.heapIndex, e);
            }
            updateMinVruntime();
        }

        @Override
        public long sliceNanos(QueuedTask task, long now) {
            CfsConfig c = config();
            Entity e = (Entity) task.policyNode();
            boolean queued = e.heapIndex >= 0;
            long totalWeight = queuedWeight + (queued ? 0 : e.weight);
            int running = heapSize + (queued ? 0 : 1);
            long period = running > 8 ? running * c.minGranularityNanos() : c.targetLatencyNanos();
            long slice = (long) ((double) period * e.weight / totalWeight);
            return Math.max(c.minGranularityNanos(), slice);
        }

        /** Virtual runtime of {@code tenant}'s entity here (for tests and reports); 0 if unknown. */
        long vruntimeOf(String tenant) {
            Entity e = tenant == null ? untenanted : entities.get(tenant);
            return e == null ? 0 : e.vruntime;
        }

        long minVruntime() {
            return minVruntime;
        }

        private Entity entityOf(QueuedTask task) {
            String tenant = task.options().tenant();
            if (tenant == null) {
                if (untenanted == null) {
                    untenanted = newEntity(null, 1.0);
                }
                return untenanted;
            }
            Entity e = entities.get(tenant);
            double carried = task.options().tenantWeight();
            if (e == null) {
                e = newEntity(tenant, carried);
                entities.put(tenant, e);
            } else if (e.tenantWeight != carried) {
                // the tenant's weight changed (the scheduler's registry was reconfigured): reweight
                // as reweight_entity does, keeping the vruntime
                e.tenantWeight = carried;
                long old = e.weight;
                e.weight = config().weightOf(tenant, carried);
                if (e.heapIndex >= 0) {
                    queuedWeight += e.weight - old;
                }
            }
            return e;
        }

        private Entity newEntity(String tenant, double tenantWeight) {
            Entity e = new Entity(tenant, tenantWeight);
            e.weight = config().weightOf(tenant, tenantWeight);
            e.vruntime = minVruntime;
            return e;
        }

        /** After a reconfiguration, recompute every entity's weight (reweight_entity keeps vruntime). */
        private void refreshWeights() {
            long version = configVersion();
            if (version == seenVersion) {
                return;
            }
            seenVersion = version;
            CfsConfig c = config();
            queuedWeight = 0;
            for (Entity e : entities.values()) {
                reweight(e, c);
            }
            if (untenanted != null) {
                reweight(untenanted, c);
            }
        }

        private void reweight(Entity e, CfsConfig c) {
            e.weight = c.weightOf(e.tenant, e.tenantWeight);
            if (e.heapIndex >= 0) {
                queuedWeight += e.weight;
            }
        }

        /**
         * update_min_vruntime: min_vruntime = max(min_vruntime, min(curr, leftmost)); it never goes
         * backwards.
         */
        private void updateMinVruntime() {
            Entity candidate = current;
            if (heapSize > 0 && (candidate == null || heap[0].vruntime - candidate.vruntime < 0)) {
                candidate = heap[0];
            }
            if (candidate != null && candidate.vruntime - minVruntime > 0) {
                minVruntime = candidate.vruntime;
            }
        }

        // ---------------------------------------------------------------- the entity heap

        private boolean less(Entity a, Entity b) {
            long d = a.vruntime - b.vruntime;
            return d < 0 || (d == 0 && a.sequence < b.sequence);
        }

        private void insert(Entity e) {
            if (heapSize == heap.length) {
                heap = Arrays.copyOf(heap, heapSize << 1);
            }
            siftUp(heapSize++, e);
        }

        private void removeAt(int i) {
            Entity removed = heap[i];
            removed.heapIndex = -1;
            Entity last = heap[--heapSize];
            heap[heapSize] = null;
            if (i < heapSize) {
                siftDown(i, last);
                if (heap[i] == last) {
                    siftUp(i, last);
                }
            }
        }

        private void siftUp(int i, Entity e) {
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (!less(e, heap[parent])) {
                    break;
                }
                place(i, heap[parent]);
                i = parent;
            }
            place(i, e);
        }

        private void siftDown(int i, Entity e) {
            int half = heapSize >>> 1;
            while (i < half) {
                int child = 2 * i + 1;
                int right = child + 1;
                if (right < heapSize && less(heap[right], heap[child])) {
                    child = right;
                }
                if (!less(heap[child], e)) {
                    break;
                }
                place(i, heap[child]);
                i = child;
            }
            place(i, e);
        }

        private void place(int i, Entity e) {
            heap[i] = e;
            e.heapIndex = i;
        }
    }
}
