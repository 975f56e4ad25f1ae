package io.github.loadstar.bench;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveTask;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Recursive fork-and-wait: tasks that submit a subtask and then wait for it from inside the pool,
 * which is what Loadstar's helping waits are for (a waiting agent runs the awaited task, or other
 * queued work, instead of blocking; ForkJoinTask.join does the same).
 *
 * <p>The computation is the naive Fibonacci recursion {@code fib(}{@value #N}{@code )}. A call with
 * {@code n >= }{@value #THRESHOLD} forks {@code fib(n-1)} as a task, computes {@code fib(n-2)}
 * itself by a direct call (not a task), then waits for the forked task and adds the two; a call with
 * {@code n < }{@value #THRESHOLD} computes sequentially (at most two additions: the leaves are almost
 * free, so the score is the cost of forking and waiting, as {@code localSpawn}'s no-op tasks are the
 * cost of spawning). Every call at or above the threshold forks exactly one task, so an invocation
 * runs {@value #TASKS} tasks: the root, submitted by the benchmark thread, plus one per such call
 * (checked at set-up by counting). The result is checked against {@code fib(}{@value #N}{@code )}
 * on every invocation, so no work can be dropped.
 *
 * <ul>
 *   <li>{@code loadstar}: {@code scheduler.submit(callable)} and {@code future.get()} on the
 *       returned {@code TaskFuture} (the helping wait; {@code get()} was chosen over
 *       {@code toCompletableFuture().join()} because it is the plain {@code Future} call and needs
 *       no view object).</li>
 *   <li>{@code forkjoinpool-recursivetask}: {@code new ForkJoinPool(2)} with
 *       {@code RecursiveTask.fork()} and {@code join()} — ForkJoinPool's own idiom, no wrapper.</li>
 *   <li>{@code forkjoinpool-submit}: {@code new ForkJoinPool(2)} with
 *       {@code pool.submit(callable).get()} from inside the pool — the same code shape as
 *       Loadstar's — literally the same code, {@code SubmitFib} over {@code ExecutorService}
 *       ({@code ForkJoinTask.get()} helps too; the submit wraps the Callable).</li>
 * </ul>
 * The root is submitted from the benchmark thread, which waits for it outside the pool (it cannot
 * help). Score: tasks per microsecond (higher is better).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 1, time = 3000, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 3, time = 300, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class RecursiveWaitBenchmark {
    /** The Fibonacci argument of the root. */
    static final int N = 24;
    /** Calls with {@code n} below this compute sequentially and fork nothing. */
    static final int THRESHOLD = 4;
    /** Tasks per invocation: the root plus one forked per call with {@code n >= THRESHOLD}. */
    static final int TASKS = 28_657;
    /** fib(N). */
    static final int EXPECTED = 46_368;

    static final String LOADSTAR = Executors.LOADSTAR;
    static final String FJP_RECURSIVE_TASK = "forkjoinpool-recursivetask";
    static final String FJP_SUBMIT = "forkjoinpool-submit";

    @Param({LOADSTAR, FJP_RECURSIVE_TASK, FJP_SUBMIT})
    public String executor;

    @Param({"2"})
    public int threads;

    private ExecutorService pool;

    @Setup(Level.Trial)
    public void start() {
        if (tasksForked(N) + 1 != TASKS || sequentialFib(N) != EXPECTED) {
            throw new IllegalStateException("TASKS or EXPECTED does not match N and THRESHOLD: "
                    + (tasksForked(N) + 1) + " tasks, fib = " + sequentialFib(N));
        }
        pool = Executors.create(executor.startsWith("forkjoinpool") ? Executors.FORK_JOIN_POOL : executor, threads);
    }

    @TearDown(Level.Trial)
    public void stop() throws InterruptedException {
        Executors.stop(pool);
    }

    @Benchmark
    @OperationsPerInvocation(TASKS)
    public int recursiveWait() throws Exception {
        int result;
        switch (executor) {
            case LOADSTAR:
            case FJP_SUBMIT:
                result = pool.submit(new SubmitFib(pool, N)).get();
                break;
            case FJP_RECURSIVE_TASK:
                result = ((ForkJoinPool) pool).invoke(new FibTask(N));
                break;
            default:
                throw new IllegalArgumentException("unknown executor: " + executor);
        }
        if (result != EXPECTED) {
            throw new IllegalStateException("fib(" + N + ") = " + result + ", expected " + EXPECTED);
        }
        return result;
    }

    /** The leaves: plain recursion, no tasks. */
    static int sequentialFib(int n) {
        return n < 2 ? n : sequentialFib(n - 1) + sequentialFib(n - 2);
    }

    /** Tasks forked below a call of {@code fib(n)} (the call's own task not counted). */
    static int tasksForked(int n) {
        return n < THRESHOLD ? 0 : 1 + tasksForked(n - 1) + tasksForked(n - 2);
    }

    /** ForkJoinPool's idiom: {@code fork()} the left child, compute the right one, {@code join()}. */
    static final class FibTask extends RecursiveTask<Integer> {
        private static final long serialVersionUID = 1L;
        private final int n;

        FibTask(int n) {
            this.n = n;
        }

        @Override
        protected Integer compute() {
            return fib(n);
        }

        static int fib(int n) {
            if (n < THRESHOLD) {
                return sequentialFib(n);
            }
            FibTask left = new FibTask(n - 1);
            left.fork();
            int right = fib(n - 2);
            return right + left.join();
        }
    }

    /**
     * The {@code ExecutorService} idiom, the same code for both pools: submit the left child,
     * compute the right one here, then {@code get()} the left. Loadstar's and ForkJoinPool's
     * futures both help while they wait.
     */
    static final class SubmitFib implements Callable<Integer> {
        private final ExecutorService pool;
        private final int n;

        SubmitFib(ExecutorService pool, int n) {
            this.pool = pool;
            this.n = n;
        }

        @Override
        public Integer call() throws InterruptedException, ExecutionException {
            return fib(pool, n);
        }

        static int fib(ExecutorService pool, int n) throws InterruptedException, ExecutionException {
            if (n < THRESHOLD) {
                return sequentialFib(n);
            }
            Future<Integer> left = pool.submit(new SubmitFib(pool, n - 1));
            int right = fib(pool, n - 2);
            return right + left.get();
        }
    }
}
