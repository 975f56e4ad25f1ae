package io.github.loadstar.core.internal;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.MpmcUnboundedXaddArrayQueue;
import org.jctools.queues.MpscUnboundedXaddArrayQueue;
import org.jctools.queues.atomic.MpscUnboundedAtomicArrayQueue;

/**
 * Makes the runtime's lock-free queues. JCTools' fastest queues use {@code sun.misc.Unsafe}, whose
 * memory-access methods print a "terminally deprecated" warning from JDK 24 on (JEP 498); there the
 * runtime uses JCTools' {@code Atomic*} variants (field updaters, no Unsafe) and the JDK's
 * {@link ConcurrentLinkedQueue} instead. Below JDK 24 it uses the XADD queues. The system property
 * {@code loadstar.queues} ({@code unsafe} or {@code atomic}) overrides the choice.
 */
final class Queues {
    static final boolean ATOMIC = useAtomic();

    private Queues() {
    }

    private static boolean useAtomic() {
        String choice = System.getProperty("loadstar.queues", "");
        if (choice.equals("atomic")) {
            return true;
        }
        if (choice.equals("unsafe")) {
            return false;
        }
        return Runtime.version().feature() >= 24;
    }

    /** An unbounded multi-producer, single-consumer queue, in chunks of {@code chunkSize}. */
    static <E> MessagePassingQueue<E> mpsc(int chunkSize) {
        return ATOMIC ? new MpscUnboundedAtomicArrayQueue<>(chunkSize) : new MpscUnboundedXaddArrayQueue<>(chunkSize);
    }

    /** An unbounded multi-producer, multi-consumer queue. */
    static <E> Queue<E> mpmc(int chunkSize) {
        return ATOMIC ? new ConcurrentLinkedQueue<>() : new MpmcUnboundedXaddArrayQueue<>(chunkSize);
    }
}
