package io.github.loadstar.hazelcast;

import com.hazelcast.config.Config;
import com.hazelcast.config.DurableExecutorConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.config.SplitBrainProtectionConfig;
import java.util.List;
import java.util.Objects;

/**
 * How the members of a Loadstar cluster find each other and what they run: an immutable value, made
 * by {@link #builder()}, whose setters check their argument at once. It makes the Hazelcast
 * {@link Config} of a worker member ({@link #workerConfig()}) and of the scheduler's own lite member
 * ({@link #liteMemberConfig()}); the two must agree on the cluster name, the join list and the
 * names of the durable executor and the ledger.
 *
 * <h2>Failure detection</h2>
 * A member that crashes (its process dies) is removed by its peers' connection monitor within about
 * half a second whatever these settings say (three refused reconnects 100 ms apart). A member that
 * hangs (a stop signal, a long GC pause, a frozen VM) keeps its connections open and is removed only
 * when no heartbeat arrives for {@link #maxNoHeartbeatSeconds()}: Hazelcast's default of 60 s keeps
 * a member through any pause shorter than that, at the cost of a minute before its tasks run
 * elsewhere; the {@linkplain Builder#fastFailureDetection() fast} setting (1 s heartbeats, 5 s)
 * evicts a hung member in about 5 s but also evicts one in a 5 s GC pause. Until then every write to
 * a partition whose backup the hung member holds waits {@link #backupAckTimeoutMillis()} for its
 * acknowledgement (5 s by default, 1 s in the fast setting). Loadstar's per-member breakers stop
 * admitting work to a hung member within a second either way.
 */
public final class ClusterSettings {
    /** The durable executor that runs remote tasks on the workers. */
    public static final String EXECUTOR = "loadstar-tasks";
    /** The member attribute a worker publishes its executor thread count under (RemoteMembers reads it). */
    public static final String THREADS_ATTRIBUTE = "loadstar.threads";
    /** The map that holds the idempotence ledger. */
    public static final String LEDGER = "loadstar-ledger";
    /** The split-brain protection the ledger and the executor use when a minimum cluster size is set. */
    public static final String SPLIT_BRAIN_PROTECTION = "loadstar-quorum";
    /** Hazelcast's own heartbeat settings, for reference. */
    public static final int DEFAULT_HEARTBEAT_SECONDS = 5;
    public static final int DEFAULT_MAX_NO_HEARTBEAT_SECONDS = 60;
    /** Hazelcast's default wait for a backup's acknowledgement. */
    public static final int DEFAULT_BACKUP_ACK_TIMEOUT_MILLIS = 5000;
    /**
     * The flags Hazelcast asks for on Java 17 and later (its start-up warning lists them): without them
     * it runs, with a warning, and some of its metrics and optimisations are off.
     */
    public static final List<String> JVM_FLAGS = List.of(
            "--add-modules", "java.se",
            "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens", "java.management/sun.management=ALL-UNNAMED",
            "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED");

    /**
     * The same flags for an application on the module path, where Hazelcast is the automatic module
     * {@code com.hazelcast.core} (its start-up warning lists these there).
     */
    public static final List<String> MODULE_PATH_JVM_FLAGS = List.of(
            "--add-exports", "java.base/jdk.internal.ref=com.hazelcast.core",
            "--add-opens", "java.base/java.lang=com.hazelcast.core",
            "--add-opens", "java.base/sun.nio.ch=com.hazelcast.core",
            "--add-opens", "java.management/sun.management=com.hazelcast.core",
            "--add-opens", "jdk.management/com.sun.management.internal=com.hazelcast.core");

    private final String clusterName;
    private final String host;
    private final int port;
    private final List<String> members;
    private final int heartbeatSeconds;
    private final int maxNoHeartbeatSeconds;
    private final int backupAckTimeoutMillis;
    private final int executorThreads;
    private final int ledgerTtlSeconds;
    private final int minimumClusterSize;

    private ClusterSettings(Builder b) {
        this.clusterName = b.clusterName;
        this.host = b.host;
        this.port = b.port;
        this.members = List.copyOf(b.members);
        this.heartbeatSeconds = b.heartbeatSeconds;
        this.maxNoHeartbeatSeconds = b.maxNoHeartbeatSeconds;
        this.backupAckTimeoutMillis = b.backupAckTimeoutMillis;
        this.executorThreads = b.executorThreads;
        this.ledgerTtlSeconds = b.ledgerTtlSeconds;
        this.minimumClusterSize = b.minimumClusterSize;
    }

