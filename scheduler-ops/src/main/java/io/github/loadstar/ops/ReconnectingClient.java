package io.github.loadstar.ops;

import java.util.function.Supplier;

/**
 * The scheduler's client for a long-lived server: the connection it holds, or a new one when that
 * connection has failed (the target's JVM restarted its agent, a network blip), so that one failed
 * call does not end the server. A call that fails is answered as failed; the next one reconnects.
 */
final class ReconnectingClient implements Supplier<SchedulerClient>, AutoCloseable {
    private final Target target;
    private SchedulerClient current;

    ReconnectingClient(Target target, SchedulerClient first) {
        this.target = target;
        this.current = first;
    }

    @Override
    public synchronized SchedulerClient get() {
        if (current == null || !current.alive()) {
            if (current != null) {
                current.close();
            }
            current = null;
            current = target.connect();
        }
        return current;
    }

    @Override
    public synchronized void close() {
        if (current != null) {
            current.close();
            current = null;
        }
    }
}
