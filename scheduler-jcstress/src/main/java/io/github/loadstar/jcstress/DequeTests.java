package io.github.loadstar.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.github.loadstar.core.internal.WorkStealingDeque;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * The Chase-Lev deque (WorkStealingDeque) under the Java memory model: its owner's push and pop
 * against thieves' steals, the one-element race, two thieves, and growth while a thief reads the
 * old ring. Tasks are numbered; a result of 0 means "none".
 */
public final class DequeTests {
    private DequeTests() {
    }

    /** A numbered task. */
    static final class Task implements Runnable {
        final int id;

        Task(int id) {
            this.id = id;
        }

        @Override
        public void run() {
        }
    }

    static int id(Runnable r) {
        return r == null ? 0 : ((Task) r).id;
    }

    /** The owner pushes 1 then 2 and pops while a thief steals: the pop takes 2, the steal 1 or nothing. */
    @JCStressTest
    @Outcome(id = "2, 1", expect = ACCEPTABLE, desc = "the thief stole the oldest, the owner popped the newest")
    @Outcome(id = "2, 0", expect = ACCEPTABLE, desc = "the thief looked before the first push was published")
    @Outcome(id = ".*", expect = FORBIDDEN, desc = "a task taken twice, lost, or taken from the wrong end")
    @State
    public static class PushPopVersusSteal {
        final WorkStealingDeque deque = new WorkStealingDeque(2);

        @Actor
        public void owner(II_Result r) {
            deque.push(new Task(1));
            deque.push(new Task(2));
            r.r1 = id(deque.pop());
        }

        @Actor
        public void thief(II_Result r) {
            r.r2 = id(deque.steal());
        }
    }

    /** One task, the owner's pop against a thief's steal: exactly one of them gets it. */
    @JCStressTest
    @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "the owner won the last task")
    @Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "the thief won the last task")
    @Outcome(id = "1, 1", expect = FORBIDDEN, desc = "the last task taken twice")
    @Outcome(id = "0, 0", expect = FORBIDDEN, desc = "the last task lost")
    @State
    public static class LastTaskPopVersusSteal {
        final WorkStealingDeque deque = new WorkStealingDeque(2);

        public LastTaskPopVersusSteal() {
            deque.push(new Task(1));
        }

        @Actor
        public void owner(II_Result r) {
            r.r1 = id(deque.pop());
        }

        @Actor
        public void thief(II_Result r) {
            r.r2 = id(deque.steal());
        }
    }

    /** One task, two thieves: exactly one of them gets it. */
    @JCStressTest
    @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "the first thief won")
    @Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "the second thief won")
    @Outcome(id = "1, 1", expect = FORBIDDEN, desc = "the task stolen twice")
    @Outcome(id = "0, 0", expect = FORBIDDEN, desc = "the task lost")
    @State
    public static class StealVersusSteal {
        final WorkStealingDeque deque = new WorkStealingDeque(2);

        public StealVersusSteal() {
            deque.push(new Task(1));
        }

        @Actor
        public void thief1(II_Result r) {
            r.r1 = id(deque.steal());
        }

        @Actor
        public void thief2(II_Result r) {
            r.r2 = id(deque.steal());
        }
    }

    /**
     * Growth: the ring starts at two slots, the owner pushes three (the third push doubles it) while a
     * thief steals twice, reading whichever ring it sees; then every task left is popped. Every task is
     * taken exactly once, and the thief's two steals come in push order.
     */
    @JCStressTest
    @Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "each task once; steals in push order")
    @Outcome(id = ".*", expect = FORBIDDEN, desc = "a task lost or taken twice, or steals out of order")
    @State
    public static class GrowthVersusSteals {
        final WorkStealingDeque deque = new WorkStealingDeque(2);
        int first;
        int second;

        @Actor
        public void owner() {
            deque.push(new Task(1));
            deque.push(new Task(2));
            deque.push(new Task(3));
        }

        @Actor
        public void thief() {
            first = id(deque.steal());
            second = id(deque.steal());
        }

        @Arbiter
        public void check(III_Result r) {
            int seen = 0;
            int taken = 0;
            for (int id : new int[] {first, second}) {
                if (id != 0) {
                    taken++;
                    seen |= 1 << id;
                }
            }
            for (Runnable left; (left = deque.pop()) != null; ) {
                taken++;
                seen |= 1 << id(left);
            }
            r.r1 = seen == 0b1110 && taken == 3 ? 1 : 0;
            r.r2 = first == 0 || second == 0 || first < second ? 1 : 0;
            r.r3 = deque.size() == 0 ? 1 : 0;
        }
    }
}
