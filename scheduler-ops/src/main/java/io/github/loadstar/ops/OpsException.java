package io.github.loadstar.ops;

/**
 * Why an operation failed, in one line an operator can act on: the target cannot be reached or
 * found (exit code 1), or — when {@link #refused()} — the scheduler refused the request as invalid
 * and changed nothing (exit code 2).
 */
public class OpsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final boolean refused;

    public OpsException(String message, Throwable cause) {
        this(message, cause, false);
    }

    public OpsException(String message) {
        this(message, null, false);
    }

    private OpsException(String message, Throwable cause, boolean refused) {
        super(message, cause);
        this.refused = refused;
    }

    /** A request the scheduler (or this tool) refused as invalid; nothing was changed. */
    public static OpsException refused(String message, Throwable cause) {
        return new OpsException(message, cause, true);
    }

    public boolean refused() {
        return refused;
    }

    /** The process exit code for this failure: 2 for a refused request, 1 otherwise. */
    public int exitCode() {
        return refused ? 2 : 1;
    }
}
