package io.github.loadstar.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a worker member is doing for Loadstar right now, as its probe reports it: the task bodies it
 * runs, for any scheduler. One per member, kept in the member's user context (so it lives and dies
 * with the member, and two members in one JVM have one each); {@link LedgeredTask} counts a body from
 * the moment its invocation owns it until it returns.
 */
final class MemberActivity {
    private static final String KEY = "io.github.loadstar.hazelcast.activity";
    private final AtomicInteger running = new AtomicInteger();

    private MemberActivity() {
    }

    /** The activity of the member {@code hz} is. */
    static MemberActivity of(HazelcastInstance hz) {
        return (MemberActivity) hz.getUserContext().computeIfAbsent(KEY, k -> new MemberActivity());
    }

    void bodyStarted() {
        running.incrementAndGet();
    }

    void bodyFinished() {
        running.decrementAndGet();
    }

    /** Task bodies running on the member now. */
    int running() {
        return Math.max(0, running.get());
    }
}
