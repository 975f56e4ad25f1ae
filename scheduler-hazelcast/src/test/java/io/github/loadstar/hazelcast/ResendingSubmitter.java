package io.github.loadstar.hazelcast;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.durableexecutor.DurableExecutorService;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends {@link CountedWork} tasks through the durable executor to the workers in turn, as a
 * scheduler would: a task whose invocation ends without an outcome ({@link OutcomeNotDelivered}: its
 * member was leaving) is sent again by its id to the next worker, and the ledger gives it its one
 * outcome. Resends run on a thread of its own (a durable submit waits for its enqueue; Hazelcast's
 * callback threads must not).
 */
final class ResendingSubmitter implements AutoCloseable {
    private static final int MOST_ATTEMPTS = 10;
    private final HazelcastInstance lite;
    private final DurableExecutorService durable;
    private final MemberKeys keys;
    private final ExecutorService resender = Executors.newSingleThreadExecutor();
    private final AtomicInteger resent = new AtomicInteger();

    ResendingSubmitter(HazelcastInstance lite, MemberKeys keys) {
        this.lite = lite;
        this.keys = keys;
        this.durable = lite.getDurableExecutorService(ClusterSettings.EXECUTOR);
    }

    /** Sends task {@code i} ({@code task-i}, {@code millis} of work); completes with its outcome. */
    CompletableFuture<Object> submit(int i, long millis) {
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        send(i, millis, 0, outcome);
        return outcome;
    }

    /** How many times a task was sent again. */
    int resent() {
        return resent.get();
    }

    private void send(int i, long millis, int attempt, CompletableFuture<Object> outcome) {
        durable.submitToKeyOwner(new LedgeredTask<>("task-" + i, new CountedWork(i, millis)), keyOfSomeWorker(i + attempt))
                .whenComplete((v, t) -> {
                    if (t == null) {
                        outcome.complete(v);
                    } else if (OutcomeNotDelivered.isNotDelivered(t) && attempt < MOST_ATTEMPTS) {
                        resent.incrementAndGet();
                        resender.execute(() -> send(i, millis, attempt + 1, outcome));
                    } else {
                        outcome.completeExceptionally(t);
                    }
                });
    }

    /** A key of the {@code n}-th data member (in the current list), or any key if none owns a partition. */
    private String keyOfSomeWorker(int n) {
        List<Member> workers = new ArrayList<>();
        for (Member m : lite.getCluster().getMembers()) {
            if (!m.isLiteMember()) {
                workers.add(m);
            }
        }
        for (int k = 0; k < workers.size(); k++) {
            String key = keys.keyFor(workers.get((n + k) % workers.size()).getUuid());
            if (key != null) {
                return key;
            }
        }
        return "task-" + n;
    }

    @Override
    public void close() {
        resender.shutdownNow();
    }
}
