package io.github.loadstar.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.durableexecutor.DurableExecutorService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/*
 * One member's channel: the tasks admitted to one remote agent and not yet done.
 *
 * Admission. A task is admitted only while fewer than `window` are in flight (trySend), so a slow
 * member receives less, and few tasks sit in its durable queue where a migration would re-run them.
 * The durable executor's submit waits for its enqueue round trip, and waits long when the member
 * hangs (until the member answers or is evicted): the channel's own sender thread makes it, so the
 * caller never blocks. A task is in flight from trySend to its outcome.
 *
 * States of a task in flight
 *   QUEUED     in the sender's queue: not sent, so certainly not started;
 *   SUBMITTING the sender is making the durable submit (may block while the member hangs);
 *   SENT       the member's durable queue holds it, or it runs, or it ran.
 * A task leaves by its outcome (the durable future completes: the recorded outcome, whichever member
 * produced it) or by reclaim (reclaimUnstarted), when the caller moves it elsewhere because this
 * member stopped answering: QUEUED tasks at once, SENT tasks whose ledger line shows they never
 * started. A reclaimed task's late outcome from this member is dropped: the copy sent elsewhere
 * reports, and the ledger gives both copies the same recorded outcome, running the body once.
 *
 * Each task's callback runs exactly once (outcome or never, if reclaimed), on a Hazelcast thread. An
 * error for which OutcomeNotDelivered.isNotDelivered holds is not the task's outcome: its member could
 * not reach the ledger (it was leaving); the caller sends the task again by its id.
 */

/** The tasks admitted to one remote member: window, sender, outcomes, reclaim; see the overview in the source. */
public final class MemberChannel implements AutoCloseable {
    private static final long LEDGER_LOOK_MILLIS = 200;

    private final UUID member;
    private final DurableExecutorService durable;
    private final MemberKeys keys;
    private final TaskLedger ledger;
    private final int window;
    private final Map<String, InFlight> inFlight = new ConcurrentHashMap<>();
    private final AtomicInteger admitted = new AtomicInteger();
    private final LinkedBlockingQueue<InFlight> outbox = new LinkedBlockingQueue<>();
    private final Thread sender;
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong reclaimed = new AtomicLong();
    /** Exponentially weighted mean of send-to-outcome times, nanoseconds (weight 1/8 for a new one). */
    private final AtomicLong meanRoundTripNanos = new AtomicLong();
    private volatile boolean closed;

    /**
     * @param instance the scheduler's own member (lite) or client
     * @param member   the worker this channel sends to
     * @param keys     keys of the partitions each member owns
     * @param window   how many tasks may be in flight at once (at least 1)
     */
    public MemberChannel(HazelcastInstance instance, UUID member, MemberKeys keys, int window) {
        if (window < 1) {
            throw new IllegalArgumentException("window: must be at least 1, was " + window);
        }
        Objects.requireNonNull(instance, "instance");
        this.member = Objects.requireNonNull(member, "member");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.window = window;
        this.durable = instance.getDurableExecutorService(ClusterSettings.EXECUTOR);
        this.ledger = TaskLedger.of(instance);
        this.sender = new Thread(this::sendLoop, "loadstar-channel-" + member);
        this.sender.setDaemon(true);
        this.sender.start();
    }

    public UUID member() {
        return member;
    }

    public int window() {
        return window;
    }

    /** Whether {@link #trySend} would admit a task now. */
    public boolean hasRoom() {
        return !closed && admitted.get() < window;
    }

    /** Tasks admitted and not yet done or reclaimed. */
    public int inFlight() {
        return admitted.get();
    }

    /** Tasks admitted that the member has not yet accepted into its durable queue (not sent, or being sent). */
    public int unsent() {
        int n = 0;
        for (InFlight f : inFlight.values()) {
            if (f.state != InFlight.SENT) {
                n++;
            }
        }
        return n;
    }

    public long completed() {
        return completed.get();
    }

    public long failed() {
        return failed.get();
    }

    public long reclaimed() {
        return reclaimed.get();
    }

    /** The weighted mean time from admission to outcome, in nanoseconds (0 before the first outcome). */
    public long meanRoundTripNanos() {
        return meanRoundTripNanos.get();
    }

    /** How long the oldest task in flight has been, in nanoseconds at {@code now} (0 if none). */
    public long oldestInFlightNanos(long now) {
        long oldest = 0;
        for (InFlight f : inFlight.values()) {
            oldest = Math.max(oldest, now - f.admittedNanos);
        }
        return oldest;
    }

    /**
     * Admits a task if the window has room: false (and nothing changed) if it is full or the channel
     * is closed. {@code onOutcome} gets the recorded outcome (result, or the error) once, unless the
     * task is reclaimed first.
     *
     * @throws IllegalStateException if a task with this id is already in flight here
     */
    public <T> boolean trySend(String taskId, Callable<T> body, BiConsumer<? super T, Throwable> onOutcome) {
        Objects.requireNonNull(onOutcome, "onOutcome");
        if (closed || admitted.get() >= window) {
            return false;       // full: decided before anything is made
        }
        LedgeredTask<T> task = new LedgeredTask<>(taskId, body);     // checks the body is serializable
        for (;;) {
            int n = admitted.get();
            if (closed || n >= window) {
                return false;
            }
            if (admitted.compareAndSet(n, n + 1)) {
                break;
            }
        }
        @SuppressWarnings("unchecked")
        InFlight f = new InFlight(taskId, task, (BiConsumer<Object, Throwable>) onOutcome, System.nanoTime());
        if (inFlight.putIfAbsent(taskId, f) != null) {
            admitted.decrementAndGet();
            throw new IllegalStateException("taskId: " + taskId + " is already in flight to member " + member);
        }
        outbox.add(f);
        return true;
    }

