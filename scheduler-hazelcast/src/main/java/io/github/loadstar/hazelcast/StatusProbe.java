package io.github.loadstar.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import java.io.Serializable;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.concurrent.Callable;

/**
 * A remote agent's periodic probe, run on the member by its plain executor ({@link Probe#EXECUTOR},
 * never the durable task executor): what the member says of itself — the task bodies it runs for any
 * scheduler ({@link MemberActivity}) and its machine's CPU load.
 */
final class StatusProbe implements Callable<StatusProbe.Answer>, Serializable, HazelcastInstanceAware {
    private static final long serialVersionUID = 1L;
    private transient HazelcastInstance instance;

    /** The probe's answer, as it travels back. */
    record Answer(int running, double cpuLoad) implements Serializable {
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
        this.instance = hazelcastInstance;
    }

    @Override
    public Answer call() {
        int running = instance == null ? 0 : MemberActivity.of(instance).running();
        return new Answer(running, machineCpuLoad());
    }

    /** The machine's CPU load in [0, 1], or -1 where the JVM does not measure it. */
    static double machineCpuLoad() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean) {
            double load = ((com.sun.management.OperatingSystemMXBean) os).getCpuLoad();
            if (load >= 0.0 && load <= 1.0) {
                return load;
            }
        }
        return -1.0;
    }
}
