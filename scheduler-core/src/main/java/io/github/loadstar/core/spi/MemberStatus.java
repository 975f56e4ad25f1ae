package io.github.loadstar.core.spi;

/**
 * What a member says of itself when a remote agent probes it ({@link RemoteLink#probe()}): figures
 * the agent cannot see from its own sendings, because they count every submitter's work on the
 * member and the machine under it.
 *
 * @param running tasks the member is running now for any scheduler (at least 0)
 * @param cpuLoad the CPU load of the member's machine, in [0, 1], or -1 where the member's JVM does
 *                not measure it
 */
public record MemberStatus(int running, double cpuLoad) {

    /**
     * @throws IllegalArgumentException if {@code running} is negative, or {@code cpuLoad} is neither
     *                                  -1 nor in [0, 1]
     */
    public MemberStatus {
        if (running < 0) {
            throw new IllegalArgumentException("running must be at least 0: " + running);
        }
        if (cpuLoad != -1.0 && !(cpuLoad >= 0.0 && cpuLoad <= 1.0)) {
            throw new IllegalArgumentException("cpuLoad must be -1 or in [0, 1]: " + cpuLoad);
        }
    }
}
