package io.github.loadstar.hazelcast;

import java.io.Serializable;
import java.time.Instant;
import java.util.concurrent.Callable;

/**
 * A test task's body for ordering tests: notes when it started on its member (wall clock, in
 * microseconds since the epoch: the test JVM and the members share the machine's clock), then works
 * for some milliseconds.
 */
record StartTime(int id, long millis) implements Callable<Long>, Serializable {

    @Override
    public Long call() throws Exception {
        long started = micros(Instant.now());
        Thread.sleep(millis);
        return started;
    }

    static long micros(Instant t) {
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000L;
    }
}
