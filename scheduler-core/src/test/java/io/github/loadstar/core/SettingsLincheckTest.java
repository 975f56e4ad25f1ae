package io.github.loadstar.core;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.RejectedExecutionException;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;

/**
 * Linearizability of the configuration swap and the tenant registry on a running scheduler
 * (Lincheck, stress mode: the scheduler has its own threads, which model checking cannot drive):
 * reconfigurations from several threads, reads of the settings, and submissions of tenant tasks
 * whose weight rule depends on the registry, must match a run of {@link Model} — the documented
 * rules, one operation at a time. Each reconfiguration returns the version it left in force (a
 * change to the value in force is no change, and no new version); a submission returns whether it
 * was accepted. The registry's rule: a tenant it names takes its weight, and a task may carry that
 * weight or none; a tenant it does not name is fixed by its first task's weight.
 *
 * <p>Its first runs found a submission accepted in no sequential order: a task carrying weight 2 of
 * a tenant fixed at 1, racing the reconfiguration that named the tenant at 1 — the submission's two
 * reads of the registry (when its options were resolved, and when its tenant was looked up) fell on
 * either side of the change, and the second trusted the first.
 */
@Param(name = "tenant", gen = IntGen.class, conf = "0:1")
@Param(name = "weight", gen = IntGen.class, conf = "0:2")
@Param(name = "limit", gen = IntGen.class, conf = "1:3")
public final class SettingsLincheckTest {
    private static final SchedulerSettings INITIAL;

    static {
        try (Scheduler s = Scheduler.builder().agents(1).build()) {
            INITIAL = s.settings();
        }
    }

    private final Scheduler scheduler = Scheduler.builder().agents(1).build();

    @Operation
    public long stealBatch(@Param(name = "limit") int limit) {
        return scheduler.reconfigure(x -> x.withStealBatchLimit(limit)).current().version();
    }

    /** Names tenant {@code tenant} in the registry with weight {@code weight} (1 or 2; 0 reads as 1). */
    @Operation
    public long registryWeight(@Param(name = "tenant") int tenant, @Param(name = "weight") int weight) {
        return scheduler.reconfigure(x -> x.withTenantWeight("t" + tenant, Math.max(1, weight))).current().version();
    }

    @Operation
    public String settings() {
        SchedulerSettings s = scheduler.settings();
        return s.version() + " " + s.stealBatchLimit() + " " + s.tenantWeights();
    }

    /** A task of tenant {@code tenant} carrying weight {@code weight}, or none (0). */
    @Operation
    public boolean submit(@Param(name = "tenant") int tenant, @Param(name = "weight") int weight) {
        TaskOptions options = weight == 0 ? TaskOptions.builder().tenant("t" + tenant).build()
                : TaskOptions.builder().tenant("t" + tenant, weight).build();
        try {
            scheduler.execute(() -> { }, options);
            return true;
        } catch (IllegalArgumentException refused) {
            return false;
        } catch (RejectedExecutionException e) {
            throw new AssertionError(e);
        }
    }

    @Validate
    public void close() {
        scheduler.shutdownNow();
    }

    /** The documented rules, one operation at a time. */
    public static final class Model {
        private long version = INITIAL.version();
        private int limit = INITIAL.stealBatchLimit();
        private final Map<String, Double> registry = new TreeMap<>();
        /** Each tenant's weight in its figures, once it has had a task (or a registry weight since). */
        private final Map<String, Double> fixed = new TreeMap<>();

        public long stealBatch(int limit) {
            if (limit != this.limit) {
                this.limit = limit;
                version++;
            }
            return version;
        }

        public long registryWeight(int tenant, int weight) {
            String t = "t" + tenant;
            double w = Math.max(1, weight);
            if (!Double.valueOf(w).equals(registry.get(t))) {
                registry.put(t, w);
                fixed.computeIfPresent(t, (k, old) -> w);
                version++;
            }
            return version;
        }

        public String settings() {
            return version + " " + limit + " " + registry;
        }

        public boolean submit(int tenant, int weight) {
            String t = "t" + tenant;
            double carried = weight == 0 ? 1.0 : weight;
            Double named = registry.get(t);
            if (named != null) {
                if (carried != named && carried != 1.0) {
                    return false;
                }
                fixed.putIfAbsent(t, named);
                return true;
            }
            fixed.putIfAbsent(t, carried);
            return fixed.get(t) == carried;
        }
    }

    @Test
    void stress() {
        new StressOptions().iterations(20).invocationsPerIteration(150).threads(3).actorsPerThread(3)
                .sequentialSpecification(Model.class).check(getClass());
    }
}
