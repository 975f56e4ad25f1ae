package io.github.loadstar.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loadstar.core.spi.ParameterText;
import io.github.loadstar.core.spi.StealPolicies;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every setting read and written by name, as text (what JMX and the command line use): a read
 * written back changes nothing, each name takes effect, and every bad name or value is refused,
 * naming it, with the settings in force and their version unchanged.
 */
@Timeout(60)
final class NamedSettingsTest {

    @Test
    void everySettingIsReadAndWritingItBackChangesNothing() {
        try (Scheduler s = Scheduler.builder().agents(2).maxAgents(4).build()) {
            s.reconfigure(x -> x.withTenantWeight("a", 2));
            SortedMap<String, String> read = NamedSettings.read(s.settings());
            assertEquals(List.of("agentCount", "capacities[0]", "capacities[1]", "orderingPolicy", "placementPolicy",
                    "rebalanceInterval", "rebalancePolicy", "stealBatchLimit", "stealPolicy", "stealThreshold",
                    "tenantWeights[a]", "topology.calibrateCapacities", "topology.maxAgents", "topology.minAgents",
                    "topology.objective", "topology.threshold", "topology.window"), List.copyOf(read.keySet()));
            assertEquals("off", read.get("topology.objective"));
            assertEquals("fifo", read.get("orderingPolicy"));
            assertEquals("2", read.get("agentCount"));
            assertEquals("2.0", read.get("tenantWeights[a]"));
            long version = s.settings().version();
            SchedulerSettings.Change change = s.reconfigure(x -> NamedSettings.apply(x, read));
            assertTrue(change.changed().isEmpty(), "written back: " + change.changed());
            assertEquals(version, s.settings().version());
        }
    }

    @Test
    void eachNameTakesEffect() {
        try (Scheduler s = Scheduler.builder().agents(2).maxAgents(4).build()) {
            Map<String, String> values = new LinkedHashMap<>();
            values.put("stealThreshold", "5");
            values.put("stealBatchLimit", "8");
            values.put("placementPolicy", "round-robin");
            values.put("rebalancePolicy", "adaptive:0.2");
            values.put("rebalanceInterval", "250ms");
            values.put("agentCount", "3");
            values.put("capacities[1]", "2.5");
            values.put("tenantWeights[batch]", "0.5");
            SchedulerSettings.Change change = s.reconfigure(x -> NamedSettings.apply(x, values));
            assertEquals(List.of("stealPolicy", "stealBatchLimit", "placementPolicy", "rebalancePolicy", "rebalanceInterval",
                    "tenantWeights", "capacities"), change.changed());
            assertEquals(2, s.settings().version(), "one change, one version");
            SchedulerSettings now = s.settings();
            assertEquals(5, StealPolicies.stealThresholdOf(now.stealPolicy()));
            assertEquals(8, now.stealBatchLimit());
            assertEquals("round-robin", now.placementPolicy().name());
            assertEquals("adaptive:0.2", NamedSettings.read(now).get("rebalancePolicy"));
            assertEquals(Duration.ofMillis(250), now.rebalanceInterval());
            assertEquals(3, now.agentCount());
            assertEquals(3, s.metrics().agents().size(), "the third agent runs");
            assertEquals(2.5, now.capacities()[1]);
            assertEquals(0.5, now.tenantWeights().get("batch"));
            // the policy named as text, then its threshold alone
            s.reconfigure(x -> NamedSettings.apply(x, Map.of("stealPolicy", "power-of-two-choices")));
            assertEquals("power-of-two-choices", s.settings().stealPolicy().name());
            assertTrue(!NamedSettings.read(s.settings()).containsKey("stealThreshold"), "no threshold without its policy");
            s.reconfigure(x -> NamedSettings.apply(x, Map.of("stealThreshold", "0")));
            assertEquals("threshold:0", NamedSettings.read(s.settings()).get("stealPolicy"));
        }
    }

