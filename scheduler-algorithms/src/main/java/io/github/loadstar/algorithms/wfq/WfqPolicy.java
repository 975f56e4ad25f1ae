package io.github.loadstar.algorithms.wfq;

import io.github.loadstar.algorithms.internal.KeyedHeap;
import io.github.loadstar.algorithms.internal.Versioned;
import io.github.loadstar.core.spi.Backlog;
import io.github.loadstar.core.spi.OrderingPolicy;
import io.github.loadstar.core.spi.QueuedTask;
import io.github.loadstar.core.spi.ReconfigurableByName;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Weighted fair queuing between flows (tenants), as WF2Q+: worst-case fair weighted fair queuing.
 *
 * <h2>Definition</h2>
 * Each flow {@code i} has a weight {@code w_i} (its tasks' {@code tenantWeight}, or the one set in
 * {@link WfqConfig}) and a queue of tasks; a task's length is its {@code cost}. The flow at the head
 * of its queue carries a virtual start tag {@code S} and finish tag {@code F = S + L/w}. When a
 * flow becomes backlogged its tags restart from {@code S = max(F_prev, V)} — so an idle flow banks
 * no credit, and a returning flow cannot burst. The system virtual time {@code V} advances by
 * {@code L / Σw} (over backlogged flows and the one in service) when a task's work is done
 * ({@code onFinish}), and is never behind the smallest start tag of a backlogged flow: that bound is
 * applied after every change, so {@code peek} is pure. The next task is the head of the flow with the smallest finish tag
 * <em>among flows whose start tag is at most V</em> (eligibility): plain WFQ, without eligibility,
 * may run far ahead of the fluid GPS schedule and then stall a flow; WF2Q+ stays within one task of
 * it. Tasks without a tenant form one flow.
 *
 * <h2>Guarantees</h2>
 * For two continuously backlogged flows, {@code |S_i/w_i − S_j/w_j| ≤ Lmax/w_i + Lmax/w_j} at every
 * point (service normalised by weight differs by at most one maximal task each), and no flow's
 * service lags its GPS share by more than one maximal task. Tasks are served whole, as packets
 * are: in the simulator's preemptive modes a preempted task is charged its full cost and queued
 * again as a new one, so compare WFQ with {@code Preemption.NONE}.
 *
 * <h2>Complexity</h2>
 * Two heaps of flows, eligible (keyed by F) and ineligible (keyed by S): O(log N) per operation for
 * N flows, O(1) per task otherwise; a flow is allocated once, nothing per task. Tags are 64-bit
 * fixed point ({@code 2^20} per unit of cost at weight 1) compared by the sign of their difference.
 *
 * <p>References: J. C. R. Bennett, H. Zhang, "Hierarchical packet fair queueing algorithms",
 * IEEE/ACM ToN 1997 (WF2Q+); A. K. Parekh, R. G. Gallager 1993 (GPS); FreeBSD
 * {@code sys/netpfil/ipfw/dn_sched_wf2q.c}.
 */
public final class WfqPolicy implements OrderingPolicy, ReconfigurableByName<WfqConfig> {
    /** Fixed-point scale of virtual time: one unit of cost at weight 1 is 2^20. */
    static final double SCALE = 1 << 20;

    private final Versioned<WfqConfig> config;

    /** WF2Q+ with the defaults. */
    public WfqPolicy() {
        this(WfqConfig.defaults());
    }

    /** WF2Q+ with {@code config}. */
    public WfqPolicy(WfqConfig config) {
        this.config = new Versioned<>(config);
    }

    @Override
    public String name() {
        return "wfq";
    }

    @Override
    public Backlog newBacklog() {
        return new WfqBacklog();
    }

    @Override
    public WfqConfig config() {
        return config.config();
    }

    /** The flow's weight set by name in the config, else the one its tasks carry. */
    @Override
    public double tenantWeight(String tenant, double requested) {
        return config().weightOf(tenant, requested);
    }

    @Override
    public long configVersion() {
        return config.configVersion();
    }

    /** Replaces the config; a flow's new weight applies from the next tag it is given. */
    @Override
    public void reconfigure(WfqConfig newConfig) {
        config.reconfigure(newConfig);
    }

    @Override
    public String toString() {
        return "wfq(" + config() + ")";
    }

    static long lengthOf(long cost, double weight) {
        return Math.max(1L, Math.round(cost * SCALE / weight));
    }

    /** A flow in one backlog. */
    static final class Flow {
        final String name;
        /** The weight its latest task carried (the scheduler's registry resolves it; see offer). */
        double tenantWeight;
        final ArrayDeque<QueuedTask> queue = new ArrayDeque<>();
        double weight;
        long start;
        long finish;

        Flow(String name, double tenantWeight) {
            this.name = name;
            this.tenantWeight = tenantWeight;
        }
    }

    /** One agent's WF2Q+ scheduler. */
    final class WfqBacklog implements Backlog {
        private final Map<String, Flow> flows = new HashMap<>();
        private Flow untenanted;
        /** Backlogged flows whose start tag is at most V, keyed by finish tag. */
        private final KeyedHeap<Flow> eligible = new KeyedHeap<>();
        /** Backlogged flows whose start tag is after V, keyed by start tag. */
        private final KeyedHeap<Flow> ineligible = new KeyedHeap<>();
        private long virtualTime;
        private double backloggedWeight;
        private long sequence;
        private int size;
        private long seenVersion = -1;

