package io.github.loadstar.core.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/*
 * A Chase–Lev work-stealing deque of Runnables.
 *
 * Design overview
 * ===============
 * One owner thread pushes and pops at the bottom; any number of thieves steal at the top. The
 * elements live in a power-of-two ring indexed by 64-bit counters (`top`, `bottom`), so the
 * indices never wrap in practice and a stalled thief cannot suffer ABA on `top` (Tokio #5041 had
 * ABA with 16-bit indices). The ring grows by doubling when full; it never shrinks.
 *
 * Invariants
 *   - top <= bottom + 1 at all times; the deque holds the elements with indices in [top, bottom).
 *   - top only increases, and only by a successful CAS (a thief, or the owner taking the last
 *     element). bottom is written only by the owner.
 *   - The element at index i is in slot i & (length - 1) of the current array, and of every older
 *     array in which i was in range when that array was replaced (old arrays are never written
 *     after a grow, so a thief reading a stale array still reads the right element).
 *
 * Memory ordering (Lê, Pop, Cohen, Zappa Nardelli, "Correct and Efficient Work-Stealing for Weak
 * Memory Models", PPoPP 2013, Fig. 1), mapped to VarHandles:
 *   push:  store slot (plain); bottom.setRelease(b + 1)          -- release fence + relaxed store
 *   pop:   bottom.setOpaque(b - 1); VarHandle.fullFence(); top (opaque)
 *          last element: top.compareAndSet(t, t + 1)             -- seq_cst CAS
 *   steal: top.getAcquire(); VarHandle.fullFence(); bottom.getAcquire(); slot (opaque);
 *          top.compareAndSet(t, t + 1)
 *   grow:  copy [top, bottom) to a new array, array.setRelease(new); thieves read it with acquire.
 * The full fence in pop orders the owner's store of bottom before its load of top, and the one in
 * steal orders the thief's load of top before its load of bottom; together they make the owner and
 * a thief agree on who takes the last element (the CAS on top decides).
 *
 * Garbage: the owner nulls the slot of every element it pops. A slot emptied by a thief still holds
 * its reference (a thief cannot clear it safely: the owner may already have reused the slot, and a
 * CAS on the slot could hit the same Runnable pushed again). The owner clears those slots when it
 * finds the deque empty — every index below top is then taken — at amortised O(1) per steal.
 */

/** Padding before the thieves' field. */
abstract class DequePadTop {
    long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p0a, p0b, p0c, p0d, p0e, p0f;
}

/** The thieves' end: CASed by thieves and by the owner for the last element. */
abstract class DequeTop extends DequePadTop {
    volatile long top;
}

/** Padding between the thieves' and the owner's fields. */
abstract class DequePadBottom extends DequeTop {
    long p10, p11, p12, p13, p14, p15, p16, p17, p18, p19, p1a, p1b, p1c, p1d, p1e, p1f;
}

/** The owner's end and the ring; bottom is read by thieves. */
abstract class DequeBottom extends DequePadBottom {
    volatile long bottom;
    volatile Runnable[] array;
    /** Owner only: every slot of an index below this one has been cleared or reused. */
    long cleared;
}

/** Padding after the owner's fields. */
abstract class DequePadEnd extends DequeBottom {
    long p20, p21, p22, p23, p24, p25, p26, p27, p28, p29, p2a, p2b, p2c, p2d, p2e, p2f;
}

/**
 * A lock-free work-stealing deque (Chase–Lev) of {@link Runnable}s: the owner pushes and pops
 * LIFO at one end, thieves steal FIFO at the other. See the design overview in the source.
 */
public final class WorkStealingDeque extends DequePadEnd {
    /** Initial capacity; a power of two. */
    static final int INITIAL_CAPACITY = 256;
    /** Largest capacity; beyond it a push throws (2^30 queued tasks on one agent). */
    static final int MAXIMUM_CAPACITY = 1 << 30;

