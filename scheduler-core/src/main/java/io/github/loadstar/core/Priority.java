package io.github.loadstar.core;

/**
 * The priority class of a task. Ordering policies that know about classes (MLFQ) run
 * {@link #CRITICAL} first and share the rest by weight; FIFO ignores the class.
 */
public enum Priority {
    /** Always served before every other class. */
    CRITICAL,
    /** Served before {@link #NORMAL} and {@link #LOW} by a larger share. */
    HIGH,
    /** The default class. */
    NORMAL,
    /** The smallest share; never starved by policies that age tasks. */
    LOW
}
