package io.github.loadstar.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import io.github.loadstar.core.Scheduler;
import io.github.loadstar.core.TaskOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Future;

/**
 * The submitter that SubmitterRestartTest kills: its own JVM, a lite member of the test's cluster
 * with a remote-only scheduler; submits tasks {@code task-0 .. task-(n-1)} (by idempotence key) and
 * prints each outcome as it arrives. Arguments: cluster, own port, tasks, task millis, the cluster's ports.
 */
public final class SubmitterProcess {
    static final String READY = "SUBMITTER READY";
    static final String DONE = "SUBMITTER DONE ";

    private SubmitterProcess() {
    }

    public static void main(String[] args) throws Exception {
        String cluster = args[0];
        int port = Integer.parseInt(args[1]);
        int tasks = Integer.parseInt(args[2]);
        long millis = Long.parseLong(args[3]);
        List<Integer> ports = Arrays.stream(args[4].split(",")).map(Integer::valueOf).toList();
        LoopbackWorkers settings = new LoopbackWorkers(cluster, ports);
        HazelcastInstance lite = com.hazelcast.core.Hazelcast.newHazelcastInstance(settings.settings(port).liteMemberConfig());
        Scheduler s = Scheduler.builder().name("submitter").agents(1).maxAgents(8).build();
        RemoteMembers.builder(s, lite).withoutLocalAgents().attach();
        List<Future<String>> futures = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            futures.add(s.submit(new CountedWork(i, millis), TaskOptions.builder().idempotenceKey("task-" + i).build()));
        }
        System.out.println(READY);
        System.out.flush();
        for (Future<String> f : futures) {
            System.out.println(DONE + f.get());
            System.out.flush();
        }
    }
}
