package io.github.loadstar.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import java.io.Serializable;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A body that fails because its own member is shutting down records no outcome. While a member
 * leaves gracefully, its proxies refuse the body's calls ("Hazelcast instance is not active") but
 * the ledger's entry processors still go through; recording the body's failure then made the
 * member's departure the task's outcome (seen once in {@code RemoteAgentsChurnTest}: a task's future
 * failed with the body's {@code HazelcastInstanceNotActiveException}). The invocation now ends
 * without an outcome and gives the body up in the ledger, so the task sent again runs at once on a
 * member that stays.
 *
 * <p>Two members in this JVM: the invocation is called directly on the test's thread, so the
 * leaving member's graceful shutdown does not wait for it.
 */
final class LeavingMemberTest {

    @Test
    @Timeout(120)
    void aBodyThatFailsBecauseItsMemberIsShuttingDownRecordsNoOutcomeAndRunsAgainElsewhere() throws Exception {
        List<Integer> ports = LoopbackWorkers.freePorts(2);
        LoopbackWorkers cluster = new LoopbackWorkers("leaving-" + UUID.randomUUID(), ports);
        HazelcastInstance staying = Hazelcast.newHazelcastInstance(cluster.settings(ports.get(0)).workerConfig());
        HazelcastInstance leaving = Hazelcast.newHazelcastInstance(cluster.settings(ports.get(1)).workerConfig());
        try {
            LoopbackWorkers.awaitSafe(staying, 2);
            // a task whose ledger line the staying member holds: the ledger stays reachable throughout
            String id = null;
            for (int i = 0; id == null; i++) {
                if (staying.getPartitionService().getPartition("leaving-task-" + i).getOwner().localMember()) {
                    id = "leaving-task-" + i;
                }
            }
            LedgeredTask<String> first = new LedgeredTask<>(id, new ShutsItsMemberDown());
            first.setHazelcastInstance(leaving);
            OutcomeNotDelivered notDelivered = assertThrows(OutcomeNotDelivered.class, first::call,
                    "the member's departure is not the task's outcome");
            assertTrue(notDelivered.getMessage().contains(id), notDelivered.getMessage());
            LedgerEntry line = TaskLedger.of(staying).entry(id);
            assertNotNull(line, "the body was granted");
            assertFalse(line.done(), "no outcome recorded: " + line);
            assertTrue(line.isReleased(), "the leaving invocation gave the body up: " + line);
            // sent again at once: the copy need not wait for the leaving member to be gone
            LedgeredTask<String> again = new LedgeredTask<>(id, new Fine());
            again.setHazelcastInstance(staying);
            assertEquals("fine", again.call(), "sent again, it ran on the member that stayed");
            LedgerEntry done = TaskLedger.of(staying).entry(id);
            assertTrue(done.done(), done.toString());
            assertEquals(2, done.bodyRuns(), "granted to the leaving member, then taken over: " + done);
            assertEquals(staying.getCluster().getLocalMember().getUuid().toString(), done.doneBy(), done.toString());
        } finally {
            leaving.getLifecycleService().terminate();
            staying.shutdown();
        }
    }

    /** Starts its member's graceful shutdown, then uses the member: the call fails as the member leaves. */
    static final class ShutsItsMemberDown implements Callable<String>, Serializable, HazelcastInstanceAware {
        private static final long serialVersionUID = 1L;
        private transient HazelcastInstance hz;

        @Override
        public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
            this.hz = hazelcastInstance;
        }

        @Override
        public String call() throws Exception {
            Thread shutdown = new Thread(hz::shutdown, "leaving-member-shutdown");
            shutdown.setDaemon(true);
            shutdown.start();
            while (hz.getLifecycleService().isRunning()) {
                Thread.sleep(1);
            }
            hz.getMap("leaving-effects").put("k", 1);     // "Hazelcast instance is not active!"
            return "unreachable";
        }
    }

    static final class Fine implements Callable<String>, Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public String call() {
            return "fine";
        }
    }
}