    /**
     * Takes back the tasks in flight that certainly have not started on this member — not yet sent,
     * or sent (or being sent) and without a ledger line — so the caller can send them elsewhere, with
     * the same id: the ledger runs each body once. A task whose ledger line cannot be read within
     * 200 ms (its partition is on a member that does not answer) stays. Their callbacks here will
     * not run; each comes back with the task.
     */
    public List<Reclaimed> reclaimUnstarted() {
        List<Reclaimed> taken = new ArrayList<>();
        for (InFlight f : inFlight.values()) {
            if (f.state == InFlight.QUEUED && outbox.remove(f)) {
                release(f, taken);
                continue;
            }
            if (f.state == InFlight.QUEUED) {
                continue;       // the sender took it a moment ago: looked at next time
            }
            LedgerEntry line;
            try {
                line = ledger.entryAsync(f.taskId).toCompletableFuture().get(LEDGER_LOOK_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (Exception unknown) {
                continue;       // cannot tell: it may have started
            }
            if (line == null) {
                release(f, taken);
            }
        }
        return taken;
    }

    /**
     * A task taken back from a channel: send it elsewhere with the same id and callback.
     *
     * @param taskId    its stable id
     * @param body      its body
     * @param onOutcome the callback it was admitted with
     */
    public record Reclaimed(String taskId, Callable<?> body, BiConsumer<Object, Throwable> onOutcome) {
    }

    private void release(InFlight f, List<Reclaimed> taken) {
        if (f.settle()) {
            inFlight.remove(f.taskId, f);
            admitted.decrementAndGet();
            reclaimed.incrementAndGet();
            taken.add(new Reclaimed(f.taskId, f.task.body(), f.onOutcome));
        }
    }

    private void sendLoop() {
        while (!closed) {
            InFlight f;
            try {
                f = outbox.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (f == null) {
                continue;
            }
            f.state = InFlight.SUBMITTING;
            CompletionStage<?> outcome;
            try {
                String key = keyOfMember();
                if (key == null) {
                    // left, or owns nothing after a rebalance: not sent, so the caller may send it elsewhere
                    finish(f, null, new OutcomeNotDelivered(f.taskId, new IllegalStateException("member " + member
                            + " owns no partition")));
                    continue;
                }
                outcome = durable.submitToKeyOwner(f.task, key);
            } catch (RuntimeException e) {
                finish(f, null, e);
                continue;
            }
            f.state = InFlight.SENT;
            outcome.whenComplete((value, error) -> finish(f, value, error));
        }
    }

    /**
     * A key of a partition the member owns; while partitions move (a member joined or left) it may
     * own none for a moment, so the table is read again for up to a second.
     */
    private String keyOfMember() {
        for (int attempt = 0; attempt < 10 && !closed; attempt++) {
            String key = keys.keyFor(member);
            if (key != null) {
                return key;
            }
            keys.refresh();
            key = keys.keyFor(member);
            if (key != null) {
                return key;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    private void finish(InFlight f, Object value, Throwable error) {
        if (!f.settle()) {
            return;     // reclaimed: the copy sent elsewhere reports
        }
        inFlight.remove(f.taskId, f);
        admitted.decrementAndGet();
        long took = System.nanoTime() - f.admittedNanos;
        meanRoundTripNanos.getAndUpdate(m -> m == 0 ? took : m + (took - m) / 8);
        if (error != null) {
            failed.incrementAndGet();
        } else {
            completed.incrementAndGet();
        }
        f.onOutcome.accept(value, unwrap(error));
    }

    private static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof java.util.concurrent.CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** Stops admitting; tasks in flight still report their outcomes. */
    @Override
    public void close() {
        closed = true;
        sender.interrupt();
    }

    @Override
    public String toString() {
        return "MemberChannel[" + member + ", " + inFlight() + "/" + window + " in flight]";
    }

    /** One admitted task. */
    private static final class InFlight {
        static final int QUEUED = 0;
        static final int SUBMITTING = 1;
        static final int SENT = 2;

        final String taskId;
        final LedgeredTask<?> task;
        final BiConsumer<Object, Throwable> onOutcome;
        final long admittedNanos;
        volatile int state = QUEUED;
        private final AtomicInteger settled = new AtomicInteger();

        InFlight(String taskId, LedgeredTask<?> task, BiConsumer<Object, Throwable> onOutcome, long admittedNanos) {
            this.taskId = taskId;
            this.task = task;
            this.onOutcome = onOutcome;
            this.admittedNanos = admittedNanos;
        }

        /** The one settlement: its outcome, or its reclaim. */
        boolean settle() {
            return settled.compareAndSet(0, 1);
        }
    }
}
