package io.github.loadstar.core;

import static io.github.loadstar.core.RemoteAgentTest.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loadstar.core.RemoteAgentTest.Numbered;
import io.github.loadstar.core.RemoteAgentTest.TwoStrikes;
import io.github.loadstar.core.metrics.AgentMetrics;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The periodic probe of a remote agent's member (RemoteLink.probe): its figures reach the metrics,
 * an unanswered probe counts against the member's breaker — so a member that hangs with nothing in
 * flight is isolated — and an answer while tasks are in flight does not hide their timeouts.
 */
@Timeout(60)
final class RemoteProbeTest {

    /** A loopback link whose member answers probes. */
    private static LoopbackLink probing(String name, int window, int threads, long timeoutMillis) {
        LoopbackLink link = new LoopbackLink(name, window, threads, new LoopbackLink.Ledger(), id -> false, timeoutMillis);
        link.probing = true;
        return link;
    }

    private static AgentMetrics agent(Scheduler s, int index) {
        return s.metrics().agents().stream().filter(m -> m.index() == index).findFirst().orElseThrow();
    }

    /** Holds its member's thread until released (a latch per test, static: bodies run as copies). */
    record Held(String test) implements Callable<String>, Serializable {
        static final java.util.concurrent.ConcurrentHashMap<String, CountDownLatch> GATES =
                new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public String call() throws InterruptedException {
            GATES.get(test).await(30, TimeUnit.SECONDS);
            return test;
        }
    }

