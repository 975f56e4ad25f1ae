package io.github.loadstar.algorithms.internal;

import java.util.Arrays;

/**
 * A binary min-heap ordered by a {@code long} key, then by a {@code long} tie-breaker, then by a
 * sequence number.
 *
 * <p>Keys are {@link System#nanoTime()}-like values (deadlines, virtual times) and are compared by
 * the sign of their difference ({@code a - b < 0}), so they may wrap; the comparison is correct
 * while any two live keys are less than 2<sup>63</sup> apart. Tie-breakers (a submission time, or 0
 * when unused) are compared the same way. Sequence numbers break ties in
 * insertion order (they never wrap: 2<sup>63</sup> insertions). Keys live in the heap's own arrays,
 * fixed at insertion: no comparator reads an element's mutable state or a clock.
 *
 * @param <T> the element type
 *
 * <p>O(log n) offer and poll, O(1) peek; no allocation beyond amortised array growth.
 * Not thread-safe.
 */
public final class KeyedHeap<T> {
    private Object[] tasks = new Object[16];
    private long[] keys = new long[16];
    private long[] ties = new long[16];
    private long[] seqs = new long[16];
    private int size;

    /** Adds a task with its key and tie-breaking sequence number. */
    public void offer(T task, long key, long seq) {
        offer(task, key, 0L, seq);
    }

    /** Adds a task with its key, a tie-breaker compared like keys, and a sequence number. */
    public void offer(T task, long key, long tie, long seq) {
        if (size == tasks.length) {
            int capacity = size << 1;
            tasks = Arrays.copyOf(tasks, capacity);
            keys = Arrays.copyOf(keys, capacity);
            ties = Arrays.copyOf(ties, capacity);
            seqs = Arrays.copyOf(seqs, capacity);
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!less(key, tie, seq, parent)) {
                break;
            }
            move(parent, i);
            i = parent;
        }
        set(i, task, key, tie, seq);
    }

    /** The element with the smallest (key, seq), or null. */
    @SuppressWarnings("unchecked")
    public T peek() {
        return size == 0 ? null : (T) tasks[0];
    }

    /** The smallest key; only valid when not empty. */
    public long peekKey() {
        return keys[0];
    }

    /** The sequence number of the smallest element; only valid when not empty. */
    public long peekSeq() {
        return seqs[0];
    }

    /** Removes and returns the element with the smallest (key, seq), or null. */
    @SuppressWarnings("unchecked")
    public T poll() {
        if (size == 0) {
            return null;
        }
        T top = (T) tasks[0];
        int last = --size;
        Object task = tasks[last];
        long key = keys[last];
        long tie = ties[last];
        long seq = seqs[last];
        tasks[last] = null;
        if (last > 0) {
            siftDown(0, task, key, tie, seq);
        }
        return top;
    }

    /** The number of tasks. */
    public int size() {
        return size;
    }

    /** Whether empty. */
    public boolean isEmpty() {
        return size == 0;
    }

    private void siftDown(int i, Object task, long key, long tie, long seq) {
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < size && less(keys[right], ties[right], seqs[right], child)) {
                child = right;
            }
            if (!less(keys[child], ties[child], seqs[child], key, tie, seq)) {
                break;
            }
            move(child, i);
            i = child;
        }
        set(i, task, key, tie, seq);
    }

    private boolean less(long key, long tie, long seq, int j) {
        return less(key, tie, seq, keys[j], ties[j], seqs[j]);
    }

    /** (k1, t1, s1) before (k2, t2, s2): keys, then tie-breakers by the sign of their difference, then sequence numbers. */
    static boolean less(long k1, long t1, long s1, long k2, long t2, long s2) {
        long d = k1 - k2;
        if (d != 0) {
            return d < 0;
        }
        long e = t1 - t2;
        return e < 0 || (e == 0 && s1 < s2);
    }

    private void move(int from, int to) {
        tasks[to] = tasks[from];
        keys[to] = keys[from];
        ties[to] = ties[from];
        seqs[to] = seqs[from];
    }

    private void set(int i, Object task, long key, long tie, long seq) {
        tasks[i] = task;
        keys[i] = key;
        ties[i] = tie;
        seqs[i] = seq;
    }
}
