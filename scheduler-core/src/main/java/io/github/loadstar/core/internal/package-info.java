/**
 * The runtime behind {@link io.github.loadstar.core.Scheduler}; not exported.
 *
 * <h2>Memory-ordering vocabulary</h2>
 * Fields shared between threads are accessed through {@link java.lang.invoke.VarHandle}s, and the
 * access mode is named at each use, as in JCTools:
 * <ul>
 *   <li>plain: a normal field access; only for fields one thread owns.</li>
 *   <li>opaque: atomic and coherent, no ordering; for single-writer counters read by the metrics
 *       snapshot (C11 relaxed).</li>
 *   <li>release / acquire: {@code setRelease} publishes every earlier write to a thread that reads
 *       the value with {@code getAcquire}.</li>
 *   <li>volatile and CAS: sequentially consistent; used where a Dekker-style handshake needs a
 *       store followed by a load to be ordered (the idle protocol, the shutdown protocol).</li>
 * </ul>
 * Contended fields sit in class-hierarchy padding ({@code *Pad} classes of 128 bytes), because a
 * library cannot use {@code @Contended} without {@code -XX:-RestrictContended}.
 */
package io.github.loadstar.core.internal;
