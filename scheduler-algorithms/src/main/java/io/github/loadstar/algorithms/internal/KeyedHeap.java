package io.github.loadstar.algorithms.internal;

import java.util.Arrays;

/**
 * A binary min-heap ordered by a {@code long} key and then by a sequence number.
 *
 * <p>Keys are {@link System#nanoTime()}-like values (deadlines, virtual times) and are compared by
 * the sign of their difference ({@code a - b < 0}), so they may wrap; the comparison is correct
 * while any two live keys are less than 2<sup>63</sup> apart. Sequence numbers break ties in
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
    private long[] seqs = new long[16];
    private int size;

    /** Adds a task with its key and tie-breaking sequence number. */
    public void offer(T task, long key, long seq) {
        if (size == tasks.length) {
            int capacity = size << 1;
            tasks = Arrays.copyOf(tasks, capacity);
            keys = Arrays.copyOf(keys, capacity);
            seqs = Arrays.copyOf(seqs, capacity);
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!less(key, seq, keys[parent], seqs[parent])) {
                break;
            }
            move(parent, i);
            i = parent;
        }
        set(i, task, key, seq);
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
        long seq = seqs[last];
        tasks[last] = null;
        if (last > 0) {
            siftDown(0, task, key, seq);
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

    private void siftDown(int i, Object task, long key, long seq) {
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < size && less(keys[right], seqs[right], keys[child], seqs[child])) {
                child = right;
            }
            if (!less(keys[child], seqs[child], key, seq)) {
                break;
            }
            move(child, i);
            i = child;
        }
        set(i, task, key, seq);
    }

    /** (k1, s1) before (k2, s2): keys by the sign of their difference, then sequence numbers. */
    static boolean less(long k1, long s1, long k2, long s2) {
        long d = k1 - k2;
        return d < 0 || (d == 0 && s1 < s2);
    }

    private void move(int from, int to) {
        tasks[to] = tasks[from];
        keys[to] = keys[from];
        seqs[to] = seqs[from];
    }

    private void set(int i, Object task, long key, long seq) {
        tasks[i] = task;
        keys[i] = key;
        seqs[i] = seq;
    }
}
