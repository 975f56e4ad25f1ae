package io.github.loadstar.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Single-threaded semantics of the Chase–Lev deque: LIFO for the owner, FIFO for thieves. */
final class WorkStealingDequeTest {

    private static Runnable[] tasks(int n) {
        Runnable[] tasks = new Runnable[n];
        for (int i = 0; i < n; i++) {
            int id = i;
            tasks[i] = new Runnable() {
                @Override
                public void run() {
                }

                @Override
                public String toString() {
                    return "task" + id;
                }
            };
        }
        return tasks;
    }

    @Test
    void ownerPopsNewestFirst() {
        WorkStealingDeque deque = new WorkStealingDeque(4);
        Runnable[] t = tasks(3);
        assertTrue(deque.push(t[0]), "the first push reports an empty deque");
        assertFalse(deque.push(t[1]));
        assertFalse(deque.push(t[2]));
        assertSame(t[2], deque.pop());
        assertSame(t[1], deque.pop());
        assertSame(t[0], deque.pop());
        assertNull(deque.pop());
        assertNull(deque.pop(), "popping an empty deque twice leaves it consistent");
        assertEquals(0, deque.size());
    }

    @Test
    void tryUnpushTakesOnlyTheNewestTask() {
        WorkStealingDeque deque = new WorkStealingDeque(4);
        Runnable[] t = tasks(3);
        for (Runnable task : t) {
            deque.push(task);
        }
        assertFalse(deque.tryUnpush(t[1]), "not on top");
        assertFalse(deque.tryUnpush(t[0]), "not on top");
        assertTrue(deque.tryUnpush(t[2]));
        assertFalse(deque.tryUnpush(t[2]), "taken already");
        assertTrue(deque.tryUnpush(t[1]));
        assertSame(t[0], deque.steal(), "a thief still finds the rest");
        assertFalse(deque.tryUnpush(t[0]), "stolen");
        assertTrue(deque.isEmpty());
        assertNull(deque.pop());
    }

    @Test
    void thievesStealOldestFirst() {
        WorkStealingDeque deque = new WorkStealingDeque(4);
        Runnable[] t = tasks(3);
        for (Runnable r : t) {
            deque.push(r);
        }
        assertSame(t[0], deque.steal());
        assertSame(t[1], deque.steal());
        assertSame(t[2], deque.pop());
        assertNull(deque.steal());
        assertTrue(deque.isEmpty());
    }

    @Test
    void growsPastItsInitialCapacityKeepingOrder() {
        WorkStealingDeque deque = new WorkStealingDeque(2);
        Runnable[] t = tasks(1000);
        for (Runnable r : t) {
            deque.push(r);
        }
        assertEquals(1000, deque.size());
        assertTrue(deque.capacity() >= 1000);
        assertSame(t[0], deque.steal());
        for (int i = 999; i >= 1; i--) {
            assertSame(t[i], deque.pop());
        }
        assertNull(deque.pop());
    }

    @Test
    void growsWhileWrappedAround() {
        WorkStealingDeque deque = new WorkStealingDeque(4);
        Runnable[] t = tasks(7);
        // advance top and bottom so that the live range wraps the ring, then force a grow
        deque.push(t[0]);
        deque.push(t[1]);
        deque.push(t[2]);
        assertSame(t[0], deque.steal());
        assertSame(t[1], deque.steal());
        for (int i = 3; i < 7; i++) {
            deque.push(t[i]);
        }
        assertEquals(5, deque.size());
        for (int i = 2; i < 7; i++) {
            assertSame(t[i], deque.steal(), "steal " + i);
        }
    }

    @Test
    void stealBatchTakesAtMostHalfRoundedUpAndAtMostTheLimit() {
        WorkStealingDeque deque = new WorkStealingDeque();
        Runnable[] t = tasks(9);
        for (Runnable r : t) {
            deque.push(r);
        }
        Runnable[] into = new Runnable[32];
        assertEquals(5, deque.stealBatch(into, 32), "half of 9, rounded up");
        for (int i = 0; i < 5; i++) {
            assertSame(t[i], into[i], "oldest first");
        }
        assertEquals(2, deque.stealBatch(into, 2), "capped by the limit");
        assertSame(t[5], into[0]);
        assertSame(t[6], into[1]);
        assertEquals(1, deque.stealBatch(into, 32), "half of 2");
        assertEquals(1, deque.stealBatch(into, 32), "the last one");
        assertSame(t[8], into[0]);
        assertEquals(0, deque.stealBatch(into, 32));
    }

    @Test
    void popNullsItsSlotAndStolenSlotsAreClearedWhenEmpty() {
        WorkStealingDeque deque = new WorkStealingDeque(8);
        Runnable[] t = tasks(6);
        for (Runnable r : t) {
            deque.push(r);
        }
        deque.steal();
        deque.steal();
        deque.pop();
        assertEquals(3, deque.size());
        assertEquals(5, deque.referencedSlots(), "3 queued + 2 stolen slots not yet cleared");
        while (deque.pop() != null) {
            // drain
        }
        deque.clearStolen();
        assertEquals(0, deque.referencedSlots(), "no slot keeps a task alive once the deque is empty");
    }

    @Test
    void ownerAndThievesAgreeOnTheLastElement() {
        WorkStealingDeque deque = new WorkStealingDeque(4);
        Runnable[] t = tasks(1);
        deque.push(t[0]);
        assertSame(t[0], deque.steal());
        assertNull(deque.pop(), "a stolen last element is not popped again");
        deque.push(t[0]);
        assertSame(t[0], deque.pop());
        assertNull(deque.steal(), "a popped last element is not stolen again");
    }

    @Test
    void rejectsAnInitialCapacityThatIsNotAPowerOfTwo() {
        assertThrows(IllegalArgumentException.class, () -> new WorkStealingDeque(3));
        assertThrows(IllegalArgumentException.class, () -> new WorkStealingDeque(1));
        assertThrows(IllegalArgumentException.class, () -> new WorkStealingDeque(0));
    }
}