    @Test
    void theMembersOwnFiguresReachTheMetrics() throws Exception {
        LoopbackLink link = probing("figures", 4, 2, 5_000);
        link.cpuLoad = 0.25;
        String test = "figures";
        Held.GATES.put(test, new CountDownLatch(1));
        try (Scheduler s = Scheduler.builder().agents(1).maxAgents(2).build()) {
            int remote = s.addRemoteAgent(link, 2.0, null);
            awaitTrue(() -> agent(s, remote).probeMillis() >= 0, "a probe answered");
            AgentMetrics idle = agent(s, remote);
            assertEquals(0, idle.memberRunning(), "nothing runs on the member yet");
            assertEquals(0.25, idle.memberCpuLoad(), "the member's CPU load as it said");
            assertEquals(0, idle.probesUnanswered());
            List<Future<String>> held = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                held.add(s.submit(new Held(test), TaskOptions.builder().pinnedTo(remote).build()));
            }
            awaitTrue(() -> agent(s, remote).memberRunning() == 2, "the member says it runs both bodies");
            Held.GATES.get(test).countDown();
            for (Future<String> f : held) {
                assertEquals(test, f.get(10, TimeUnit.SECONDS));
            }
            awaitTrue(() -> agent(s, remote).memberRunning() == 0, "and then none");
            String json = s.metrics().toJson();
            assertTrue(json.contains("\"memberRunning\":0") && json.contains("\"memberCpuLoad\":0.25"), json);
            assertTrue(s.metrics().toString().contains("member runs 0, CPU 25 %"), s.metrics().toString());
            AgentMetrics local = agent(s, 0);
            assertEquals(-1, local.memberRunning(), "a local agent has no member");
            assertEquals(-1.0, local.probeMillis());
        } finally {
            link.stop();
        }
    }

    @Test
    void aMemberThatHangsWithNothingInFlightIsIsolatedByItsProbesAndPingedBackIn() throws Exception {
        String test = "idle-hang";
        RemoteAgentTest.RUNS.put(test, new AtomicIntegerArray(2));
        LoopbackLink link = probing("idle", 2, 1, 100);     // probes time out after 100 ms
        TwoStrikes breaker = new TwoStrikes();
        try (Scheduler s = Scheduler.builder().agents(1).maxAgents(2).build()) {
            int remote = s.addRemoteAgent(link, 1.0, breaker);
            awaitTrue(() -> agent(s, remote).probeMillis() >= 0, "a probe answered");
            Thread.sleep(1_200);
            assertEquals("CLOSED", breaker.state(), "answered probes keep an idle member's breaker closed");
            long hungAt = System.nanoTime();
            link.hung = true;
            awaitTrue(() -> breaker.state().equals("OPEN"), "two unanswered probes open the breaker");
            long isolatedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - hungAt);
            System.out.printf("an idle member that hangs: breaker open %d ms after the hang, %d probes unanswered%n",
                    isolatedMillis, agent(s, remote).probesUnanswered());
            assertTrue(isolatedMillis < 3_000, "isolated within two probe periods and timeouts: " + isolatedMillis + " ms");
            assertTrue(agent(s, remote).probesUnanswered() >= 2);
            assertEquals(0, link.received.get(), "no task was sent to find it out");
            link.hung = false;
            awaitTrue(() -> breaker.state().equals("CLOSED"), "the member answers again: pinged back in");
            Future<Integer> f = s.submit(new Numbered(test, 1), TaskOptions.builder().pinnedTo(remote).build());
            assertEquals(2, f.get(10, TimeUnit.SECONDS));
            assertEquals(1, RemoteAgentTest.RUNS.get(test).get(1));
        } finally {
            link.stop();
        }
    }

    @Test
    void probesAnsweredWhileTasksAreInFlightDoNotHideTheirTimeouts() throws Exception {
        // the member's task threads are slow (each body 1.3 s, timeout 100 ms) while its probes answer
        // at once: window 1, so the two timeouts are 1.3 s apart, with answered probes in between;
        // had those answers counted as successes, the breaker (2 failures in a row) would never open
        String test = "slow-tasks";
        RemoteAgentTest.RUNS.put(test, new AtomicIntegerArray(2));
        LoopbackLink link = probing("slow", 1, 1, 100);
        link.delayMillis = 1_300;
        TwoStrikes breaker = new TwoStrikes();
        try (Scheduler s = Scheduler.builder().agents(1).maxAgents(2).build()) {
            int remote = s.addRemoteAgent(link, 1.0, breaker);
            List<Future<Integer>> futures = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                futures.add(s.submit(new Numbered(test, i), TaskOptions.builder().pinnedTo(remote).build()));
            }
            awaitTrue(() -> breaker.state().equals("OPEN"), "the second timeout opens the breaker");
            assertTrue(link.probes.get() >= 2, "probes were answered meanwhile: " + link.probes.get());
            assertEquals(0, agent(s, remote).probesUnanswered());
            link.delayMillis = 0;
            for (int i = 0; i < 2; i++) {
                assertEquals(2 * i, futures.get(i).get(20, TimeUnit.SECONDS));
            }
        } finally {
            link.stop();
        }
    }

    /** A breaker that, like scheduler-hazelcast's default, records only timeouts as failures (anything else as a success). */
    static final class TimeoutsOnly extends TwoStrikes {
        @Override
        public synchronized void onFailure(long permit, long runNanos, Throwable error) {
            if (error instanceof java.util.concurrent.TimeoutException) {
                super.onFailure(permit, runNanos, error);
            } else {
                super.onSuccess(permit, runNanos);
            }
        }
    }

    @Test
    void aProbeTheLinkItselfTimesOutIsATimeoutForTheBreaker() throws Exception {
        // the link gives up after 50 ms (its stage fails with a TimeoutException), well before the
        // agent's 5 s response timeout; a breaker that records only timeouts must see a timeout, not
        // the CompletionException the stage wraps it in (which it would record as a success)
        LoopbackLink link = probing("limit", 2, 1, 5_000);
        link.probeLimitMillis = 50;
        TimeoutsOnly breaker = new TimeoutsOnly();
        try (Scheduler s = Scheduler.builder().agents(1).maxAgents(2).build()) {
            int remote = s.addRemoteAgent(link, 1.0, breaker);
            awaitTrue(() -> agent(s, remote).probeMillis() >= 0, "a probe answered");
            link.hung = true;
            long hungAt = System.nanoTime();
            awaitTrue(() -> breaker.state().equals("OPEN"), "two probes the link timed out open the breaker");
            assertTrue(System.nanoTime() - hungAt < TimeUnit.SECONDS.toNanos(4), "long before the agent's own timeouts");
        } finally {
            link.stop();
        }
    }

    @Test
    void aProbeThatThrowsCountsAsUnansweredAndTheAgentGoesOn() throws Exception {
        String test = "throwing-probe";
        RemoteAgentTest.RUNS.put(test, new AtomicIntegerArray(8));
        LoopbackLink link = probing("throwing", 2, 2, 5_000);
        link.probeFailure = new IllegalStateException("the transport is broken");
        TwoStrikes breaker = new TwoStrikes();
        try (Scheduler s = Scheduler.builder().agents(1).maxAgents(2).build()) {
            int remote = s.addRemoteAgent(link, 1.0, breaker);
            awaitTrue(() -> agent(s, remote).probesUnanswered() >= 3, "probes that throw are counted");
            assertEquals("CLOSED", breaker.state(), "the link's fault is not held against the member");
            List<Future<Integer>> futures = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                futures.add(s.submit(new Numbered(test, i), TaskOptions.builder().pinnedTo(remote).build()));
            }
            for (int i = 0; i < 8; i++) {
                assertEquals(2 * i, futures.get(i).get(10, TimeUnit.SECONDS));
                assertEquals(1, RemoteAgentTest.RUNS.get(test).get(i));
            }
            assertEquals(-1, agent(s, remote).memberRunning(), "never answered: no figures");
        } finally {
            link.stop();
        }
    }
}
