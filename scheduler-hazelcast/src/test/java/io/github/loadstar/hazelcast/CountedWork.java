package io.github.loadstar.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.map.EntryProcessor;
import java.io.Serializable;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * A test task's body: some milliseconds of work that first counts its own run in a map of its own (an
 * effect outside the ledger), so a test can compare the body's runs with what the ledger granted.
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
        hz.<String, Integer>getMap(EFFECTS).executeOnKey("task-" + id, new Increment());
        Thread.sleep(millis);
        return "done-" + id;
    }

    /** Adds one to the task's count. */
    static final class Increment implements EntryProcessor<String, Integer, Integer> {
        private static final long serialVersionUID = 1L;

        @Override
        public Integer process(Map.Entry<String, Integer> entry) {
            int next = entry.getValue() == null ? 1 : entry.getValue() + 1;
            entry.setValue(next);
            return next;
        }
    }
}
