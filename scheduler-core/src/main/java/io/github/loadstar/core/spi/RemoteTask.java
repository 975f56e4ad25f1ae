package io.github.loadstar.core.spi;

/**
 * One task sent to a {@link RemoteLink}: its stable id and its body, and the three ways its link
 * reports it. Made by the scheduler for each sending; a task sent again (reclaimed, or not
 * delivered) is a new {@code RemoteTask} with the same id.
 */
public interface RemoteTask {

    /**
     * The task's id, stable across every sending: the submitter's idempotence key
     * ({@link io.github.loadstar.core.TaskOptions#idempotenceKey()}) or one the scheduler chose at the
     * task's first admission (unique to the scheduler instance).
     */
    String id();

    /** What runs on the member: the submitted {@link java.util.concurrent.Callable} or {@link Runnable}, which is {@link java.io.Serializable}. */
    Object body();

    /** The task's recorded outcome is a result ({@code null} for a runnable). */
    void completed(Object result);

    /** The task's recorded outcome is this failure (the body threw it). */
    void failed(Throwable failure);

    /**
     * No outcome could be recorded (the member left or refused the task before recording one): the
     * scheduler sends the task again with the same id. {@code why} is kept for the metrics only.
     */
    void notDelivered(Throwable why);
}
