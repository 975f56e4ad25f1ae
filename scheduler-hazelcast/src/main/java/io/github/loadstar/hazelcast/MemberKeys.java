package io.github.loadstar.hazelcast;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.partition.MigrationListener;
import com.hazelcast.partition.MigrationState;
import com.hazelcast.partition.Partition;
import com.hazelcast.partition.PartitionService;
import com.hazelcast.partition.ReplicaMigrationEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keys that address a chosen member: the durable executor places a task only by key
 * ({@code submitToKeyOwner}), on the owner of the key's partition, so to send a task to member M
 * the scheduler uses a key of a partition M owns.
 *
 * <p>One key per partition is found once (partition of a key is a local hash: no call to the
 * cluster); the map from member to its partitions' keys is rebuilt by {@link #refresh()}, which the
 * caller runs when partitions move (a migration finished, a member joined or left). If ownership moves
 * between the lookup and the submission, the task runs on the new owner: harmless, since placement
 * is a preference and the ledger makes any run safe.
 *
 * <p>Keys made by {@link #watching} follow the cluster through two listeners, held as long as their
 * creator and every {@link HazelcastRemoteLink} built on them: {@link #close()} is the creator's
 * release, a link's {@code close()} its own, and the last release removes the listeners (after it the
 * table is refreshed only by {@link #refresh()}, which a channel calls when a member has no key).
 */
public final class MemberKeys implements AutoCloseable {
    private final HazelcastInstance instance;
    private final PartitionService partitions;
    /** Index: partition id; value: a key of that partition. */
    private final String[] keyOfPartition;
    private volatile Map<UUID, String[]> keysByMember = Map.of();
    private final AtomicInteger next = new AtomicInteger();
    /** The creator and the links still using the listeners; 0 once they are removed (never again above). */
    private final AtomicInteger holders = new AtomicInteger(1);
    private final AtomicBoolean creatorReleased = new AtomicBoolean();
    private volatile UUID migrationRegistration;
    private volatile UUID membershipRegistration;
    /** How many times the table was rebuilt (for tests). */
    private final AtomicInteger refreshes = new AtomicInteger();

    /** Keys for {@code instance}'s cluster, refreshed only by {@link #refresh()}. */
    public MemberKeys(HazelcastInstance instance) {
        this.instance = instance;
        this.partitions = instance.getPartitionService();
        int count = partitions.getPartitions().size();
        this.keyOfPartition = new String[count];
        int found = 0;
        for (long n = 0; found < count; n++) {
            String key = "loadstar-" + n;
            int id = partitions.getPartition(key).getPartitionId();
            if (keyOfPartition[id] == null) {
                keyOfPartition[id] = key;
                found++;
            }
        }
        refresh();
    }

    /**
     * Keys for {@code instance}'s cluster, kept current: refreshed whenever a migration round ends
     * or a member joins or leaves (Hazelcast's listeners, on its event threads).
     */
    public static MemberKeys watching(HazelcastInstance instance) {
        MemberKeys keys = new MemberKeys(instance);
        keys.migrationRegistration = instance.getPartitionService().addMigrationListener(new MigrationListener() {
            @Override
            public void migrationStarted(MigrationState state) {
            }

            @Override
            public void migrationFinished(MigrationState state) {
                keys.refresh();
            }

            @Override
            public void replicaMigrationCompleted(ReplicaMigrationEvent event) {
            }

            @Override
            public void replicaMigrationFailed(ReplicaMigrationEvent event) {
            }
        });
        keys.membershipRegistration = instance.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
                keys.refresh();
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                keys.refresh();
            }
        });
        keys.refresh();
        return keys;
    }

    /** A link starts using the listeners; false if they are gone already (the link refreshes by itself). */
    boolean retain() {
        return holders.getAndUpdate(n -> n == 0 ? 0 : n + 1) > 0;
    }

    /** A link that {@link #retain() retained} the listeners is done with them. */
    void release() {
        if (holders.decrementAndGet() == 0) {
            UUID migration = migrationRegistration;
            UUID membership = membershipRegistration;
            try {
                if (migration != null) {
                    instance.getPartitionService().removeMigrationListener(migration);
                }
                if (membership != null) {
                    instance.getCluster().removeMembershipListener(membership);
                }
            } catch (RuntimeException shuttingDown) {
                // the instance is going away with its listeners
            }
        }
    }

    /** The creator's release: the listeners go once no link uses them either. Idempotent. */
    @Override
    public void close() {
        if (creatorReleased.compareAndSet(false, true)) {
            release();
        }
    }

    int refreshCount() {
        return refreshes.get();
    }

    /** Rebuilds the member → keys map from the current partition table. */
    public void refresh() {
        refreshes.incrementAndGet();
        Map<UUID, List<String>> lists = new HashMap<>();
        for (Partition p : partitions.getPartitions()) {
            Member owner = p.getOwner();
            if (owner != null) {
                lists.computeIfAbsent(owner.getUuid(), u -> new ArrayList<>()).add(keyOfPartition[p.getPartitionId()]);
            }
        }
        Map<UUID, String[]> byMember = new HashMap<>();
        lists.forEach((member, keys) -> byMember.put(member, keys.toArray(new String[0])));
        keysByMember = Map.copyOf(byMember);
    }

    /** A key owned (as of the last refresh) by {@code member}, or null if it owns no partition. */
    public String keyFor(UUID member) {
        String[] keys = keysByMember.get(member);
        if (keys == null || keys.length == 0) {
            return null;
        }
        return keys[Math.floorMod(next.getAndIncrement(), keys.length)];
    }

    /** How many partitions {@code member} owned at the last refresh. */
    public int partitionsOf(UUID member) {
        String[] keys = keysByMember.get(member);
        return keys == null ? 0 : keys.length;
    }
}
