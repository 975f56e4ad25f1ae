package io.github.loadstar.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.partition.PartitionAwareKey;
import java.io.Serializable;
import java.util.concurrent.Callable;

/**
 * A test task's body: some milliseconds of work that first records its own run in a map of its own
 * (an effect outside the ledger: one entry per run, keyed by a fresh id and partitioned by the task's
 * id), so a test can compare the body's runs with what the ledger granted ({@link #runs}).
 */
final class CountedWork implements Callable<String>, Serializable, HazelcastInstanceAware {
    static final String EFFECTS = "test-effects";
    /** What the body prints first on its member's standard output, before the task's id. */
    static final String RAN = "RAN ";
    private static final long serialVersionUID = 1L;
    private final int id;
    private final long millis;
    private transient HazelcastInstance hz;

    CountedWork(int id, long millis) {
        this.id = id;
        this.millis = millis;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
        this.hz = hazelcastInstance;
    }

    @Override
    public String call() throws Exception {
        System.out.println(RAN + "task-" + id);     // a worker's output is read by the test (LoopbackWorkers)
        System.out.flush();
        // one entry per run of the body, keyed by a fresh id: a put that Hazelcast retries while the
        // partition migrates writes the same entry again, where an increment would count twice. The
        // key's partition is the task id's, where the task's ledger line lives: a map's String keys
        // are hashed whole (the "name@partitionKey" form applies to object names, not keys), so a
        // plain String key would land in any partition, often one a hung member holds, and the put
        // would wait until that member is evicted
        hz.<PartitionAwareKey<String, String>, Integer>getMap(EFFECTS)
                .put(new PartitionAwareKey<>(java.util.UUID.randomUUID().toString(), "task-" + id), 1);
        Thread.sleep(millis);
        return "done-" + id;
    }

    /** How many times the body of {@code task-N} ran, from its entries in {@link #EFFECTS}. */
    static int runs(HazelcastInstance member, String taskId) {
        return allRuns(member).getOrDefault(taskId, 0);
    }

    /** How many times each task's body ran, by task id. */
    static java.util.Map<String, Integer> allRuns(HazelcastInstance member) {
        java.util.Map<String, Integer> runs = new java.util.HashMap<>();
        for (PartitionAwareKey<String, String> key : member.<PartitionAwareKey<String, String>, Integer>getMap(EFFECTS)
                .keySet()) {
            runs.merge(key.getPartitionKey(), 1, Integer::sum);
        }
        return runs;
    }
}