    /** A builder with the defaults: cluster "loadstar", 127.0.0.1:5701, Hazelcast's failure detection. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.clusterName = clusterName;
        b.host = host;
        b.port = port;
        b.members = members;
        b.heartbeatSeconds = heartbeatSeconds;
        b.maxNoHeartbeatSeconds = maxNoHeartbeatSeconds;
        b.backupAckTimeoutMillis = backupAckTimeoutMillis;
        b.executorThreads = executorThreads;
        b.ledgerTtlSeconds = ledgerTtlSeconds;
        b.minimumClusterSize = minimumClusterSize;
        return b;
    }

    public String clusterName() {
        return clusterName;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** The join list, as {@code host:port}; empty means this member's own address only. */
    public List<String> members() {
        return members;
    }

    public int heartbeatSeconds() {
        return heartbeatSeconds;
    }

    public int maxNoHeartbeatSeconds() {
        return maxNoHeartbeatSeconds;
    }

    /**
     * How long a write waits for its backup's acknowledgement before it completes without it (the
     * primary holds the data either way; nothing is rolled back).
     */
    public int backupAckTimeoutMillis() {
        return backupAckTimeoutMillis;
    }

    /** Threads of a worker's durable executor: how many remote tasks one worker runs at once. */
    public int executorThreads() {
        return executorThreads;
    }

    /**
     * Split-brain protection: the ledger and the durable executor refuse to work on a side of the
     * cluster with fewer data members than this (lite members do not count); 0: off.
     */
    public int minimumClusterSize() {
        return minimumClusterSize;
    }

    /** How long the ledger keeps a task's entry after its last change. */
    public int ledgerTtlSeconds() {
        return ledgerTtlSeconds;
    }

    /** The Hazelcast configuration of a worker: a data member that runs remote tasks. */
    public Config workerConfig() {
        return baseConfig(false);
    }

    /**
     * The Hazelcast configuration of the scheduler's own process: a lite member, which owns no
     * partitions, so no task and no ledger entry ever lands on it.
     */
    public Config liteMemberConfig() {
        return baseConfig(true);
    }

