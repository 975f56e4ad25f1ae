package io.github.loadstar.core.internal;

import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;

/**
 * Linearizability of the work-stealing deque (Lincheck): the owner's push and pop run in one
 * non-parallel group (one thread at a time, as the runtime guarantees), steals from any thread.
 * Every concurrent history must match some sequential run of a deque: pop takes the newest,
 * steal the oldest, nothing is taken twice or lost. A steal that loses its race returns null by
 * design (the caller moves on to another victim); the checked operation retries it until it takes an
 * element or sees the deque empty, which is what a thief's search does over its rounds. The initial
 * capacity is 2, so pushes grow the ring while thieves read the old one.
 *
 * Model checking explores interleavings under sequential consistency (the memory-ordering argument
 * is jcstress's and the design overview's); the stress mode runs real threads.
 */
@Param(name = "value", gen = IntGen.class, conf = "1:9")
public final class WorkStealingDequeLincheckTest {
    private final WorkStealingDeque deque = new WorkStealingDeque(2);

    /** A task that is its number: equal by value, so Lincheck can compare results across runs. */
    public record Task(int value) implements Runnable {
        @Override
        public void run() {
        }
    }

    /**
     * Pushes; push's result ("the deque was empty before") is a wake-up hint read before the push is
     * published and can be stale against a steal racing it — the first model-checking run found
     * {@code push(6): false} with the deque emptied by a steal in between — so it is not part of the
     * checked behaviour. The stale case cannot strand work: the thief that emptied the deque is
     * active and searches again after its task, and the owner pops what it pushed.
     */
    @Operation(nonParallelGroup = "owner")
    public void push(@Param(name = "value") int value) {
        deque.push(new Task(value));
    }

    @Operation(nonParallelGroup = "owner")
    public Integer pop() {
        Runnable r = deque.pop();
        return r == null ? null : ((Task) r).value();
    }

    @Operation
    public Integer steal() {
        while (true) {
            Runnable r = deque.steal();
            if (r != null) {
                return ((Task) r).value();
            }
            if (deque.size() == 0) {
                return null;    // empty at some instant between the two reads of size()
            }
        }
    }

    @Operation(nonParallelGroup = "owner")
    public int size() {
        return deque.size();
    }

    @Test
    void modelChecking() {
        new ModelCheckingOptions().iterations(30).invocationsPerIteration(1_000).threads(3).actorsPerThread(3)
                .check(getClass());
    }

    @Test
    void stress() {
        new StressOptions().iterations(20).invocationsPerIteration(2_000).threads(3).actorsPerThread(3)
                .check(getClass());
    }
}
