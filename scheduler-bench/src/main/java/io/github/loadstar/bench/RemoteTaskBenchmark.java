package io.github.loadstar.bench;

import com.hazelcast.cluster.Member;
import com.hazelcast.config.ExecutorConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.durableexecutor.DurableExecutorService;
import io.github.loadstar.hazelcast.ClusterSettings;
import io.github.loadstar.hazelcast.LoopbackWorkers;
import io.github.loadstar.hazelcast.MemberChannel;
import io.github.loadstar.hazelcast.MemberKeys;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a remote task costs: worker members in their own JVMs on loopback (started in the trial's
 * set-up from the benchmark jar's classpath), this JVM a lite member, a no-op task.
 *
 * <ul>
 *   <li>{@code roundTrip}: one task and its outcome, one at a time (time per task; with
 *       {@code -bm sample} its percentiles). {@code path}: {@code scheduler} is a remote-only
 *       {@link io.github.loadstar.core.Scheduler} with one remote agent per member
 *       ({@link io.github.loadstar.hazelcast.RemoteMembers}: placement, the admitting loop, the
 *       channel and the ledger) — what a user's {@code submit} costs; {@code ledgered} goes through a
 *       {@link MemberChannel} (durable submit, ledger begin and finish, result) — what every remote
 *       task of Loadstar pays; {@code durable} is Hazelcast's durable executor alone, and
 *       {@code executor} its plain {@code IExecutorService.submitToMember} (neither durable nor
 *       exactly-once), the peers.</li>
 *   <li>{@code burst}: 200 tasks, all waited for (the scheduler's queue and windows of 8 per member;
 *       Loadstar's channels in turn, a window of 8 each; the peers to the members in turn with no
 *       window): time per task, the inverse of the throughput with 1 to 3 members.</li>
 * </ul>
 * Not in the profiles' default run (each trial starts JVMs); name it:
 * {@code java -jar benchmarks.jar -profile quick RemoteTaskBenchmark}.
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RemoteTaskBenchmark {
    private static final int BURST = 200;
    private static final int WINDOW = 8;

    @Param({"1", "3"})
    public int members;

    @Param({"scheduler", "ledgered", "durable", "executor"})
    public String path;

    private LoopbackWorkers workers;
    private HazelcastInstance lite;
    private final List<MemberChannel> channels = new ArrayList<>();
    private final List<Member> workerMembers = new ArrayList<>();
    private MemberKeys keys;
    private DurableExecutorService durable;
    private IExecutorService executor;
    private io.github.loadstar.core.Scheduler scheduler;
    private io.github.loadstar.hazelcast.RemoteMembers remoteMembers;
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final AtomicLong ids = new AtomicLong();
    private int next;

    @Setup(Level.Trial)
    public void startCluster() throws Exception {
        List<Integer> ports = LoopbackWorkers.freePorts(members + 1);
        workers = new LoopbackWorkers("bench-" + run, ports, 5,
                List.of("-Xmx256m", "-XX:+UseSerialGC", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"));
        int[] threads = new int[members];
        java.util.Arrays.fill(threads, 2);
        workers.startAll(threads);
        com.hazelcast.config.Config config = workers.settings(ports.get(members)).liteMemberConfig();
        config.addExecutorConfig(new ExecutorConfig("bench-plain").setPoolSize(2));
        lite = Hazelcast.newHazelcastInstance(config);
        LoopbackWorkers.awaitSafe(lite, members + 1);
        keys = MemberKeys.watching(lite);
        for (Member m : lite.getCluster().getMembers()) {
            if (!m.isLiteMember()) {
                workerMembers.add(m);
                channels.add(new MemberChannel(lite, m.getUuid(), keys, WINDOW));
            }
        }
        durable = lite.getDurableExecutorService(ClusterSettings.EXECUTOR);
        executor = lite.getExecutorService("bench-plain");
        if (path.equals("scheduler")) {
            scheduler = io.github.loadstar.core.Scheduler.builder().name("bench-remote").agents(1).maxAgents(members + 2).build();
            remoteMembers = io.github.loadstar.hazelcast.RemoteMembers.builder(scheduler, lite)
                    .windowPerThread(WINDOW / 2).responseTimeout(java.time.Duration.ofSeconds(30)).withoutLocalAgents().attach();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (remoteMembers.agents().size() < members || scheduler.metrics().agents().stream()
                    .anyMatch(a -> !a.remote() && a.state() != io.github.loadstar.core.metrics.AgentState.REMOVED)) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("remote agents not in place: " + scheduler.metrics());
                }
                Thread.sleep(10);
            }
        }
    }

    @TearDown(Level.Iteration)
    public void forgetLedgerLines() {
        lite.getMap(ClusterSettings.LEDGER).clear();    // keeps the workers' heaps flat between iterations
    }

    @TearDown(Level.Trial)
    public void stopCluster() {
        if (scheduler != null) {
            remoteMembers.close();
            scheduler.shutdownNow();
        }
        channels.forEach(MemberChannel::close);
        if (lite != null) {
            lite.shutdown();
        }
        if (workers != null) {
            workers.close();
        }
    }

    @Benchmark
    public Object roundTrip() throws Exception {
        int k = Math.floorMod(next++, workerMembers.size());
        Member member = workerMembers.get(k);
        switch (path) {
            case "scheduler":
                return check(scheduler.submit(new Noop()).get(30, TimeUnit.SECONDS));
            case "ledgered": {
                CompletableFuture<Object> done = new CompletableFuture<>();
                boolean sent = channels.get(k).trySend(run + "-" + ids.incrementAndGet(), new Noop(), (v, t) -> {
                    if (t != null) {
                        done.completeExceptionally(t);
                    } else {
                        done.complete(v);
                    }
                });
                if (!sent) {
                    throw new IllegalStateException("one task at a time, yet the window of " + WINDOW + " is full");
                }
                return check(done.get(30, TimeUnit.SECONDS));
            }
            case "durable":
                return check(durable.submitToKeyOwner(new Noop(), keys.keyFor(member.getUuid())).get(30, TimeUnit.SECONDS));
            default:
                return check(executor.submitToMember(new Noop(), member).get(30, TimeUnit.SECONDS));
        }
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public int burst() throws Exception {
        CountDownLatch done = new CountDownLatch(BURST);
        AtomicLong failures = new AtomicLong();
        java.util.function.BiConsumer<Object, Throwable> count = (v, t) -> {
            if (t != null || !Integer.valueOf(1).equals(v)) {
                failures.incrementAndGet();
            }
            done.countDown();
        };
        int sent = 0;
        if (path.equals("scheduler")) {
            List<java.util.concurrent.Future<Integer>> futures = new ArrayList<>(BURST);
            for (int i = 0; i < BURST; i++) {
                futures.add(scheduler.submit(new Noop()));     // queued in the scheduler, admitted through the windows
            }
            for (java.util.concurrent.Future<Integer> f : futures) {
                check(f.get(60, TimeUnit.SECONDS));
            }
            return BURST;
        }
        while (sent < BURST) {
            int k = Math.floorMod(next++, workerMembers.size());
            switch (path) {
                case "ledgered":
                    MemberChannel c = channels.get(k);
                    if (!c.hasRoom() || !c.trySend(run + "-" + ids.incrementAndGet(), new Noop(), count)) {
                        LockSupport.parkNanos(20_000);     // its window is full: let the sender and the callbacks run
                        continue;
                    }
                    break;
                case "durable":
                    durable.submitToKeyOwner(new Noop(), keys.keyFor(workerMembers.get(k).getUuid())).whenComplete(count);
                    break;
                default:
                    executor.submitToMember(new Noop(), workerMembers.get(k), new com.hazelcast.core.ExecutionCallback<Integer>() {
                        @Override
                        public void onResponse(Integer response) {
                            count.accept(response, null);
                        }

                        @Override
                        public void onFailure(Throwable t) {
                            count.accept(null, t);
                        }
                    });
                    break;
            }
            sent++;
        }
        if (!done.await(60, TimeUnit.SECONDS) || failures.get() != 0) {
            throw new IllegalStateException("burst: " + done.getCount() + " outstanding, " + failures.get() + " failed");
        }
        return sent;
    }

    private static Object check(Object outcome) {
        if (!Integer.valueOf(1).equals(outcome)) {
            throw new IllegalStateException("a no-op returned " + outcome);
        }
        return outcome;
    }

    /** The remote work: nothing, answered with 1. */
    public static final class Noop implements Callable<Integer>, Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public Integer call() {
            return 1;
        }
    }
}
