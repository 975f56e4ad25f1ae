package io.github.loadstar.hazelcast;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.partition.Partition;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Worker members in their own JVMs on 127.0.0.1, started from this JVM's classpath: for tests,
 * examples and benchmarks that need real members and crash them for real — {@code kill -9}
 * ({@link Worker#kill()}), a hang ({@link Worker#stop()} / {@link Worker#resume()}: SIGSTOP and
 * SIGCONT). A member sharing this JVM could not crash faithfully: Hazelcast's {@code terminate()}
 * leaves its durable executor draining for seconds. {@link #close()} lets every worker leave
 * gracefully (its standard input closes), then kills what is left after 20 s.
 */
public final class LoopbackWorkers implements AutoCloseable {
    private static final long START_TIMEOUT_SECONDS = 90;

    private final String cluster;
    private final List<Integer> ports;
    private final int maxSilentSeconds;
    private final List<String> jvmOptions;
    private volatile int minimumClusterSize;
    /** The worker JVMs' options unless others are given: small heap, serial GC, C1 only (fast start-up). */
    public static final List<String> QUICK_START = List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
    private final List<Worker> workers = Collections.synchronizedList(new ArrayList<>());

    /** A cluster named {@code cluster} whose members will use {@code ports} (the scheduler's own included). */
    public LoopbackWorkers(String cluster, List<Integer> ports) {
        this(cluster, ports, 5);
    }

    /**
     * As above, with heartbeats every second and a silent member evicted after {@code maxSilentSeconds}
     * (5: the fast setting), and writes that wait at most 500 ms for a silent backup.
     */
    public LoopbackWorkers(String cluster, List<Integer> ports, int maxSilentSeconds) {
        this(cluster, ports, maxSilentSeconds, QUICK_START);
    }

    /** As above, the worker JVMs started with {@code jvmOptions} (plus Hazelcast's {@link ClusterSettings#JVM_FLAGS}). */
    public LoopbackWorkers(String cluster, List<Integer> ports, int maxSilentSeconds, List<String> jvmOptions) {
        if (maxSilentSeconds < 2) {
            throw new IllegalArgumentException("maxSilentSeconds: must be at least 2, was " + maxSilentSeconds);
        }
        this.cluster = java.util.Objects.requireNonNull(cluster, "cluster");
        this.ports = List.copyOf(ports);
        this.maxSilentSeconds = maxSilentSeconds;
        this.jvmOptions = List.copyOf(jvmOptions);
    }

    /** The range {@link #freePorts} draws from: below the ephemeral ports of Linux (32768–60999) and of others (49152–). */
    private static final int FIRST_PORT = 20_000;
    private static final int LAST_PORT = 32_000;

    /**
     * {@code n} distinct ports on 127.0.0.1 that are free when asked (a member binds them a moment
     * later), drawn at random below the operating system's ephemeral range: a port the system hands
     * out itself (port 0) can be taken in the meantime by the local end of an outgoing connection —
     * the members' own connections to each other — and a worker then fails to start ("Port … is
     * already in use", seen once in a CI run of ClusterDemoTest).
     */
    public static List<Integer> freePorts(int n) {
        java.util.Set<Integer> chosen = new java.util.LinkedHashSet<>();
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; chosen.size() < n; attempt++) {
            if (attempt > 10_000) {
                throw new IllegalStateException("no " + n + " free ports between " + FIRST_PORT + " and " + LAST_PORT);
            }
            int port = FIRST_PORT + random.nextInt(LAST_PORT - FIRST_PORT);
            if (chosen.contains(port)) {
                continue;
            }
            try (ServerSocket probe = new ServerSocket()) {
                probe.bind(new java.net.InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 1);
                chosen.add(port);
            } catch (IOException inUse) {
                // taken: draw another
            }
        }
        return new ArrayList<>(chosen);
    }

    /** Split-brain protection for the workers started from now on and for {@link #settings} (0: off). */
    public LoopbackWorkers minimumClusterSize(int members) {
        ClusterSettings.builder().minimumClusterSize(members);     // checks it
        this.minimumClusterSize = members;
        return this;
    }

    /** The join list every member gets. */
    public List<String> members() {
        List<String> members = new ArrayList<>();
        for (int p : ports) {
            members.add("127.0.0.1:" + p);
        }
        return members;
    }

    /** The settings of this cluster with {@code port} as the member's own. */
    public ClusterSettings settings(int port) {
        return ClusterSettings.builder().clusterName(cluster).port(port).members(members()).heartbeat(1, maxSilentSeconds)
                .backupAckTimeoutMillis(500).executorThreads(1).minimumClusterSize(minimumClusterSize).build();
    }

    /** Waits until {@code members} are in the cluster and every partition is owned and backed up. */
    public static void awaitSafe(HazelcastInstance hz, int members) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        hz.getPartitionService().getPartition("any").getOwner();    // partitions are assigned on first use
        while (hz.getCluster().getMembers().size() < members || !hz.getPartitionService().isClusterSafe()
                || !everyDataMemberOwnsPartitions(hz)) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("cluster not formed within 60 s: " + hz.getCluster().getMembers());
            }
            Thread.sleep(20);
        }
    }

    private static boolean everyDataMemberOwnsPartitions(HazelcastInstance hz) {
        Set<UUID> owners = new HashSet<>();
        for (Partition p : hz.getPartitionService().getPartitions()) {
            Member owner = p.getOwner();
            if (owner == null) {
                return false;
            }
            owners.add(owner.getUuid());
        }
        return hz.getCluster().getMembers().stream().filter(m -> !m.isLiteMember()).allMatch(m -> owners.contains(m.getUuid()));
    }

    /**
     * Starts one worker per entry of {@code executorThreads}, on this cluster's ports in order — the
     * first alone, so that it becomes the master, then the others together — and waits until all
     * have joined.
     */
    public List<Worker> startAll(int... executorThreads) throws Exception {
        if (executorThreads.length == 0 || executorThreads.length > ports.size()) {
            throw new IllegalArgumentException("executorThreads: one entry per worker, 1 to " + ports.size() + " of them");
        }
        List<Worker> started = new ArrayList<>();
        for (int i = 0; i < executorThreads.length; i++) {
            started.add(start(ports.get(i), executorThreads[i]));
            if (i == 0) {
                started.get(0).awaitReady();
            }
        }
        for (Worker w : started) {
            w.awaitReady();
        }
        return started;
    }

    /**
     * Joins this JVM to the cluster as a lite member on {@code port} (the scheduler's own process:
     * it owns no partitions) and waits until every worker started so far is in the cluster and the
     * partitions are owned and backed up.
     */
    public HazelcastInstance liteMember(int port) throws InterruptedException {
        HazelcastInstance lite = com.hazelcast.core.Hazelcast.newHazelcastInstance(settings(port).liteMemberConfig());
        awaitSafe(lite, workers.size() + 1);
        return lite;
    }

    /** Starts a worker process on {@code port}; call {@link Worker#awaitReady()} before using it. */
    public Worker start(int port, int executorThreads) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(ClusterSettings.JVM_FLAGS);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(WorkerMember.class.getName());
        command.addAll(List.of("--cluster", cluster, "--port", Integer.toString(port), "--members",
                String.join(",", members()), "--threads", Integer.toString(executorThreads), "--heartbeatSeconds", "1",
                "--maxNoHeartbeatSeconds", Integer.toString(maxSilentSeconds), "--backupAckTimeoutMillis", "500",
                "--minimumClusterSize", Integer.toString(minimumClusterSize), "--until-stdin-closes"));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            Worker worker = new Worker(port, process);
            workers.add(worker);
            return worker;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        List<Worker> all;
        synchronized (workers) {
            all = new ArrayList<>(workers);
        }
        for (Worker w : all) {
            w.resume();
            w.closeStdin();
        }
        for (Worker w : all) {
            try {
                if (!w.process.waitFor(20, TimeUnit.SECONDS)) {
                    w.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                w.process.destroyForcibly();
            }
        }
    }

    /** One worker process. */
    public static final class Worker {
        private final int port;
        private final Process process;
        private final List<String> output = Collections.synchronizedList(new ArrayList<>());
        private final CompletableFuture<String[]> ready = new CompletableFuture<>();

        private Worker(int port, Process process) {
            this.port = port;
            this.process = process;
            Thread reader = new Thread(this::readOutput, "worker-" + port + "-output");
            reader.setDaemon(true);
            reader.start();
        }

        private void readOutput() {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    output.add(line);
                    if (line.startsWith(WorkerMember.READY)) {
                        ready.complete(line.substring(WorkerMember.READY.length()).trim().split(" "));
                    }
                }
            } catch (IOException e) {
                // the process is gone
            }
            ready.completeExceptionally(new IllegalStateException("worker on port " + port + " exited before it was"
                    + " ready; its output:\n" + String.join("\n", output)));
        }

        /** Waits (up to 90 s) for the worker to join; returns its UUID. */
        public UUID awaitReady() throws Exception {
            return UUID.fromString(ready.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS)[1]);
        }

        public int port() {
            return port;
        }

        public long pid() {
            return process.pid();
        }

        /** kill -9: the process dies at once, with its queued tasks and whatever it was running. */
        public void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }

        /** SIGSTOP: the process hangs, its connections open. */
        public void stop() {
            signal("-STOP");
        }

        /** SIGCONT: a stopped process runs again. */
        public void resume() {
            if (process.isAlive()) {
                signal("-CONT");
            }
        }

        private void signal(String which) {
            try {
                int code = new ProcessBuilder("kill", which, Long.toString(process.pid())).inheritIO().start().waitFor();
                if (code != 0) {
                    throw new IllegalStateException("kill " + which + " " + process.pid() + " exited with " + code);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Asks the worker to leave gracefully (its standard input closes). */
        public void closeStdin() {
            try {
                process.getOutputStream().close();
            } catch (IOException ignored) {
                // already gone
            }
        }

        /** What it printed so far (standard output and error). */
        public List<String> output() {
            synchronized (output) {
                return new ArrayList<>(output);
            }
        }
    }
}
