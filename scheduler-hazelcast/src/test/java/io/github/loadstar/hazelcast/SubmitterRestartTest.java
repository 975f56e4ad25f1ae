package io.github.loadstar.hazelcast;

import static io.github.loadstar.hazelcast.RemoteAgentsCrashTest.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.HazelcastInstance;
import io.github.loadstar.core.Scheduler;
import io.github.loadstar.core.TaskOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The submitter's process killed and a new one started: two worker processes; a submitter process
 * (SubmitterProcess: a lite member with a remote-only scheduler) submits 200 tasks of 50 ms by
 * idempotence key and is killed with {@code kill -9} once 50 outcomes have reached it. This JVM then
 * plays the restarted submitter: it joins, waits until the members have finished what they held,
 * and for each key asks the ledger (RemoteMembers.awaitOutcome): a task with a recorded outcome is
 * read by its id, never submitted again; only a task with no ledger line — it was still in the dead
 * scheduler's backlog, never sent — is submitted, under the same key. Every task ends with one
 * recorded outcome and every body runs once.
 */
final class SubmitterRestartTest {
    private static final int TASKS = 200;

    @Test
    @Timeout(240)
    void aRestartedSubmitterReadsResultsByIdAndResubmitsOnlyWhatWasNeverSent() throws Exception {
        List<Integer> ports = LoopbackWorkers.freePorts(4);
        String name = "submitter-restart-" + UUID.randomUUID();
        try (LoopbackWorkers cluster = new LoopbackWorkers(name, ports)) {
            cluster.startAll(1, 1);
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(LoopbackWorkers.QUICK_START);
            command.addAll(ClusterSettings.JVM_FLAGS);
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), SubmitterProcess.class.getName(), name,
                    Integer.toString(ports.get(2)), Integer.toString(TASKS), "50",
                    ports.stream().map(String::valueOf).collect(Collectors.joining(","))));
            Process submitter = new ProcessBuilder(command).redirectErrorStream(true).start();
            List<String> output = Collections.synchronizedList(new ArrayList<>());
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(submitter.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        output.add(line);
                    }
                } catch (java.io.IOException ignored) {
                    // the process was killed
                }
            });
            reader.setDaemon(true);
            reader.start();
            try {
                awaitTrue(() -> doneLines(output) >= TASKS / 4, () -> "a quarter of the outcomes reached the submitter: "
                        + String.join("\n", output));
            } finally {
                submitter.destroyForcibly();    // SIGKILL
                submitter.waitFor(30, TimeUnit.SECONDS);
            }
            int seenByFirst = doneLines(output);

            HazelcastInstance lite = cluster.liteMember(ports.get(3));
            Scheduler s = Scheduler.builder().name("restarted").agents(1).maxAgents(8).build();
            try (RemoteMembers members = RemoteMembers.builder(s, lite).withoutLocalAgents().attach()) {
                awaitTrue(() -> RemoteAgentsCrashTest.remoteAgents(s) == 2, "two remote agents");
                TaskLedger ledger = TaskLedger.of(lite);
                awaitQuiet(ledger);
                int retrieved = 0;
                List<Integer> resubmitted = new ArrayList<>();
                List<Future<String>> again = new ArrayList<>();
                for (int i = 0; i < TASKS; i++) {
                    Optional<LedgerEntry> outcome = members.awaitOutcome("task-" + i, Duration.ZERO);
                    if (outcome.isPresent()) {
                        assertEquals("done-" + i, outcome.get().outcome(), "task-" + i + " read by its id");
                        retrieved++;
                    } else {
                        assertEquals(null, ledger.entry("task-" + i), "task-" + i + " has a line but no outcome");
                        resubmitted.add(i);
                        again.add(s.submit(new CountedWork(i, 50), TaskOptions.builder().idempotenceKey("task-" + i).build()));
                    }
                }
                for (int k = 0; k < again.size(); k++) {
                    assertEquals("done-" + resubmitted.get(k), again.get(k).get(60, TimeUnit.SECONDS));
                }
                LedgerAudit audit = LedgerAudit.of(lite, TASKS);
                assertEquals(0, audit.reRuns(), () -> "every body ran once: " + audit.reRun());
                assertEquals(0, audit.absorbed(), "no task was sent twice: none read by id was submitted again");
                assertTrue(retrieved >= seenByFirst, retrieved + " read by id, " + seenByFirst + " seen before the kill");
                assertEquals(TASKS, retrieved + resubmitted.size());
                System.out.printf("submitter killed (kill -9) after %d of %d outcomes: the restarted one read %d by id and"
                                + " submitted %d never sent; every body ran once, none sent twice%n",
                        seenByFirst, TASKS, retrieved, resubmitted.size());
            } finally {
                s.shutdownNow();
                lite.shutdown();
            }
        }
    }

    private static int doneLines(List<String> output) {
        synchronized (output) {
            return (int) output.stream().filter(l -> l.startsWith(SubmitterProcess.DONE)).count();
        }
    }

    /** Until no task is RUNNING and the ledger has not grown for a second: the members ran what they held. */
    private static void awaitQuiet(TaskLedger ledger) throws InterruptedException {
        int last = -1;
        long stableSince = System.nanoTime();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() - end < 0) {
            Map<String, LedgerEntry> lines = ledger.snapshot();
            boolean running = lines.values().stream().anyMatch(e -> !e.done());
            if (running || lines.size() != last) {
                last = lines.size();
                stableSince = System.nanoTime();
            } else if (System.nanoTime() - stableSince > TimeUnit.SECONDS.toNanos(1)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the ledger did not settle");
    }
}
