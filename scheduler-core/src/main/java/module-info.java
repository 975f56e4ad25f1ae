/**
 * Loadstar's runtime: a work-stealing {@link io.github.loadstar.core.Scheduler} behind the
 * {@link java.util.concurrent.ExecutorService} contract, its strategy SPI and its metrics.
 *
 * <p>Only the API packages are exported; the runtime lives in the unexported
 * {@code io.github.loadstar.core.internal} package.
 */
module io.github.loadstar.core {
    requires org.jctools.core;
    // JCTools' Unsafe-based queues (the runtime's default below JDK 24, see internal.Queues) need
    // sun.misc.Unsafe, but JCTools declares jdk.unsupported only as "requires static", which does
    // not put it in a module-path application's module graph: without this line
    // Scheduler.builder().build() fails there with NoClassDefFoundError: sun/misc/Unsafe.
    requires jdk.unsupported;
    requires transitive org.agrona;
    requires org.slf4j;
    requires HdrHistogram;
    requires java.management;
    // optional: only io.github.loadstar.core.micrometer needs it
    requires static micrometer.core;

    exports io.github.loadstar.core;
    exports io.github.loadstar.core.spi;
    exports io.github.loadstar.core.metrics;
    exports io.github.loadstar.core.micrometer;
    exports io.github.loadstar.core.management;
    exports io.github.loadstar.core.allocation;

    uses io.github.loadstar.core.spi.OrderingPolicyProvider;
    uses io.github.loadstar.core.allocation.AllocatorProvider;
}