    private static final VarHandle TOP;
    private static final VarHandle BOTTOM;
    private static final VarHandle ARRAY;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Runnable[].class);

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            TOP = lookup.findVarHandle(DequeTop.class, "top", long.class);
            BOTTOM = lookup.findVarHandle(DequeBottom.class, "bottom", long.class);
            ARRAY = lookup.findVarHandle(DequeBottom.class, "array", Runnable[].class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** An empty deque with the default initial capacity. */
    public WorkStealingDeque() {
        this(INITIAL_CAPACITY);
    }

    /**
     * An empty deque.
     *
     * @param initialCapacity a power of two, at least 2
     */
    public WorkStealingDeque(int initialCapacity) {
        if (initialCapacity < 2 || Integer.bitCount(initialCapacity) != 1) {
            throw new IllegalArgumentException("initialCapacity must be a power of two >= 2: " + initialCapacity);
        }
        ARRAY.setRelease(this, new Runnable[initialCapacity]);
    }

    // ---------------------------------------------------------------- owner side

    /**
     * Pushes a task at the bottom. Owner only.
     *
     * @return true if the deque was empty before the push (the caller may want to wake a thief)
     */
    public boolean push(Runnable task) {
        long b = (long) BOTTOM.getOpaque(this);
        long t = (long) TOP.getAcquire(this);
        Runnable[] a = (Runnable[]) ARRAY.getOpaque(this);
        if (b - t >= a.length) {
            a = grow(a, t, b);
        }
        a[(int) b & (a.length - 1)] = task;
        BOTTOM.setRelease(this, b + 1);
        return b - t <= 0;
    }

    /**
     * Pops the most recently pushed task. Owner only.
     *
     * @return the task, or null if the deque is empty (or its last task was just stolen)
     */
    public Runnable pop() {
        long b = (long) BOTTOM.getOpaque(this) - 1;
        if (b < (long) TOP.getOpaque(this)) {
            // Empty: top only grows, and only the owner adds, so no fence is needed to know it.
            return null;
        }
        Runnable[] a = (Runnable[]) ARRAY.getOpaque(this);
        BOTTOM.setOpaque(this, b);
        VarHandle.fullFence();
        long t = (long) TOP.getOpaque(this);
        if (t < b) {
            // More than one element: the bottom one is the owner's without a race.
            int i = (int) b & (a.length - 1);
            Runnable task = a[i];
            a[i] = null;
            return task;
        }
        Runnable task = null;
        if (t == b) {
            // The last element: race the thieves for it.
            if (TOP.compareAndSet(this, t, t + 1)) {
                int i = (int) b & (a.length - 1);
                task = a[i];
                a[i] = null;
                t++;
            }
        }
        // Empty (t > b) or the race is settled: restore bottom to top.
        BOTTOM.setOpaque(this, b + 1);
        if (task == null && t > cleared) {
            clearStolenSlots(a, t);
        }
        return task;
    }

    /**
     * Pops the most recently pushed task if it is {@code task} (as ForkJoinPool's tryUnpush). Owner
     * only. The bottom slot was written by the owner itself, so reading it needs no fence; only the
     * pop itself can race a thief, for the last element.
     *
     * @return whether {@code task} was popped (false if another task is on top, the deque is empty,
     *         or a thief took it first)
     */
    public boolean tryUnpush(Runnable task) {
        long b = (long) BOTTOM.getOpaque(this) - 1;
        if (b < (long) TOP.getOpaque(this)) {
            return false;
        }
        Runnable[] a = (Runnable[]) ARRAY.getOpaque(this);
        if (a[(int) b & (a.length - 1)] != task) {
            return false;
        }
        return pop() == task;
    }

    /** Clears the slots of tasks thieves took while the deque held some; owner only, on going idle. */
    public void clearStolen() {
        long t = (long) TOP.getAcquire(this);
        long b = (long) BOTTOM.getOpaque(this);
        if (t >= b && t > cleared) {
            clearStolenSlots((Runnable[]) ARRAY.getOpaque(this), t);
        }
    }

    /** Clears the slots of stolen indices in [cleared, top). Owner only, when the deque is empty. */
    private void clearStolenSlots(Runnable[] a, long top) {
        long from = Math.max(cleared, top - a.length);
        for (long i = from; i < top; i++) {
            a[(int) i & (a.length - 1)] = null;
        }
        cleared = top;
    }

    private Runnable[] grow(Runnable[] old, long t, long b) {
        int length = old.length;
        if (length >= MAXIMUM_CAPACITY) {
            throw new IllegalStateException("work-stealing deque is full: " + length + " tasks");
        }
        Runnable[] bigger = new Runnable[length << 1];
        int oldMask = length - 1;
        int newMask = bigger.length - 1;
        for (long i = t; i < b; i++) {
            bigger[(int) i & newMask] = old[(int) i & oldMask];
        }
        ARRAY.setRelease(this, bigger);
        cleared = t;
        return bigger;
    }

    // ---------------------------------------------------------------- thief side

    /**
     * Steals the oldest task. Any thread.
     *
     * @return the task, or null if the deque was empty or another thread took the task first
     */
    public Runnable steal() {
        long t = (long) TOP.getAcquire(this);
        VarHandle.fullFence();
        long b = (long) BOTTOM.getAcquire(this);
        if (t >= b) {
            return null;
        }
        Runnable[] a = (Runnable[]) ARRAY.getAcquire(this);
        Runnable task = (Runnable) SLOT.getOpaque(a, (int) t & (a.length - 1));
        if (!TOP.compareAndSet(this, t, t + 1)) {
            return null;
        }
        return task;
    }

    /**
     * Steals up to {@code max} of the oldest tasks, but never more than half (rounded up) of what
     * the deque holds when the steal begins. Stops at the first lost race. Any thread.
     *
     * @return how many tasks were written to {@code into}, from index 0
     */
    public int stealBatch(Runnable[] into, int max) {
        long t = (long) TOP.getAcquire(this);
        VarHandle.fullFence();
        long b = (long) BOTTOM.getAcquire(this);
        long size = b - t;
        if (size <= 0) {
            return 0;
        }
        int limit = (int) Math.min(max, (size + 1) >>> 1);
        int taken = 0;
        while (true) {
            Runnable[] a = (Runnable[]) ARRAY.getAcquire(this);
            Runnable task = (Runnable) SLOT.getOpaque(a, (int) t & (a.length - 1));
            if (!TOP.compareAndSet(this, t, t + 1)) {
                return taken;
            }
            into[taken++] = task;
            if (taken == limit) {
                return taken;
            }
            // Re-read both ends for the next element, with the same fences as a single steal.
            t = (long) TOP.getAcquire(this);
            VarHandle.fullFence();
            b = (long) BOTTOM.getAcquire(this);
            if (t >= b) {
                return taken;
            }
        }
    }

    /** The number of queued tasks; exact when quiescent, an estimate otherwise. Any thread. */
    public int size() {
        long b = (long) BOTTOM.getAcquire(this);
        long t = (long) TOP.getAcquire(this);
        long size = b - t;
        return size <= 0 ? 0 : (int) Math.min(size, Integer.MAX_VALUE);
    }

    /** Whether the deque looks empty. Any thread. */
    public boolean isEmpty() {
        return size() == 0;
    }

    /** The current ring length (for tests). */
    int capacity() {
        return ((Runnable[]) ARRAY.getAcquire(this)).length;
    }

    /** The number of slots that still reference a task: queued tasks plus uncleared stolen slots (for tests). */
    int referencedSlots() {
        int count = 0;
        for (Runnable r : (Runnable[]) ARRAY.getAcquire(this)) {
            if (r != null) {
                count++;
            }
        }
        return count;
    }
}
