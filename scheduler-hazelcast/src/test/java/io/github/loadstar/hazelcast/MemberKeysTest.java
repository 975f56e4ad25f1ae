package io.github.loadstar.hazelcast;

import static io.github.loadstar.hazelcast.RemoteAgentsCrashTest.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The key table's listeners live exactly as long as someone uses them: after the creator's close they
 * still follow the partitions while a link built on the keys is open, and the link's close removes
 * them (before, they were never removed: every RemoteMembers attached and closed left two listeners
 * on the instance, rebuilding a table nobody read at every migration). Members in this JVM.
 */
final class MemberKeysTest {

    @Test
    @Timeout(120)
    void theListenersStayWhileALinkUsesThemAndGoWithTheLastRelease() throws Exception {
        List<Integer> ports = LoopbackWorkers.freePorts(4);
        LoopbackWorkers cluster = new LoopbackWorkers("member-keys-" + UUID.randomUUID(), ports);
        List<HazelcastInstance> started = new ArrayList<>();
        try {
            HazelcastInstance first = Hazelcast.newHazelcastInstance(cluster.settings(ports.get(0)).workerConfig());
            started.add(first);
            HazelcastInstance lite = Hazelcast.newHazelcastInstance(cluster.settings(ports.get(3)).liteMemberConfig());
            started.add(lite);
            LoopbackWorkers.awaitSafe(lite, 2);
            MemberKeys keys = MemberKeys.watching(lite);
            HazelcastRemoteLink link = new HazelcastRemoteLink(lite, first.getCluster().getLocalMember(), keys, 2, 1_000_000_000L);
            keys.close();
            keys.close();       // idempotent: the creator releases once

            // the link still uses them: a member joining is followed
            HazelcastInstance second = Hazelcast.newHazelcastInstance(cluster.settings(ports.get(1)).workerConfig());
            started.add(second);
            LoopbackWorkers.awaitSafe(lite, 3);
            UUID secondId = second.getCluster().getLocalMember().getUuid();
            awaitTrue(() -> keys.partitionsOf(secondId) > 0, "the joined member's partitions are in the table");

            // the last release removes them: a member joining now is not followed
            link.close();
            link.close();       // idempotent: the link releases once
            int refreshesAtRelease = keys.refreshCount();
            HazelcastInstance third = Hazelcast.newHazelcastInstance(cluster.settings(ports.get(2)).workerConfig());
            started.add(third);
            LoopbackWorkers.awaitSafe(lite, 4);
            Thread.sleep(500);      // events of the join and its migrations have been delivered
            UUID thirdId = third.getCluster().getLocalMember().getUuid();
            assertEquals(refreshesAtRelease, keys.refreshCount(), "no listener rebuilt the table after the last release");
            assertEquals(0, keys.partitionsOf(thirdId), "the table was not followed");
            keys.refresh();
            assertEquals(true, keys.partitionsOf(thirdId) > 0, "refresh by hand still works");
        } finally {
            for (int i = started.size() - 1; i >= 0; i--) {
                started.get(i).shutdown();
            }
        }
    }
}
