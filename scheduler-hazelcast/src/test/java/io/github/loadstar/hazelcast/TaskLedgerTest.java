package io.github.loadstar.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.AbstractMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The ledger's two entry processors as a state machine, without a cluster (Hazelcast runs them one
 * at a time per key, so a sequence of calls is exactly what a key sees): over random sequences of
 * invocations on three members, members leaving and coming back, first looks and repeated looks,
 * and finishes, the ledger's promises hold at every step.
 */
final class TaskLedgerTest {
    private static final String[] MEMBERS = {"m0", "m1", "m2"};

    @Test
    void beginAndFinishKeepTheLedgersPromisesOverRandomHistories() {
        qt().withFixedSeed(0x1ED6E5L).withExamples(2_000)
                .forAll(integers().between(1, 60), longs().all())
                .checkAssert((steps, seed) -> history(steps, new Random(seed)));
    }

    private static void history(int steps, Random random) {
        Map.Entry<String, LedgerEntry> entry = new AbstractMap.SimpleEntry<>("task-1", null);
        Set<String> live = new HashSet<>(Set.of(MEMBERS));
        Object firstOutcome = null;
        boolean recorded = false;
        int grants = 0;
        int firstLooks = 0;
        for (int step = 0; step < steps; step++) {
            LedgerEntry before = entry.getValue();
            int what = random.nextInt(10);
            String member = MEMBERS[random.nextInt(MEMBERS.length)];
            if (what < 2) {
                // a member leaves, or comes back
                if (!live.remove(member)) {
                    live.add(member);
                }
                continue;
            }
            if (what == 2) {
                // the runner's invocation gives the body up (its member is leaving), or another tries
                if (before == null) {
                    continue;
                }
                boolean own = random.nextBoolean();
                String invocation = own ? before.invocation() : "inv-other-" + step;
                LedgerEntry after = new TaskLedger.Release(invocation).process(entry);
                assertSame(entry.getValue(), after, "release returns the entry it leaves");
                if (before.done() || !own) {
                    assertEquals(before, after, "only the runner's own invocation releases, and only before an outcome");
                } else {
                    assertTrue(after.isReleased(), after.toString());
                    assertEquals(before.bodyRuns(), after.bodyRuns(), "a release grants nothing");
                }
                continue;
            }
            if (what < 7) {
                boolean firstLook = random.nextBoolean() || before == null;
                String invocation = firstLook ? "inv-" + step : (before == null ? "inv-x" : before.invocation());
                if (firstLook) {
                    firstLooks++;
                }
                LedgerEntry after = new TaskLedger.Begin(member, invocation, firstLook).decide(entry, live::contains);
                assertSame(entry.getValue(), after, "begin returns the entry it leaves");
                boolean granted = !after.done() && invocation.equals(after.invocation())
                        && (before == null || !invocation.equals(before.invocation()));
                if (granted) {
                    grants++;
                    // only when nothing is recorded, and nobody live is running it
                    assertTrue(before == null || !before.done() && !live.contains(before.runner()),
                            "granted the body to " + invocation + " while " + before);
                    assertEquals(member, after.runner());
                }
                if (before != null && before.done()) {
                    assertTrue(after.done(), "a recorded outcome stays recorded");
                    assertEquals(before.outcome(), after.outcome(), "a recorded outcome never changes");
                }
            } else {
                if (before == null) {
                    continue;       // an invocation finishes only after its begin
                }
                Object outcome = "outcome-" + step;
                LedgerEntry after = new TaskLedger.Finish(member, outcome, random.nextInt(5) == 0).process(entry);
                assertTrue(after.done());
                if (!recorded) {
                    recorded = true;
                    firstOutcome = outcome;
                    assertEquals(member, after.doneBy());
                }
                assertEquals(firstOutcome, after.outcome(), "the first finish's outcome stands");
            }
            LedgerEntry now = entry.getValue();
            assertNotNull(now);
            assertEquals(grants, now.bodyRuns(), "bodyRuns counts the invocations given the body");
            assertEquals(firstLooks, now.invocations(), "invocations counts first looks");
        }
    }

    @Test
    void aReleasedBodyIsTakenOverAtOnceByALiveMember() {
        Map.Entry<String, LedgerEntry> entry = new AbstractMap.SimpleEntry<>("t", null);
        new TaskLedger.Begin("m0", "a", true).decide(entry, Set.of("m0", "m1")::contains);
        assertEquals("a", new TaskLedger.Begin("m1", "b", true).decide(entry, Set.of("m0", "m1")::contains).invocation(),
                "m0 runs it: b waits");
        LedgerEntry released = new TaskLedger.Release("a").process(entry);
        assertTrue(released.isReleased(), released.toString());
        LedgerEntry takeOver = new TaskLedger.Begin("m1", "b", false).decide(entry, Set.of("m0", "m1")::contains);
        assertEquals("b", takeOver.invocation(), "m0 is still a member but gave the body up: b runs it");
        assertEquals(2, takeOver.bodyRuns());
        assertEquals(takeOver, new TaskLedger.Release("a").process(entry), "a stale release changes nothing");
    }

    @Test
    void aTakeOverHappensOnlyOnceTheRunnerHasLeft() {
        Map.Entry<String, LedgerEntry> entry = new AbstractMap.SimpleEntry<>("t", null);
        LedgerEntry first = new TaskLedger.Begin("m0", "a", true).decide(entry, Set.of("m0", "m1")::contains);
        assertEquals("a", first.invocation());
        LedgerEntry waiting = new TaskLedger.Begin("m1", "b", true).decide(entry, Set.of("m0", "m1")::contains);
        assertEquals("a", waiting.invocation(), "m0 is still in the cluster: b waits");
        assertEquals(1, waiting.bodyRuns());
        LedgerEntry takeOver = new TaskLedger.Begin("m1", "b", false).decide(entry, Set.of("m1")::contains);
        assertEquals("b", takeOver.invocation(), "m0 left: b runs the body");
        assertEquals(2, takeOver.bodyRuns());
        assertEquals(2, takeOver.invocations());
        LedgerEntry done = new TaskLedger.Finish("m1", 42, false).process(entry);
        assertEquals(42, done.outcome());
        LedgerEntry late = new TaskLedger.Finish("m0", 7, false).process(entry);
        assertEquals(42, late.outcome(), "m0 woke up and finished too: the first outcome stands");
    }
}
