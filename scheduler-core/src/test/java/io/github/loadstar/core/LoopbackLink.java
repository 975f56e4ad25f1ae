package io.github.loadstar.core;

import io.github.loadstar.core.spi.RemoteLink;
import io.github.loadstar.core.spi.RemoteTask;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A RemoteLink to a "member" made of threads in this JVM, for the core's tests of the remote-agent
 * contract: every body is serialized and deserialized (so it must be sendable), runs on the link's
 * own threads, and its outcome is recorded once per id in a ledger shared by the links of one test
 * (a second sending of an id finds the outcome and does not run the body again). The real transport
 * and its failures are tested in scheduler-hazelcast with member processes.
 */
final class LoopbackLink implements RemoteLink {
    /** Outcomes by task id, shared by the links of one test. */
    static final class Ledger {
        final Map<String, Object[]> outcomes = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> bodyRuns = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> sendings = new ConcurrentHashMap<>();
    }

    private final String name;
    private final int window;
    private final Ledger ledger;
    private final LinkedBlockingDeque<RemoteTask> queue = new LinkedBlockingDeque<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();
    final AtomicInteger received = new AtomicInteger();
    final AtomicInteger pings = new AtomicInteger();
    private final List<Thread> workers = new ArrayList<>();
    private final long timeoutNanos;
    /** Tasks for which the first sending is reported not delivered (the member "left" before recording). */
    private final Predicate<String> dropFirst;
    private volatile boolean closed;
    /** While true, the workers take nothing (a member that hangs). */
    volatile boolean hung;
    /** Milliseconds each body takes on top of its own work (a slower member). */
    volatile long delayMillis;
    /** Whether probe() answers (false: the link does not probe, as RemoteLink's default). */
    volatile boolean probing;
    /** What a probe answers as the machine's CPU load. */
    volatile double cpuLoad = -1.0;
    /** Above 0: a hung member's probe fails with the link's own TimeoutException after this long. */
    volatile long probeLimitMillis;
    /** Set: probe() throws it instead of answering. */
    volatile RuntimeException probeFailure;
    final AtomicInteger probes = new AtomicInteger();
    /** Bodies running now. */
    final AtomicInteger running = new AtomicInteger();

    LoopbackLink(String name, int window, int threads, Ledger ledger, Predicate<String> dropFirst, long timeoutMillis) {
        this.name = name;
        this.window = window;
        this.ledger = ledger;
        this.dropFirst = dropFirst;
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(this::work, name + "-worker-" + i);
            t.setDaemon(true);
            t.start();
            workers.add(t);
        }
    }

    @Override
    public String location() {
        return "loopback " + name;
    }

    @Override
    public int window() {
        return window;
    }

    @Override
    public long responseTimeoutNanos() {
        return timeoutNanos;
    }

    @Override
    public boolean send(RemoteTask task) {
        if (closed) {
            return false;
        }
        int n = inFlight.incrementAndGet();
        if (n > window) {
            inFlight.decrementAndGet();
            return false;
        }
        maxInFlight.accumulateAndGet(n, Math::max);
        received.incrementAndGet();
        queue.add(task);
        return true;
    }

    @Override
    public List<RemoteTask> reclaimUnstarted() {
        List<RemoteTask> back = new ArrayList<>();
        RemoteTask t;
        while ((t = queue.pollLast()) != null) {
            inFlight.decrementAndGet();
            back.add(0, t);
        }
        return back;
    }

    /** A hung member does not answer a ping. */
    @Override
    public boolean answers() {
        pings.incrementAndGet();
        return !hung;
    }

    /**
     * When probing: the bodies running now and {@link #cpuLoad}, answered at once; a hung member's
     * probe is never answered (the agent times it out).
     */
    @Override
    public java.util.concurrent.CompletionStage<io.github.loadstar.core.spi.MemberStatus> probe() {
        if (!probing) {
            return null;
        }
        probes.incrementAndGet();
        RuntimeException failure = probeFailure;
        if (failure != null) {
            throw failure;
        }
        if (hung) {
            java.util.concurrent.CompletableFuture<io.github.loadstar.core.spi.MemberStatus> never =
                    new java.util.concurrent.CompletableFuture<>();
            long limit = probeLimitMillis;
            return limit > 0 ? never.orTimeout(limit, TimeUnit.MILLISECONDS) : never;
        }
        return java.util.concurrent.CompletableFuture.completedFuture(
                new io.github.loadstar.core.spi.MemberStatus(running.get(), cpuLoad));
    }

    @Override
    public void close() {
        closed = true;
    }

    private void work() {
        while (true) {
            RemoteTask task;
            try {
                if (hung) {
                    Thread.sleep(5);
                    continue;
                }
                task = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (task == null) {
                continue;
            }
            if (hung) {
                queue.offerFirst(task);     // hung while this worker waited: it does not start it
                continue;
            }
            int sending = ledger.sendings.computeIfAbsent(task.id(), k -> new AtomicInteger()).incrementAndGet();
            if (sending == 1 && dropFirst.test(task.id())) {
                inFlight.decrementAndGet();
                task.notDelivered(new IllegalStateException(name + " left before recording " + task.id()));
                continue;
            }
            Object[] outcome = ledger.outcomes.computeIfAbsent(task.id(), id -> run(id, task.body()));
            inFlight.decrementAndGet();
            if (outcome[1] != null) {
                task.failed((Throwable) outcome[1]);
            } else {
                task.completed(outcome[0]);
            }
        }
    }

    private Object[] run(String id, Object body) {
        ledger.bodyRuns.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
        running.incrementAndGet();
        try {
            long delay = delayMillis;
            if (delay > 0) {
                Thread.sleep(delay);
            }
            Object copy = copy(body);
            if (copy instanceof Callable) {
                return new Object[] {((Callable<?>) copy).call(), null};
            }
            ((Runnable) copy).run();
            return new Object[] {null, null};
        } catch (Throwable t) {
            return new Object[] {null, t};
        } finally {
            running.decrementAndGet();
        }
    }

    /** The body as a member would receive it. */
    static Object copy(Object body) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(body);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return in.readObject();
        }
    }

    void stop() {
        closed = true;
        workers.forEach(Thread::interrupt);
    }
}