    private Config baseConfig(boolean lite) {
        Config config = new Config();
        config.setClusterName(clusterName);
        config.setLiteMember(lite);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.shutdownhook.enabled", "false");
        config.setProperty("hazelcast.socket.bind.any", "false");
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        config.setProperty("hazelcast.heartbeat.interval.seconds", Integer.toString(heartbeatSeconds));
        config.setProperty("hazelcast.max.no.heartbeat.seconds", Integer.toString(maxNoHeartbeatSeconds));
        config.setProperty("hazelcast.operation.backup.timeout.millis", Integer.toString(backupAckTimeoutMillis));
        if (System.getProperty("hazelcast.logging.type") == null) {
            config.setProperty("hazelcast.logging.type", "slf4j");
        }
        NetworkConfig network = config.getNetworkConfig();
        network.setPort(port).setPortAutoIncrement(port == 0);
        network.getInterfaces().setEnabled(true).addInterface(host);
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).setMembers(members.isEmpty() ? List.of(host) : members);
        DurableExecutorConfig executor = new DurableExecutorConfig(EXECUTOR).setPoolSize(executorThreads).setDurability(1);
        MapConfig ledger = new MapConfig(LEDGER).setBackupCount(1).setTimeToLiveSeconds(ledgerTtlSeconds);
        if (minimumClusterSize > 0) {
            config.addSplitBrainProtectionConfig(new SplitBrainProtectionConfig(SPLIT_BRAIN_PROTECTION, true,
                    minimumClusterSize));
            executor.setSplitBrainProtectionName(SPLIT_BRAIN_PROTECTION);
            ledger.setSplitBrainProtectionName(SPLIT_BRAIN_PROTECTION);
        }
        config.addDurableExecutorConfig(executor);
        config.addMapConfig(ledger);
        return config;
    }

    @Override
    public String toString() {
        return "ClusterSettings[cluster=" + clusterName + ", " + host + ":" + port + ", members=" + members
                + ", heartbeat=" + heartbeatSeconds + "s/" + maxNoHeartbeatSeconds + "s, backupAck=" + backupAckTimeoutMillis
                + "ms, executorThreads="
                + executorThreads + ", ledgerTtl=" + ledgerTtlSeconds + "s, minimumClusterSize=" + minimumClusterSize + "]";
    }

    /** Builds {@link ClusterSettings}; each setter checks its argument and names it when refusing. */
    public static final class Builder {
        private String clusterName = "loadstar";
        private String host = "127.0.0.1";
        private int port = 5701;
        private List<String> members = List.of();
        private int heartbeatSeconds = DEFAULT_HEARTBEAT_SECONDS;
        private int maxNoHeartbeatSeconds = DEFAULT_MAX_NO_HEARTBEAT_SECONDS;
        private int backupAckTimeoutMillis = DEFAULT_BACKUP_ACK_TIMEOUT_MILLIS;
        private int executorThreads = 2;
        private int ledgerTtlSeconds = 3600;
        private int minimumClusterSize;

        private Builder() {
        }

        /**
         * Turns split-brain protection on: the ledger and the executor work only on a side of the
         * cluster with at least {@code members} data members (Hazelcast counts no lite member, so
         * the scheduler's own process does not count). Take a majority of the workers you run, so
         * that a worker cut off, or woken from a hang after its eviction, grants no task's body and
         * records no outcome on its own; fewer workers than that stop all remote work. 0 turns it
         * off (the default).
         */
        public Builder minimumClusterSize(int members) {
            if (members < 0 || members == 1) {
                throw new IllegalArgumentException("minimumClusterSize: 0 (off) or at least 2, was " + members);
            }
            this.minimumClusterSize = members;
            return this;
        }

        public Builder clusterName(String clusterName) {
            Objects.requireNonNull(clusterName, "clusterName");
            if (clusterName.isBlank()) {
                throw new IllegalArgumentException("clusterName: must not be blank");
            }
            this.clusterName = clusterName;
            return this;
        }

        /** The interface this member binds to and announces (an address of this machine). */
        public Builder host(String host) {
            Objects.requireNonNull(host, "host");
            if (host.isBlank()) {
                throw new IllegalArgumentException("host: must not be blank");
            }
            this.host = host;
            return this;
        }

        /** The port to bind; 0 takes the first free one from 5701 up. */
        public Builder port(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port: must be in [0, 65535], was " + port);
            }
            this.port = port;
            return this;
        }

        /** The join list: addresses ({@code host} or {@code host:port}) of members to contact. */
        public Builder members(List<String> members) {
            Objects.requireNonNull(members, "members");
            for (String m : members) {
                if (m == null || m.isBlank()) {
                    throw new IllegalArgumentException("members: an address is null or blank in " + members);
                }
            }
            this.members = List.copyOf(members);
            return this;
        }

        /**
         * Heartbeats every {@code intervalSeconds}; a member silent for {@code maxSilentSeconds} is
         * removed (see the class overview for the trade-off).
         */
        public Builder heartbeat(int intervalSeconds, int maxSilentSeconds) {
            if (intervalSeconds < 1) {
                throw new IllegalArgumentException("heartbeat intervalSeconds: must be at least 1, was " + intervalSeconds);
            }
            if (maxSilentSeconds <= intervalSeconds) {
                throw new IllegalArgumentException("heartbeat maxSilentSeconds: must exceed intervalSeconds ("
                        + intervalSeconds + "), was " + maxSilentSeconds);
            }
            this.heartbeatSeconds = intervalSeconds;
            this.maxNoHeartbeatSeconds = maxSilentSeconds;
            return this;
        }

        /**
         * Heartbeats every second, a silent member removed after 5 s, and writes that stop waiting for
         * a silent backup after 1 s (Hazelcast's defaults: 5 s, 60 s and 5 s).
         */
        public Builder fastFailureDetection() {
            return heartbeat(1, 5).backupAckTimeoutMillis(1000);
        }

        /**
         * How long a write waits for its backup's acknowledgement. A member that hangs holds the backups
         * of some partitions, and every write to them waits this long until it is evicted; the data is
         * on the primary either way.
         */
        public Builder backupAckTimeoutMillis(int millis) {
            if (millis < 1) {
                throw new IllegalArgumentException("backupAckTimeoutMillis: must be at least 1, was " + millis);
            }
            this.backupAckTimeoutMillis = millis;
            return this;
        }

        public Builder executorThreads(int threads) {
            if (threads < 1 || threads > 1024) {
                throw new IllegalArgumentException("executorThreads: must be in [1, 1024], was " + threads);
            }
            this.executorThreads = threads;
            return this;
        }

        public Builder ledgerTtlSeconds(int seconds) {
            if (seconds < 1) {
                throw new IllegalArgumentException("ledgerTtlSeconds: must be at least 1, was " + seconds);
            }
            this.ledgerTtlSeconds = seconds;
            return this;
        }

        public ClusterSettings build() {
            return new ClusterSettings(this);
        }
    }
}
