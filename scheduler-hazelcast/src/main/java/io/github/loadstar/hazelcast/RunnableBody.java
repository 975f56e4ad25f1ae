package io.github.loadstar.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import java.io.Serializable;
import java.util.concurrent.Callable;

/** A serializable Runnable sent as a Callable (the ledger records its outcome as null). */
record RunnableBody(Runnable runnable) implements Callable<Object>, Serializable, HazelcastInstanceAware {

    @Override
    public Object call() {
        runnable.run();
        return null;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance instance) {
        if (runnable instanceof HazelcastInstanceAware) {
            ((HazelcastInstanceAware) runnable).setHazelcastInstance(instance);
        }
    }
}