    @Test
    void badNamesAndValuesAreRefusedByNameAndNothingChanges() {
        Object[][] cases = {
                {"stealThreshold", "-1", "stealThreshold"},
                {"stealThreshold", "five", "stealThreshold"},
                {"stealPolicy", "greedy", "stealPolicy"},
                {"stealPolicy", "threshold:x", "stealThreshold"},
                {"stealBatchLimit", "0", "stealBatchLimit"},
                {"stealBatchLimit", "1025", "stealBatchLimit"},
                {"placementPolicy", "random", "placementPolicy"},
                {"rebalancePolicy", "threshold:2", "tolerance"},
                {"rebalancePolicy", "sometimes", "rebalancePolicy"},
                {"rebalanceInterval", "0ms", "rebalanceInterval"},
                {"rebalanceInterval", "5 parsecs", "rebalanceInterval"},
                {"rebalanceInterval", "2h", "rebalanceInterval"},
                {"agentCount", "0", "agentCount"},
                {"agentCount", "5", "agentCount"},
                {"capacities[3]", "1", "capacities[3]"},
                {"capacities[0]", "-1", "capacities[0]"},
                {"capacities[x]", "1", "capacities[x]"},
                {"tenantWeights[a]", "0", "tenantWeights[a]"},
                {"tenantWeights[a]", "NaN", "tenantWeights[a]"},
                {"orderingPolicy", "lottery", "orderingPolicy"},
                {"agingBoost", "10", "agingBoost"},       // FIFO has no parameters
                {"topology.objective", "fastest", "topology.objective"},
                {"topology.minAgents", "65", "topology.minAgents"},     // above maxAgents (64)
                {"topology.maxAgents", "0", "topology.maxAgents"},
                {"topology.threshold", "11", "topology.threshold"},
                {"topology.window", "10ms", "topology.window"},
                {"topology.calibrateCapacities", "maybe", "topology.calibrateCapacities"},
                {"topology.colour", "blue", "topology.colour"},
        };
        try (Scheduler s = Scheduler.builder().agents(2).maxAgents(4).build()) {
            SchedulerSettings before = s.settings();
            for (Object[] c : cases) {
                Map<String, String> values = new LinkedHashMap<>();
                values.put("stealBatchLimit", "16");   // a good value first: all or nothing
                values.put((String) c[0], (String) c[1]);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> s.reconfigure(x -> NamedSettings.apply(x, values)), c[0] + "=" + c[1]);
                assertTrue(e.getMessage().contains((String) c[2]), c[0] + "=" + c[1] + ": " + e.getMessage());
                assertSame(before, s.settings(), c[0] + "=" + c[1] + " changed nothing");
            }
            assertEquals(1, s.settings().version());
            assertThrows(NullPointerException.class, () -> NamedSettings.apply(before, null));
            Map<String, String> nullValue = new java.util.HashMap<>();
            nullValue.put("stealBatchLimit", null);
            NullPointerException npe = assertThrows(NullPointerException.class, () -> NamedSettings.apply(before, nullValue));
            assertTrue(npe.getMessage().contains("stealBatchLimit"), npe.getMessage());
        }
    }

    @Test
    void durationsReadInEveryDocumentedFormAndWriteBackExactly() {
        assertEquals(Duration.ofMillis(250), ParameterText.duration("d", "250ms"));
        assertEquals(Duration.ofMillis(250), ParameterText.duration("d", "250"));
        assertEquals(Duration.ofMillis(250), ParameterText.duration("d", "PT0.25S"));
        assertEquals(Duration.ofMillis(250), ParameterText.duration("d", "0.25s"));
        assertEquals(Duration.ofNanos(500_000), ParameterText.duration("d", "500us"));
        assertEquals(Duration.ofNanos(100), ParameterText.duration("d", "100ns"));
        assertEquals(Duration.ofMinutes(2), ParameterText.duration("d", "2m"));
        assertEquals(Duration.ofHours(1), ParameterText.duration("d", " 1h "));
        for (Duration d : new Duration[] {Duration.ofNanos(7), Duration.ofNanos(1_500_000), Duration.ofMillis(250),
                Duration.ofSeconds(90), Duration.ofMinutes(3), Duration.ofHours(2), Duration.ZERO}) {
            assertEquals(d, ParameterText.duration("d", ParameterText.duration(d)), ParameterText.duration(d));
        }
        for (String bad : new String[] {"", "ms", "1 fortnight", "PTxS", "1e400s"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ParameterText.duration("agingThreshold", bad), bad);
            assertTrue(e.getMessage().startsWith("agingThreshold"), e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ParameterText.integer("agingBoost", null, 1, 3));
        assertTrue(e.getMessage().contains("agingBoost"), e.getMessage());
    }
}
