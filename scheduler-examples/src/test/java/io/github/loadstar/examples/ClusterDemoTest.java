package io.github.loadstar.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loadstar.hazelcast.ClusterSettings;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs {@link ClusterDemo} as a user would, in a JVM of its own from the class path (its three worker
 * processes are started from that class path), and checks what it printed: the kill, nothing lost,
 * every outcome recorded once.
 */
class ClusterDemoTest {

    @Test
    @Timeout(240)
    void theClusterDemoKillsAMemberAndLosesNothing() throws Exception {
        String classPath = System.getProperty("loadstar.examples.classes") + File.pathSeparator
                + System.getProperty("loadstar.examples.runtimeClasspath");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ClusterSettings.JVM_FLAGS);
        command.addAll(List.of("-Xmx256m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", classPath,
                ClusterDemo.class.getName()));
        Process demo = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = demo.getInputStream().readAllBytes();
        assertTrue(demo.waitFor(200, TimeUnit.SECONDS), "the demo ended");
        String printed = new String(out, StandardCharsets.UTF_8);
        System.out.println(printed);
        assertEquals(0, demo.exitValue(), printed);
        assertTrue(printed.contains("kill -9 of the member behind agent"), printed);
        assertTrue(printed.contains("lost 0 of 600; outcomes recorded 600, once each"), printed);
    }
}
