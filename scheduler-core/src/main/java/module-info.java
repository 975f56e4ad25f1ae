/**
 * Loadstar's runtime: a work-stealing {@link io.github.loadstar.core.Scheduler} behind the
 * {@link java.util.concurrent.ExecutorService} contract, its strategy SPI and its metrics.
 *
 * <p>Only the API packages are exported; the runtime lives in the unexported
 * {@code io.github.loadstar.core.internal} package.
 */
module io.github.loadstar.core {
    requires org.jctools.core;
    requires transitive org.agrona;
    requires org.slf4j;
    requires HdrHistogram;

    exports io.github.loadstar.core;
    exports io.github.loadstar.core.spi;
    exports io.github.loadstar.core.metrics;

    uses io.github.loadstar.core.spi.OrderingPolicyProvider;
}
