package io.github.loadstar.bench;

import io.github.loadstar.algorithms.Policies;
import io.github.loadstar.core.Priority;
import io.github.loadstar.core.TaskOptions;
import io.github.loadstar.core.spi.AbstractQueuedTask;
import io.github.loadstar.core.spi.Backlog;
import io.github.loadstar.core.spi.OrderingPolicy;
import io.github.loadstar.core.spi.QueuedTask;
import java.time.Duration;
import java.util.BitSet;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of one backlog operation pair of an ordering policy at steady state, single-threaded:
 * the data structure alone, without the runtime around it.
 *
 * <h2>One invocation</h2>
 * The backlog holds {@code size} tasks throughout. One invocation (one op) does what an agent does
 * with it per task, in the runtime's calls ({@link Backlog}): {@code poll(now)} the head,
 * {@code onStart(task, now)}, advance the virtual clock by the task's run time ({@code runNanos},
 * from a precomputed array), {@code onFinish(task, runNanos, now)}, then {@code offer} the same task
 * object back with fresh precomputed random attributes (submission time {@code now}, options drawn
 * from a precomputed pool), so the size stays {@code size}. In the runtime the charge
 * ({@code onFinish}) comes at the agent's next dispatch, after its inbox is offered; here it comes
 * before the offer because the offered task is the charged object itself. Same calls, same count.
 * The virtual clock advances by the run time of each task, as on one agent that is always busy, so
 * EDF deadlines, CFS virtual runtimes, WFQ virtual times and MLFQ entry times, aging and demotions
 * keep moving. Nothing is allocated in the op (tasks, options and random draws are made in
 * {@code @Setup(Level.Trial)}); {@code -prof gc} shows what the policy itself allocates.
 * Score: nanoseconds per op (one poll + onStart + onFinish + offer), {@code Mode.AverageTime}.
 *
 * <h2>Workload (seeded, the same draws for every executor)</h2>
 * <ul>
 *   <li>Run times: uniform 1–20 µs (mean 10.5 µs), a ring of {@value #RING} draws.</li>
 *   <li>Tenants: {@value #TENANTS} tenants of weights 1, 2, 4 and 8; task {@code i} belongs to
 *       tenant {@code i % 4} for good (a closed loop per tenant, so every tenant always has
 *       {@code size / 4} tasks queued and the weighted policies always choose among all four).</li>
 *   <li>{@code loadstar-edf} ({@code Policies.edf().newBacklog()}): every task has a deadline, one
 *       of 16 relative deadlines spaced geometrically from 1 ms to 100 ms, drawn per offer.</li>
 *   <li>{@code loadstar-cfs} ({@code Policies.cfs()}): tasks carry their tenant and weight; CFS
 *       charges the measured run time ({@code onFinish}'s {@code runNanos}) scaled by the nice-table
 *       weight nearest 1024 × weight (1024, 1991, 3906, 7620 for 1, 2, 4, 8).</li>
 *   <li>{@code loadstar-wfq} ({@code Policies.wfq()}): tenant and weight, and a cost (what WF2Q+
 *       charges, not the run time) drawn per offer from 1–16.</li>
 *   <li>{@code loadstar-mlfq} ({@code Policies.mlfq()}): tenant, and a class drawn per offer from
 *       HIGH, NORMAL and LOW (MLFQ ignores weights; its tenants matter for demotion).</li>
 *   <li>{@code priorityqueue}: {@code java.util.PriorityQueue} of the same task objects with a
 *       comparator on a precomputed {@code long} key (the EDF deadline, submission + the same
 *       drawn relative deadline), poll and offer with a new key: the floor, a plain binary heap
 *       of references with no policy work.</li>
 * </ul>
 * All policies run with their default configs. The backlog is filled in setup as if its tasks had
 * arrived at the rate the agent serves them (one per 10.5 µs, ending at time 0), so EDF keys and
 * MLFQ aging start near their steady state; the warm-up iterations absorb the rest.
 *
 * <h2>What the sizes show</h2>
 * Growth from 10^3 to 10^6 should be O(log n) for the policies that keep their tasks in a heap,
 * and flat for those that do not. What each uses (read from the code):
 * <ul>
 *   <li>EDF: two binary heaps ({@code KeyedHeap}, dated and undated; only the dated one is used
 *       here) with keys in parallel {@code long[]} arrays: O(log n) poll and offer. With a deep
 *       backlog a new key (now + at most 100 ms) is later than almost every queued one, so offer's
 *       sift-up stops at once and the cost is poll's sift-down over about log2 n levels (10, 17,
 *       20).</li>
 *   <li>CFS: <em>not</em> a heap of tasks: a binary heap of tenant entities keyed by virtual
 *       runtime, each holding its tasks in a FIFO {@code ArrayDeque}: O(log T) for T tenants
 *       (here 4), O(1) in n. Expect it flat across sizes, apart from memory.</li>
 *   <li>WFQ (WF2Q+): two heaps of flows (eligible by finish tag, ineligible by start tag), each flow
 *       a FIFO {@code ArrayDeque}: O(log N) for N flows (here 4), O(1) in n.</li>
 *   <li>MLFQ: a binary heap per level keyed by the time a task entered the level: O(log n) per
 *       offer and poll, plus O(log n) per aging step, and a rebuild of the non-critical levels
 *       every boost period (1 s of virtual time). Its growth is <em>not</em> log n alone: the
 *       backlog's wait is about n × 10.5 µs — about 10 ms at 10^3 (no task reaches the default
 *       100 ms aging threshold; the levels share by the weighted round robin), about 1 s at 10^5
 *       and 10 s at 10^6, where every task ages one level per 100 ms up to CRITICAL (NORMAL two
 *       steps, LOW three), so each op also pays about two aging moves and its share of boosts, and
 *       almost everything is served FIFO from CRITICAL.</li>
 *   <li>{@code priorityqueue}: one binary heap of references, O(log n); each comparison
 *       dereferences two task objects to read their keys.</li>
 * </ul>
 * At 10^6 the tasks no longer fit in cache (about 40 MB of task objects plus the policy's arrays,
 * e.g. about 29 MB for a {@code KeyedHeap} of 2^20 slots), so every level of a sift touches memory
 * that is not in cache: memory latency adds to log n. Per level, KeyedHeap touches its four
 * parallel arrays (tasks, keys, tie-breakers, sequence numbers) and {@code PriorityQueue} its
 * array and the two child task objects it dereferences for their keys, so neither is spared; at
 * small sizes, where everything is in cache, KeyedHeap's wider entries and tie-breaks make EDF
 * cost about twice the floor. CFS and WFQ touch one task per op, in each tenant's FIFO order.
 *
 * <h2>Checks</h2>
 * Each op throws if the backlog returned no task. {@code @TearDown(Level.Trial)} checks that the
 * size is still {@code size}; that the policy's order holds over the next polls, at a frozen
 * clock (EDF and {@code priorityqueue}: non-decreasing deadlines or keys over 1,024 polls; MLFQ:
 * no CRITICAL task after a lower level's, and tasks of one tenant and class leave one level in
 * submission order) or over 4,096 more ops (CFS and WFQ: each tenant's tasks leave in FIFO order,
 * and each tenant's service — run time for CFS, cost for WFQ — is within 10 % of its share by the
 * weight the policy serves it by); then it drains the backlog and checks that every task came out
 * exactly once. Any failure throws {@link IllegalStateException}.
 *
 * <p>Configurations: 5 executors × 3 sizes = 15. Set-up (allocation and fill, printed per trial)
 * takes 0.15–0.6 s at 10^6, MLFQ about 1.1 s on the shared 2-core machine: its fill replays the
 * aging its steady state carries (almost every task ages to CRITICAL while it waits). The
 * teardown's drain of 10^6 tasks takes about half a second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 1, time = 1200, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 3, time = 300, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class PolicyOperationsBenchmark {
    static final String LOADSTAR_EDF = "loadstar-edf";
    static final String LOADSTAR_CFS = "loadstar-cfs";
    static final String LOADSTAR_WFQ = "loadstar-wfq";
    static final String LOADSTAR_MLFQ = "loadstar-mlfq";
    static final String PRIORITY_QUEUE = "priorityqueue";

    /** Precomputed draws, used in turn (a power of two). */
    static final int RING = 1 << 14;
    /** Tenants (a power of two: a task's tenant is its id's low bits). */
    static final int TENANTS = 4;
    static final double[] WEIGHTS = {1, 2, 4, 8};
    static final long MIN_RUN_NANOS = 1_000;
    static final long MAX_RUN_NANOS = 20_000;
    /** The mean run time, the spacing of the fill's arrivals. */
    static final long MEAN_RUN_NANOS = (MIN_RUN_NANOS + MAX_RUN_NANOS) / 2;
    static final int DEADLINES = 16;
    static final int COSTS = 16;
    static final Priority[] CLASSES = {Priority.HIGH, Priority.NORMAL, Priority.LOW};
    /** Polls (or ops, for CFS and WFQ) of the teardown's order check. */
    static final int ORDER_POLLS = 1024;
    static final int SHARE_OPS = 4096;
    static final double SHARE_TOLERANCE = 0.10;

    /** The backlog measured: a Loadstar policy's, or the PriorityQueue floor. */
    @Param({LOADSTAR_EDF, LOADSTAR_CFS, LOADSTAR_WFQ, LOADSTAR_MLFQ, PRIORITY_QUEUE})
    public String executor;

    /** Tasks held throughout. */
    @Param({"1000", "100000", "1000000"})
    public int size;

    private OrderingPolicy policy;
    private Backlog backlog;
    private PriorityQueue<BenchTask> queue;
    /** Per tenant, per variant: the options an offer picks from. */
    private TaskOptions[][] options;
    /** The relative deadline of each variant (EDF and priorityqueue). */
    private long[] deadlines;
    private int[] runNanos;
    private byte[] variants;
    private int cursor;
    private long now;

    /**
     * A task of this benchmark: its attributes are rewritten each time it is offered again. Kept
     * small (40 bytes with compressed references): its tenant is {@code id % TENANTS}, and
     * priorityqueue keeps its key in the task's policy slot, as a backlog may.
     */
    static final class BenchTask extends AbstractQueuedTask {
        final int id;
        TaskOptions options;
        long submitNanos;

        BenchTask(int id) {
            this.id = id;
        }

        int tenant() {
            return id & (TENANTS - 1);
        }

        @Override
        public TaskOptions options() {
            return options;
        }

        @Override
        public long submitNanos() {
            return submitNanos;
        }

        @Override
        public String toString() {
            return "BenchTask#" + id + "{tenant=" + tenant() + ", submit=" + submitNanos + ", " + options + "}";
        }
    }

    /** Draws the workload and fills the backlog with {@code size} tasks. */
    @Setup(Level.Trial)
    public void fill() {
        long started = System.nanoTime();
        SplittableRandom random = new SplittableRandom(0x5EEDL);
        runNanos = new int[RING];
        variants = new byte[RING];
        int variantCount = variantCount();
        for (int i = 0; i < RING; i++) {
            runNanos[i] = (int) random.nextLong(MIN_RUN_NANOS, MAX_RUN_NANOS + 1);
            variants[i] = (byte) random.nextInt(variantCount);
        }
        deadlines = new long[DEADLINES];
        for (int v = 0; v < DEADLINES; v++) {
            // 1 ms to 100 ms, geometrically
            deadlines[v] = Math.round(1_000_000.0 * Math.pow(100.0, v / (double) (DEADLINES - 1)));
        }
        options = new TaskOptions[TENANTS][variantCount];
        for (int t = 0; t < TENANTS; t++) {
            for (int v = 0; v < variantCount; v++) {
                options[t][v] = optionsOf(t, v);
            }
        }
        switch (executor) {
            case LOADSTAR_EDF:
                policy = Policies.edf();
                break;
            case LOADSTAR_CFS:
                policy = Policies.cfs();
                break;
            case LOADSTAR_WFQ:
                policy = Policies.wfq();
                break;
            case LOADSTAR_MLFQ:
                policy = Policies.mlfq();
                break;
            case PRIORITY_QUEUE:
                queue = new PriorityQueue<>(size, (a, b) -> Long.compare(a.policyKey(), b.policyKey()));
                break;
            default:
                throw new IllegalArgumentException("unknown executor: " + executor);
        }
        if (policy != null) {
            backlog = policy.newBacklog();
        }
        // arrivals one mean run time apart, the last at time 0, as if the agent had been serving
        // at this rate all along (the fill's draws follow the ring's in the same seeded stream)
        long at = -(long) size * MEAN_RUN_NANOS;
        for (int i = 0; i < size; i++) {
            BenchTask task = new BenchTask(i);
            at += MEAN_RUN_NANOS;
            int v = random.nextInt(variantCount);
            task.submitNanos = at;
            task.options = options[task.tenant()][v];
            if (queue != null) {
                task.policyKey(at + deadlines[v]);
                queue.offer(task);
            } else {
                backlog.offer(task, at);
            }
        }
        now = 0;
        cursor = 0;
        if (currentSize() != size) {
            throw new IllegalStateException("filled " + size + " tasks but the backlog holds " + currentSize());
        }
        System.out.printf("[setup] %s: %,d tasks filled in %d ms%n", executor, size,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    private int variantCount() {
        switch (executor) {
            case LOADSTAR_EDF:
            case PRIORITY_QUEUE:
                return DEADLINES;
            case LOADSTAR_WFQ:
                return COSTS;
            case LOADSTAR_MLFQ:
                return CLASSES.length;
            default:
                return 1;
        }
    }

    private TaskOptions optionsOf(int tenant, int variant) {
        TaskOptions.Builder b = TaskOptions.builder();
        switch (executor) {
            case LOADSTAR_EDF:
                return b.deadline(Duration.ofNanos(deadlines[variant])).build();
            case LOADSTAR_CFS:
                return b.tenant("tenant" + tenant, WEIGHTS[tenant]).build();
            case LOADSTAR_WFQ:
                return b.tenant("tenant" + tenant, WEIGHTS[tenant]).cost(variant + 1L).build();
            case LOADSTAR_MLFQ:
                return b.tenant("tenant" + tenant, WEIGHTS[tenant]).priority(CLASSES[variant]).build();
            default:
                return b.build();   // priorityqueue: the key is the deadline, kept in the task
        }
    }

    private int currentSize() {
        return queue != null ? queue.size() : backlog.size();
    }

    /** One op: poll, onStart, onFinish, offer back. */
    @Benchmark
    public long pollAndOffer() {
        return queue != null ? priorityQueueOp() : backlogOp();
    }

    /** poll, onStart, onFinish, offer back: one task through the policy, as an agent does. */
    private long backlogOp() {
        Backlog b = backlog;
        long t = now;
        QueuedTask polled = b.poll(t);
        if (polled == null) {
            throw new IllegalStateException(executor + ": the backlog of " + size + " tasks returned none");
        }
        b.onStart(polled, t);
        int i = cursor++ & (RING - 1);
        long run = runNanos[i];
        t += run;
        b.onFinish(polled, run, t);
        BenchTask task = (BenchTask) polled;
        task.submitNanos = t;
        task.options = options[task.tenant()][variants[i]];
        b.offer(task, t);
        now = t;
        return task.id;
    }

    /** The floor: poll the smallest key, offer the same task back with a new key. */
    private long priorityQueueOp() {
        BenchTask task = queue.poll();
        if (task == null) {
            throw new IllegalStateException("priorityqueue of " + size + " tasks returned none");
        }
        int i = cursor++ & (RING - 1);
        long t = now + runNanos[i];
        task.submitNanos = t;
        task.policyKey(t + deadlines[variants[i]]);
        queue.offer(task);
        now = t;
        return task.id;
    }

    /** Size, order and conservation checks; see the class comment. */
    @TearDown(Level.Trial)
    public void check() {
        if (currentSize() != size) {
            throw new IllegalStateException(executor + ": the backlog holds " + currentSize() + " tasks, not " + size);
        }
        BitSet seen = new BitSet(size);
        int removed;
        switch (executor) {
            case LOADSTAR_EDF:
            case PRIORITY_QUEUE:
                removed = checkKeysAscending(seen);
                break;
            case LOADSTAR_MLFQ:
                removed = checkMlfqOrder(seen);
                break;
            default:
                checkFairShares();
                removed = 0;
                break;
        }
        // every task comes out exactly once
        BenchTask task;
        while ((task = pollFrozen()) != null) {
            removed += mark(seen, task);
        }
        if (removed != size || currentSize() != 0) {
            throw new IllegalStateException(executor + ": drained " + removed + " of " + size + " tasks, "
                    + currentSize() + " left");
        }
    }

    private BenchTask pollFrozen() {
        return queue != null ? queue.poll() : (BenchTask) backlog.poll(now);
    }

    private int mark(BitSet seen, BenchTask task) {
        if (seen.get(task.id)) {
            throw new IllegalStateException(executor + ": " + task + " came out twice");
        }
        seen.set(task.id);
        return 1;
    }

    /** EDF and priorityqueue: the next polls come out by non-decreasing deadline. */
    private int checkKeysAscending(BitSet seen) {
        int polls = Math.min(ORDER_POLLS, size);
        long previous = 0;
        for (int k = 0; k < polls; k++) {
            BenchTask task = pollFrozen();
            mark(seen, task);
            long key = queue != null ? task.policyKey() : task.deadlineNanos();
            if (k > 0 && key - previous < 0) {
                throw new IllegalStateException(executor + ": poll " + k + " has deadline " + key
                        + " before the previous one's " + previous + ": " + task);
            }
            previous = key;
        }
        return polls;
    }

    /**
     * MLFQ, at a frozen clock (nothing ages, nothing arrives): no task from CRITICAL after one from
     * a lower level, and within each level the tasks of one tenant and class leave in submission
     * order (a level is FIFO by entry time; such tasks enter, age and are boosted in that order).
     * The level a task ran from is what MLFQ's poll leaves in its policy slot.
     */
    private int checkMlfqOrder(BitSet seen) {
        int polls = Math.min(ORDER_POLLS, size);
        int classes = Priority.values().length;
        long[] last = new long[4 * TENANTS * classes];
        boolean[] any = new boolean[last.length];
        boolean belowCritical = false;
        for (int k = 0; k < polls; k++) {
            BenchTask task = pollFrozen();
            mark(seen, task);
            if (!(task.policyNode() instanceof Integer)) {
                throw new IllegalStateException("mlfq: poll " + k + " left no level in the policy slot: " + task);
            }
            int level = (Integer) task.policyNode();
            if (level == 0 && belowCritical) {
                throw new IllegalStateException("mlfq: poll " + k + " ran a CRITICAL task after a lower level's: " + task);
            }
            belowCritical |= level > 0;
            int slot = (level * TENANTS + task.tenant()) * classes + task.options.priority().ordinal();
            if (any[slot] && task.submitNanos - last[slot] < 0) {
                throw new IllegalStateException("mlfq: poll " + k + " at level " + level
                        + " overtook an earlier task of its tenant and class: " + task);
            }
            any[slot] = true;
            last[slot] = task.submitNanos;
        }
        return polls;
    }

    /**
     * CFS and WFQ, over more ops of the closed loop: each tenant's tasks leave FIFO, and each
     * tenant's service (run time charged for CFS, cost for WFQ) is within {@value #SHARE_TOLERANCE}
     * (relative) of its share by the weights the policy serves by ({@code tenantWeight}: CFS rounds
     * to its nice table).
     */
    private void checkFairShares() {
        boolean cfs = LOADSTAR_CFS.equals(executor);
        long[] service = new long[TENANTS];
        long[] lastSubmit = new long[TENANTS];
        boolean[] any = new boolean[TENANTS];
        for (int k = 0; k < SHARE_OPS; k++) {
            BenchTask task = (BenchTask) backlog.peek(now);
            int tenant = task.tenant();
            if (any[tenant] && task.submitNanos - lastSubmit[tenant] < 0) {
                throw new IllegalStateException(executor + ": op " + k + " overtook an earlier task of its tenant: " + task);
            }
            any[tenant] = true;
            lastSubmit[tenant] = task.submitNanos;
            long cost = task.options.cost();
            int i = cursor & (RING - 1);    // the run time backlogOp will charge
            long id = backlogOp();
            if (id != task.id) {
                throw new IllegalStateException(executor + ": peek showed " + task + " but poll took task #" + id);
            }
            service[tenant] += cfs ? runNanos[i] : cost;
        }
        double weights = 0;
        double total = 0;
        for (int t = 0; t < TENANTS; t++) {
            weights += policy.tenantWeight("tenant" + t, WEIGHTS[t]);
            total += service[t];
        }
        for (int t = 0; t < TENANTS; t++) {
            double expected = policy.tenantWeight("tenant" + t, WEIGHTS[t]) / weights;
            double observed = service[t] / total;
            if (Math.abs(observed - expected) > SHARE_TOLERANCE * expected) {
                throw new IllegalStateException(String.format("%s: tenant%d got %.4f of the service over %d ops, "
                        + "its weight's share is %.4f", executor, t, observed, SHARE_OPS, expected));
            }
        }
    }
}