        @Override
        public void offer(QueuedTask task, long now) {
            refreshWeights();
            Flow f = flowOf(task);
            f.queue.addLast(task);
            task.policyNode(f);
            size++;
            if (f.queue.size() == 1) {
                // the flow becomes backlogged: S = max(F, V), F = S + L/w
                f.start = f.finish - virtualTime < 0 ? virtualTime : f.finish;
                f.finish = f.start + lengthOf(task.options().cost(), f.weight);
                backloggedWeight += f.weight;
                schedule(f);
                settle();
            }
        }

        @Override
        public QueuedTask poll(long now) {
            refreshWeights();
            Flow f = eligible.poll();
            if (f == null) {
                return null;
            }
            QueuedTask task = f.queue.pollFirst();
            size--;
            if (f.queue.isEmpty()) {
                backloggedWeight -= f.weight;
                if (backloggedWeight < 1e-9) {
                    backloggedWeight = 0;
                }
            } else {
                f.start = f.finish;
                f.finish = f.start + lengthOf(f.queue.peekFirst().options().cost(), f.weight);
                schedule(f);
            }
            settle();
            return task;
        }

        /** Pure: {@link #settle()} ran after the last change, so the head of the eligible heap is next. */
        @Override
        public QueuedTask peek(long now) {
            Flow f = eligible.peek();
            return f == null ? null : f.queue.peekFirst();
        }

        @Override
        public int size() {
            return size;
        }

        /**
         * The task's work is done: V advances by {@code L / Σw}, with Σw the weight backlogged now
         * plus its own flow's if that is no longer backlogged (in the fluid system it was being
         * served until now). Charging at completion rather than at dispatch keeps V from running
         * ahead of the fluid system while the task is in service, which would tag a flow arriving
         * meanwhile too late.
         */
        @Override
        public void onFinish(QueuedTask task, long runNanos, long now) {
            Object node = task.policyNode();
            if (!(node instanceof Flow)) {
                return;
            }
            Flow f = (Flow) node;
            double weight = backloggedWeight + (f.queue.isEmpty() ? f.weight : 0);
            virtualTime += Math.max(1L, Math.round(task.options().cost() * SCALE / weight));
            settle();
        }

        long virtualTime() {
            return virtualTime;
        }

        /**
         * WF2Q+'s V = max(V, min S over backlogged flows) when no flow is eligible, then moves every
         * flow whose start tag V has reached to the eligible heap. Run after every change, so peek
         * changes nothing and a flow becoming backlogged is tagged from an up-to-date V.
         */
        private void settle() {
            if (eligible.isEmpty() && !ineligible.isEmpty()) {
                long smallestStart = ineligible.peekKey();
                if (virtualTime - smallestStart < 0) {
                    virtualTime = smallestStart;
                }
            }
            while (!ineligible.isEmpty() && ineligible.peekKey() - virtualTime <= 0) {
                Flow f = ineligible.poll();
                eligible.offer(f, f.finish, sequence++);
            }
        }

        private void schedule(Flow f) {
            if (f.start - virtualTime <= 0) {
                eligible.offer(f, f.finish, sequence++);
            } else {
                ineligible.offer(f, f.start, sequence++);
            }
        }

        private Flow flowOf(QueuedTask task) {
            String tenant = task.options().tenant();
            if (tenant == null) {
                if (untenanted == null) {
                    untenanted = newFlow(null, 1.0);
                }
                return untenanted;
            }
            Flow f = flows.get(tenant);
            double carried = task.options().tenantWeight();
            if (f == null) {
                f = newFlow(tenant, carried);
                flows.put(tenant, f);
            } else if (f.tenantWeight != carried) {
                // the tenant's weight changed (the scheduler's registry was reconfigured): tasks
                // queued keep their finish tags, new ones are stamped with the new weight
                f.tenantWeight = carried;
                double old = f.weight;
                f.weight = config().weightOf(tenant, carried);
                if (!f.queue.isEmpty()) {
                    backloggedWeight += f.weight - old;
                }
            }
            return f;
        }

        private Flow newFlow(String name, double tenantWeight) {
            Flow f = new Flow(name, tenantWeight);
            f.weight = config().weightOf(name, tenantWeight);
            f.finish = virtualTime;
            return f;
        }

        /** After a reconfiguration: new weights for every flow, and the backlogged sum again. */
        private void refreshWeights() {
            long version = configVersion();
            if (version == seenVersion) {
                return;
            }
            seenVersion = version;
            WfqConfig c = config();
            backloggedWeight = 0;
            for (Flow f : flows.values()) {
                f.weight = c.weightOf(f.name, f.tenantWeight);
                if (!f.queue.isEmpty()) {
                    backloggedWeight += f.weight;
                }
            }
            if (untenanted != null && !untenanted.queue.isEmpty()) {
                backloggedWeight += untenanted.weight;
            }
        }
    }
}
