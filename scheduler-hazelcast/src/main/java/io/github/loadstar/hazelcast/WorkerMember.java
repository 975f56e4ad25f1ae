package io.github.loadstar.hazelcast;

import com.hazelcast.config.Config;
import com.hazelcast.config.DurableExecutorConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

/**
 * A worker: a Hazelcast data member that runs a scheduler's remote tasks (one remote agent). Start
 * one from code ({@link #start(ClusterSettings)}, or {@link #start(Config)} with a Hazelcast
 * configuration of your own) or as a process ({@link #main}). Its classpath must hold this module,
 * scheduler-core and every task class it is to run: the community edition ships no code at run time.
 */
public final class WorkerMember implements AutoCloseable {
    /** The line a worker process prints once it is in the cluster: the prefix, its address and UUID. */
    public static final String READY = "LOADSTAR-WORKER READY";

    private final HazelcastInstance instance;

    private WorkerMember(HazelcastInstance instance) {
        this.instance = instance;
    }

    /** Starts a worker with {@code settings} and returns once it has joined the cluster. */
    public static WorkerMember start(ClusterSettings settings) {
        return start(settings.workerConfig());
    }

    /**
     * Starts a worker from a Hazelcast configuration of your own (discovery plugins, security,
     * persistence): the durable executor and the ledger map get Loadstar's defaults unless the
     * configuration names them.
     *
     * @throws IllegalArgumentException if {@code config} is a lite member's (it could run nothing)
     */
    public static WorkerMember start(Config config) {
        if (config.isLiteMember()) {
            throw new IllegalArgumentException("config: a lite member owns no partitions, so it cannot run tasks");
        }
        if (!config.getDurableExecutorConfigs().containsKey(ClusterSettings.EXECUTOR)) {
            config.addDurableExecutorConfig(new DurableExecutorConfig(ClusterSettings.EXECUTOR).setDurability(1));
        }
        if (config.getMemberAttributeConfig().getAttribute(ClusterSettings.THREADS_ATTRIBUTE) == null) {
            // how many tasks it runs at once: the scheduler sizes this member's window and capacity by it
            int threads = config.getDurableExecutorConfig(ClusterSettings.EXECUTOR).getPoolSize();
            config.getMemberAttributeConfig().setAttribute(ClusterSettings.THREADS_ATTRIBUTE, Integer.toString(threads));
        }
        if (!config.getMapConfigs().containsKey(ClusterSettings.LEDGER)) {
            config.addMapConfig(new MapConfig(ClusterSettings.LEDGER).setBackupCount(1).setTimeToLiveSeconds(3600));
        }
        return new WorkerMember(Hazelcast.newHazelcastInstance(config));
    }

    public HazelcastInstance instance() {
        return instance;
    }

    /** Its address, {@code host:port}. */
    public String address() {
        return instance.getCluster().getLocalMember().getAddress().getHost() + ":"
                + instance.getCluster().getLocalMember().getAddress().getPort();
    }

    public UUID uuid() {
        return instance.getCluster().getLocalMember().getUuid();
    }

    /** Leaves the cluster gracefully: its partitions (queued tasks, ledger entries) move to the others first. */
    @Override
    public void close() {
        instance.shutdown();
    }

    /**
     * Runs a worker process. Options (all optional): {@code --cluster NAME}, {@code --host ADDRESS},
     * {@code --port N} (0: the first free from 5701), {@code --members a:5701,b:5701},
     * {@code --threads N} (executor threads), {@code --fast-failure-detection},
     * {@code --settings FILE} (a properties file with the keys cluster, host, port, members,
     * threads, heartbeatSeconds, maxNoHeartbeatSeconds, backupAckTimeoutMillis, ledgerTtlSeconds, minimumClusterSize; options after it override
     * it) or {@code --hazelcast-config FILE} (a Hazelcast XML or YAML file, used as given).
     * With {@code --until-stdin-closes} it leaves the cluster gracefully when its standard input
     * closes (a launcher's pipe); otherwise when the JVM is asked to stop (SIGTERM). Prints
     * {@value #READY} with its address and UUID once in the cluster. Exit code 2 and a message naming
     * the option for bad arguments.
     */
    public static void main(String[] args) throws IOException {
        ClusterSettings.Builder settings = ClusterSettings.builder();
        Config hazelcastConfig = null;
        boolean untilStdinCloses = false;
        try {
            for (int i = 0; i < args.length; i++) {
                String option = args[i];
                switch (option) {
                    case "--until-stdin-closes":
                        untilStdinCloses = true;
                        break;
                    case "--fast-failure-detection":
                        settings.fastFailureDetection();
                        break;
                    default:
                        if (i + 1 >= args.length) {
                            throw new IllegalArgumentException(option + ": needs a value");
                        }
                        String value = args[++i];
                        if (option.equals("--hazelcast-config")) {
                            hazelcastConfig = Config.loadFromFile(Path.of(value).toFile());
                        } else {
                            apply(settings, option.substring(2), value, option);
                        }
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println("loadstar worker: " + e.getMessage());
            System.exit(2);
            return;
        }
        WorkerMember worker = hazelcastConfig != null ? start(hazelcastConfig) : start(settings.build());
        PrintStream out = System.out;
        out.println(READY + " " + worker.address() + " " + worker.uuid());
        out.flush();
        if (untilStdinCloses) {
            InputStream in = System.in;
            while (in.read() >= 0) {
                // nothing to read: waiting for the pipe to close
            }
            worker.close();
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(worker::close, "loadstar-worker-shutdown"));
    }

    private static void apply(ClusterSettings.Builder b, String key, String value, String named) throws IOException {
        try {
            switch (key) {
                case "settings":
                    Properties p = new Properties();
                    try (InputStream in = Files.newInputStream(Path.of(value))) {
                        p.load(in);
                    }
                    for (String k : p.stringPropertyNames()) {
                        apply(b, k, p.getProperty(k).trim(), k + " in " + value);
                    }
                    break;
                case "cluster":
                    b.clusterName(value);
                    break;
                case "host":
                    b.host(value);
                    break;
                case "port":
                    b.port(Integer.parseInt(value));
                    break;
                case "members":
                    b.members(value.isBlank() ? List.of() : Arrays.asList(value.split(",")));
                    break;
                case "threads":
                    b.executorThreads(Integer.parseInt(value));
                    break;
                case "heartbeatSeconds":
                    b.heartbeat(Integer.parseInt(value), b.build().maxNoHeartbeatSeconds());
                    break;
                case "maxNoHeartbeatSeconds":
                    b.heartbeat(b.build().heartbeatSeconds(), Integer.parseInt(value));
                    break;
                case "backupAckTimeoutMillis":
                    b.backupAckTimeoutMillis(Integer.parseInt(value));
                    break;
                case "minimumClusterSize":
                    b.minimumClusterSize(Integer.parseInt(value));
                    break;
                case "ledgerTtlSeconds":
                    b.ledgerTtlSeconds(Integer.parseInt(value));
                    break;
                default:
                    throw new IllegalArgumentException(named + ": unknown (known: --cluster, --host, --port, --members,"
                            + " --threads, --fast-failure-detection, --settings, --hazelcast-config, --until-stdin-closes)");
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(named + ": not a number: " + value);
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(named)) {
                throw e;
            }
            throw new IllegalArgumentException(named + ": " + e.getMessage(), e);
        }
    }
}
