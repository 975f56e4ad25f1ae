package io.github.loadstar.algorithms;

import io.github.loadstar.algorithms.cfs.CfsConfig;
import io.github.loadstar.algorithms.cfs.CfsPolicy;
import io.github.loadstar.algorithms.edf.EdfConfig;
import io.github.loadstar.algorithms.edf.EdfPolicy;
import io.github.loadstar.algorithms.mlfq.MlfqConfig;
import io.github.loadstar.algorithms.mlfq.MlfqPolicy;
import io.github.loadstar.algorithms.wfq.WfqConfig;
import io.github.loadstar.algorithms.wfq.WfqPolicy;
import io.github.loadstar.core.spi.OrderingPolicies;
import io.github.loadstar.core.spi.OrderingPolicy;

/**
 * The ordering policies, chosen by code. By name, the same policies are
 * {@link OrderingPolicies#byName(String) OrderingPolicies.byName("edf")} and so on, or
 * {@code Scheduler.builder().orderingPolicy("edf")}.
 *
 * <pre>{@code
 * EdfPolicy edf = Policies.edf();
 * Scheduler scheduler = Scheduler.builder().orderingPolicy(edf).build();
 * edf.reconfigure(EdfConfig.builder().undatedDeadline(Duration.ofMillis(200)).build());  // at run time
 * }</pre>
 */
public final class Policies {
    private Policies() {
    }

    /** First in, first out (the default; the runtime's lock-free path). */
    public static OrderingPolicy fifo() {
        return OrderingPolicies.fifo();
    }

    /** First in, first out on the ordered path, switchable at run time; see {@link OrderingPolicies#arrival()}. */
    public static OrderingPolicy arrival() {
        return OrderingPolicies.arrival();
    }

    /** Earliest deadline first, with the defaults. */
    public static EdfPolicy edf() {
        return new EdfPolicy();
    }

    /** Earliest deadline first with {@code config}. */
    public static EdfPolicy edf(EdfConfig config) {
        return new EdfPolicy(config);
    }

    /** The completely fair scheduler between tenants, with the defaults. */
    public static CfsPolicy cfs() {
        return new CfsPolicy();
    }

    /** The completely fair scheduler with {@code config}. */
    public static CfsPolicy cfs(CfsConfig config) {
        return new CfsPolicy(config);
    }

    /** Weighted fair queuing (WF2Q+) between tenants, with the defaults. */
    public static WfqPolicy wfq() {
        return new WfqPolicy();
    }

    /** Weighted fair queuing (WF2Q+) with {@code config}. */
    public static WfqPolicy wfq(WfqConfig config) {
        return new WfqPolicy(config);
    }

    /** The multi-level feedback queue over the four priority classes, with the defaults. */
    public static MlfqPolicy mlfq() {
        return new MlfqPolicy();
    }

    /** The multi-level feedback queue with {@code config}. */
    public static MlfqPolicy mlfq(MlfqConfig config) {
        return new MlfqPolicy(config);
    }
}
