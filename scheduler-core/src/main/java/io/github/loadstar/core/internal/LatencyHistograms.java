package io.github.loadstar.core.internal;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * The shape of the queue-latency histograms: 1 ns to 1 hour at two significant digits (1 %
 * resolution), about 36 KB each. Values outside the range are clamped, never dropped.
 */
final class LatencyHistograms {
    static final long HIGHEST = TimeUnit.HOURS.toNanos(1);
    static final int DIGITS = 2;

    private LatencyHistograms() {
    }

    static SingleWriterRecorder newRecorder() {
        return new SingleWriterRecorder(1, HIGHEST, DIGITS);
    }

    static Histogram newHistogram() {
        return new Histogram(1, HIGHEST, DIGITS);
    }

    static long clamp(long nanos) {
        return nanos < 0 ? 0 : Math.min(nanos, HIGHEST);
    }
}
