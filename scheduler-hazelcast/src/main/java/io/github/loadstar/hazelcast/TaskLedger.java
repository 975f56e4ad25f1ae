package io.github.loadstar.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The idempotence ledger: one {@link LedgerEntry} per remote task, keyed by the task's stable id,
 * in a Hazelcast {@link IMap} ({@link ClusterSettings#LEDGER}, one synchronous backup).
 *
 * <h2>What it guarantees</h2>
 * Hazelcast's durable executor runs a task at least once: again on a survivor after its member
 * crashes, and again for every task still queued when a partition migrates (a member joins or
 * leaves). Every invocation of a {@link LedgeredTask} first asks the ledger ({@link #begin}): a task
 * already DONE returns the recorded outcome without running its body; a task RUNNING on a member
 * still in the cluster (as the member holding the line sees it) is waited for; otherwise this
 * invocation becomes the runner (also when the runner gave the body up, {@link #release}, as an
 * invocation does whose body failed because its member is shutting down). The first
 * {@link #finish} records the outcome; later ones return it. So the body runs at least once (twice
 * only when its runner left the cluster mid-run — a crash, or an eviction after a hang — and, for an
 * evicted member, woke up to finish too), and the <em>recorded outcome</em>, the one every caller
 * sees, exists exactly once. A side effect of the body outside the ledger is exactly once only if it
 * is idempotent or guarded by the ledger.
 *
 * <h2>Why entry processors</h2>
 * Hazelcast runs the entry processors of one key one at a time on the key's owner, and applies the
 * same processor to the backup, so each transition is an atomic read-modify-write without a lock or a
 * retry loop, and survives the owner's crash. The backup gets the line the owner decided.
 *
 * <h2>Limits</h2>
 * The ledger is a Hazelcast map, available and partition-tolerant rather than linearizable: while a
 * cluster is split (a hung member that wakes believing the others gone, a network partition) each
 * side may grant the same task's body, and a line held by a member that does not answer cannot be
 * read until it answers or is evicted.
 */
public final class TaskLedger {
    private final IMap<String, LedgerEntry> map;

    private TaskLedger(IMap<String, LedgerEntry> map) {
        this.map = map;
    }

    /** The ledger of the cluster {@code instance} belongs to. */
    public static TaskLedger of(HazelcastInstance instance) {
        return new TaskLedger(instance.getMap(ClusterSettings.LEDGER));
    }

    /**
     * An invocation on {@code member} asks to run task {@code taskId}'s body.
     *
     * @param firstLook   whether this is the invocation's first call (counted in {@code invocations})
     * @return the entry afterwards: DONE (return its outcome), RUNNING with this {@code invocation}
     *         (run the body), or RUNNING with another (wait, and ask again)
     */
    public LedgerEntry begin(String taskId, String member, String invocation, boolean firstLook) {
        return map.executeOnKey(taskId, new Begin(member, invocation, firstLook));
    }

    /**
     * Records the outcome of task {@code taskId} unless one is recorded already.
     *
     * @return the entry afterwards, DONE, holding the outcome every caller is to see
     */
    public LedgerEntry finish(String taskId, String member, Object outcome, boolean failed) {
        return map.executeOnKey(taskId, new Finish(member, outcome, failed));
    }

    /**
     * Invocation {@code invocation}, which was given the body, gives it up without an outcome (its
     * member is leaving): the line's runner becomes {@link LedgerEntry#RELEASED}, so a copy sent
     * again takes over at once instead of waiting for the member to leave. Nothing changes if the
     * line is DONE or another invocation runs the body.
     *
     * @return the entry afterwards
     */
    public LedgerEntry release(String taskId, String invocation) {
        return map.executeOnKey(taskId, new Release(invocation));
    }

    /** The task's entry, or null if it has not started anywhere (or the entry expired). */
    public LedgerEntry entry(String taskId) {
        return map.get(taskId);
    }

    /** The task's entry, read without blocking the caller (null: not started anywhere). */
    public java.util.concurrent.CompletionStage<LedgerEntry> entryAsync(String taskId) {
        return map.getAsync(taskId);
    }

    /** Every entry, for reports and tests (a full copy: not for large ledgers). */
    public Map<String, LedgerEntry> snapshot() {
        return Map.copyOf(map);
    }

    /** Forgets task {@code taskId}'s entry. */
    public void remove(String taskId) {
        map.delete(taskId);
    }

    /**
     * The begin transition. Whether the runner of a RUNNING line has left is judged by the member that
     * holds the line (the processor runs there), not by the asking member: a member just woken from a
     * hang may see the others as gone. The backup gets the decided line as it is ({@link Put}), so it
     * cannot decide otherwise with a different view.
     */
    static final class Begin implements EntryProcessor<String, LedgerEntry, LedgerEntry>, HazelcastInstanceAware {
        private static final long serialVersionUID = 1L;
        private final String member;
        private final String invocation;
        private final boolean firstLook;
        private transient HazelcastInstance owner;
        private transient LedgerEntry decided;

        Begin(String member, String invocation, boolean firstLook) {
            this.member = Objects.requireNonNull(member, "member");
            this.invocation = Objects.requireNonNull(invocation, "invocation");
            this.firstLook = firstLook;
        }

        @Override
        public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
            this.owner = hazelcastInstance;
        }

        @Override
        public LedgerEntry process(Map.Entry<String, LedgerEntry> entry) {
            return decide(entry, this::isMember);
        }

        /** Whether the member with UUID {@code uuid} is in the cluster, as the line's holder sees it. */
        private boolean isMember(String uuid) {
            for (com.hazelcast.cluster.Member m : owner.getCluster().getMembers()) {
                if (m.getUuid().toString().equals(uuid)) {
                    return true;
                }
            }
            return false;
        }

        /** The transition with {@code liveMembers} telling which members the holder sees in the cluster. */
        LedgerEntry decide(Map.Entry<String, LedgerEntry> entry, Predicate<String> liveMembers) {
            LedgerEntry current = entry.getValue();
            LedgerEntry next;
            if (current == null) {
                next = LedgerEntry.first(member, invocation);
            } else if (current.done() || current.invocation().equals(invocation)
                    || liveMembers.test(current.runner())) {
                next = current;     // recorded, ours already, or running on a member still here
            } else {
                next = current.running(member, invocation);     // its runner left: take over
            }
            if (firstLook) {
                next = next.counted();
            }
            if (next != current) {
                entry.setValue(next);
            }
            decided = next;
            return next;
        }

        @Override
        public EntryProcessor<String, LedgerEntry, LedgerEntry> getBackupProcessor() {
            return new Put(decided);
        }
    }

    /** The release transition; the backup gets the decided line. */
    static final class Release implements EntryProcessor<String, LedgerEntry, LedgerEntry> {
        private static final long serialVersionUID = 1L;
        private final String invocation;
        private transient LedgerEntry decided;

        Release(String invocation) {
            this.invocation = Objects.requireNonNull(invocation, "invocation");
        }

        @Override
        public LedgerEntry process(Map.Entry<String, LedgerEntry> entry) {
            LedgerEntry current = entry.getValue();
            LedgerEntry next = current;
            if (current != null && !current.done() && current.invocation().equals(invocation)) {
                next = current.givenUp();
                entry.setValue(next);
            }
            decided = next;
            return next;
        }

        @Override
        public EntryProcessor<String, LedgerEntry, LedgerEntry> getBackupProcessor() {
            return decided == null ? null : new Put(decided);
        }
    }

    /** Sets a line as the primary decided it (the backup of {@link Begin}). */
    static final class Put implements EntryProcessor<String, LedgerEntry, LedgerEntry> {
        private static final long serialVersionUID = 1L;
        private final LedgerEntry value;

        Put(LedgerEntry value) {
            this.value = value;
        }

        @Override
        public LedgerEntry process(Map.Entry<String, LedgerEntry> entry) {
            entry.setValue(value);
            return value;
        }
    }

    static final class Finish implements EntryProcessor<String, LedgerEntry, LedgerEntry> {
        private static final long serialVersionUID = 1L;
        private final String member;
        private final Object outcome;
        private final boolean failed;

        Finish(String member, Object outcome, boolean failed) {
            this.member = Objects.requireNonNull(member, "member");
            this.outcome = outcome;
            this.failed = failed;
        }

        @Override
        public LedgerEntry process(Map.Entry<String, LedgerEntry> entry) {
            LedgerEntry current = entry.getValue();
            if (current != null && current.done()) {
                return current;     // the first outcome stands
            }
            LedgerEntry base = current != null ? current : LedgerEntry.first(member, "expired");
            LedgerEntry next = base.finished(member, outcome, failed);
            entry.setValue(next);
            return next;
        }
    }
}
