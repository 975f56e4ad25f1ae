package io.github.loadstar.algorithms.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loadstar.algorithms.Policies;
import io.github.loadstar.algorithms.edf.EdfPolicy;
import io.github.loadstar.algorithms.mlfq.MlfqPolicy;
import io.github.loadstar.core.NamedSettings;
import io.github.loadstar.core.Scheduler;
import io.github.loadstar.core.SchedulerSettings;
import io.github.loadstar.core.TaskOptions;
import io.github.loadstar.core.spi.NamedParameters;
import io.github.loadstar.core.spi.OrderingPolicy;
import io.github.loadstar.core.spi.ParameterText;
import io.github.loadstar.core.spi.StealPolicies;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The ordering policies' parameters as named settings: each one set by name through
 * {@code Scheduler.reconfigure} reaches the policy in force (one version, its name in the change),
 * every bad name or value is refused naming it with nothing changed, and a changed parameter is
 * seen in the order tasks run.
 */
@Timeout(60)
final class OrderingParametersTest {

    static Stream<Arguments> policies() {
        return Stream.of(
                Arguments.of("edf", (Supplier<OrderingPolicy>) Policies::edf, Map.of()),
                Arguments.of("cfs", (Supplier<OrderingPolicy>) Policies::cfs, Map.of("nice.batch", "5")),
                Arguments.of("wfq", (Supplier<OrderingPolicy>) Policies::wfq, Map.of("weights.a", "3.0")),
                Arguments.of("mlfq", (Supplier<OrderingPolicy>) Policies::mlfq, Map.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("policies")
    void everyParameterSetByNameReachesThePolicy(String name, Supplier<OrderingPolicy> make, Map<String, String> family) {
        OrderingPolicy policy = make.get();
        try (Scheduler s = Scheduler.builder().agents(2).orderingPolicy(policy).build()) {
            NamedParameters named = (NamedParameters) policy;
            assertEquals(named.parameters(), s.settings().orderingParameters(), "the settings show the policy's parameters");
            assertEquals(named.parameters(), named.check(named.parameters()), "written back, they are the same");
            family.forEach((p, v) -> {
                SchedulerSettings.Change c = s.reconfigure(x -> x.withOrderingParameter(p, v));
                assertEquals(List.of(p), c.changed());
                assertEquals(v, named.parameters().get(p), p + " added");
            });
            for (Map.Entry<String, String> e : named.parameters().entrySet()) {
                String p = e.getKey();
                String v = another(p, e.getValue());
                long version = s.settings().version();
                SchedulerSettings.Change c = s.reconfigure(x -> x.withOrderingParameter(p, v));
                assertEquals(List.of(p), c.changed(), p + "=" + v);
                assertEquals(version + 1, s.settings().version());
                assertNotEquals(e.getValue(), named.parameters().get(p), p + " changed in the policy");
                assertEquals(named.parameters().get(p), s.settings().orderingParameters().get(p));
                assertEquals(named.parameters().get(p), named.check(Map.of(p, v)).get(p), "written as read: " + p);
            }
        }
    }

    /** A valid value other than {@code current}. */
    private static String another(String name, String current) {
        if (name.equals("agingBoost")) {
            return Integer.toString(Integer.parseInt(current) % 3 + 1);
        }
        if (name.startsWith("nice.")) {
            return Integer.toString(Integer.parseInt(current) == 19 ? 18 : Integer.parseInt(current) + 1);
        }
        if (name.startsWith("weights.")) {
            return Double.toString(Double.parseDouble(current) * 2);
        }
        return ParameterText.duration(ParameterText.duration(name, current).multipliedBy(2));
    }

    @Test
    void theSpecificationsExampleChangesTheStealThresholdAndTheAgingBoostInOneVersion() {
        MlfqPolicy mlfq = Policies.mlfq();
        try (Scheduler s = Scheduler.builder().agents(2).orderingPolicy(mlfq).build()) {
            // MLFQ's agingBoost counts levels (four of them: at most 3), so the specification's 10 is refused
            Map<String, String> spec = new LinkedHashMap<>();
            spec.put("stealThreshold", "5");
            spec.put("agingBoost", "10");
            SchedulerSettings before = s.settings();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> s.reconfigure(x -> NamedSettings.apply(x, spec)));
            assertTrue(e.getMessage().contains("agingBoost"), e.getMessage());
            assertEquals(before.version(), s.settings().version());
            assertEquals(1, mlfq.config().agingBoost());
            assertEquals(before.stealPolicy(), s.settings().stealPolicy(), "the good half was not applied either");
            spec.put("agingBoost", "2");
            SchedulerSettings.Change c = s.reconfigure(x -> NamedSettings.apply(x, spec));
            assertEquals(List.of("stealPolicy", "agingBoost"), c.changed());
            assertEquals(2, s.settings().version());
            assertEquals(2, mlfq.config().agingBoost());
            assertEquals(5, StealPolicies.stealThresholdOf(s.settings().stealPolicy()));
            assertEquals("2", NamedSettings.read(s.settings()).get("agingBoost"));
        }
    }

    @Test
    void badParametersAreRefusedByNameAndThePolicyKeepsItsConfig() {
        Object[][] cases = {
                {Policies.mlfq(), "agingBoost", "4", "agingBoost"},
                {Policies.mlfq(), "agingThreshold", "0ms", "agingThreshold"},
                {Policies.mlfq(), "weights.high", "-1", "weights.high"},
                {Policies.mlfq(), "allotment.low", "1s", "allotment.low"},
                {Policies.mlfq(), "weights.critical", "1", "weights.critical"},
                {Policies.mlfq(), "quantum.normal", "soon", "quantum.normal"},
                {Policies.cfs(), "minGranularity", "10ms", "minGranularity"},
                {Policies.cfs(), "nice.batch", "20", "nice.batch"},
                {Policies.cfs(), "nice.", "1", "nice."},
                {Policies.edf(), "undatedDeadline", "-5ms", "undatedDeadline"},
                {Policies.wfq(), "weights.a", "0", "weights.a"},
                {Policies.wfq(), "agingBoost", "2", "agingBoost"},
        };
        for (Object[] c : cases) {
            OrderingPolicy policy = (OrderingPolicy) c[0];
            try (Scheduler s = Scheduler.builder().agents(1).orderingPolicy(policy).build()) {
                SchedulerSettings before = s.settings();
                SortedMap<String, String> parameters = ((NamedParameters) policy).parameters();
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> s.reconfigure(x -> x.withOrderingParameter((String) c[1], (String) c[2])), c[1] + "=" + c[2]);
                assertTrue(e.getMessage().contains((String) c[3]), policy.name() + " " + c[1] + "=" + c[2] + ": " + e.getMessage());
                assertSame(before, s.settings());
                assertEquals(parameters, ((NamedParameters) policy).parameters());
            }
        }
    }

    @Test
    void aPolicyChangedDirectlyShowsInTheSettingsAndASwitchCarriesTheNewPolicysParameters() {
        MlfqPolicy mlfq = Policies.mlfq();
        try (Scheduler s = Scheduler.builder().agents(2).orderingPolicy(mlfq).build()) {
            mlfq.reconfigure(mlfq.config().toBuilder().agingBoost(3).build());
            assertEquals("3", s.settings().orderingParameters().get("agingBoost"));
            Map<String, String> values = new LinkedHashMap<>();
            values.put("nice.batch", "5");           // applies to the policy switched to, whatever the order
            values.put("orderingPolicy", "cfs");
            SchedulerSettings.Change c = s.reconfigure(x -> NamedSettings.apply(x, values));
            assertTrue(c.changed().contains("orderingPolicy"), c.changed().toString());
            assertEquals("cfs", s.settings().orderingPolicy().name());
            assertEquals("5", ((NamedParameters) s.settings().orderingPolicy()).parameters().get("nice.batch"));
            assertEquals("5", s.settings().orderingParameters().get("nice.batch"));
            assertTrue(!s.settings().orderingParameters().containsKey("agingBoost"), "MLFQ's parameters left with it");
        }
    }

    /**
     * EDF orders a task without a deadline as if due {@code undatedDeadline} after it was submitted:
     * at the default (1 s) a task due in 200 ms overtakes one submitted before it with no deadline;
     * at 1 ms it no longer does.
     */
    @Test
    void theUndatedDeadlineChangesWhichTaskRunsFirst() throws Exception {
        EdfPolicy edf = Policies.edf();
        try (Scheduler s = Scheduler.builder().agents(1).orderingPolicy(edf).build()) {
            assertEquals(List.of("dated", "undated"), order(s), "the default: the dated task overtakes");
            s.reconfigure(x -> NamedSettings.apply(x, Map.of("undatedDeadline", "1ms")));
            assertEquals(Duration.ofMillis(1), edf.config().undatedDeadline());
            assertEquals(List.of("undated", "dated"), order(s), "due sooner now, the undated task keeps its place");
        }
    }

    private static List<String> order(Scheduler s) throws InterruptedException {
        List<String> ran = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch gate = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        s.execute(Gate.holdUntil(started, gate));
        assertTrue(started.await(10, TimeUnit.SECONDS));
        CountDownLatch done = new CountDownLatch(2);
        s.execute(() -> {
            ran.add("undated");
            done.countDown();
        });
        Thread.sleep(5);   // the undated task's own deadline (submission + 1 ms) passes before the dated one's
        s.execute(() -> {
            ran.add("dated");
            done.countDown();
        }, TaskOptions.builder().deadline(Duration.ofMillis(200)).build());
        gate.countDown();
        assertTrue(done.await(10, TimeUnit.SECONDS));
        return new ArrayList<>(ran);
    }
}
