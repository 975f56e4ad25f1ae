package io.github.loadstar.hazelcast;

import java.io.Serializable;
import java.util.concurrent.Callable;

/** A ping run on a member by its plain executor: answered means the member is not hung. */
final class Probe implements Callable<Boolean>, Serializable {
    private static final long serialVersionUID = 1L;
    /** The plain executor probes run on (Hazelcast's defaults; never the durable task executor). */
    static final String EXECUTOR = "loadstar-probe";

    @Override
    public Boolean call() {
        return Boolean.TRUE;
    }
}
