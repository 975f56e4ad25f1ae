package io.github.loadstar.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs {@link ModulePathCheck} the way a JPMS application runs Loadstar: in a separate JVM, from
 * the module path, as {@code java --module-path ... -m io.github.loadstar.examples/...}. The
 * tests themselves run on the class path ({@code useModulePath=false}), where a missing
 * {@code requires} or {@code uses} in a module descriptor is never noticed, and a JVM's boot layer
 * is fixed at start-up, so only a fresh JVM can show what the descriptors resolve to.
 *
 * <p>The module path is this module's classes plus its runtime dependencies as Maven resolved them,
 * handed in by the build as the system properties {@code loadstar.examples.classes} and
 * {@code loadstar.examples.runtimeClasspath} (see this module's pom). It runs once with the JDK's
 * default queue flavour and once with each of JCTools' flavours, since the Unsafe-based one is the
 * default only below JDK 24 and the bug it guards against (a missing {@code requires
 * jdk.unsupported}) shows only there.
 */
class ModulePathTest {
    private static final String MAIN = "io.github.loadstar.examples/io.github.loadstar.examples.ModulePathCheck";
    private static final long TIMEOUT_SECONDS = 120;

    @ParameterizedTest(name = "queues={0}")
    @ValueSource(strings = {"default", "unsafe", "atomic"})
    void runsFromTheModulePath(String queues, @TempDir Path tmp) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.add("-Xmx256m");
        if (!queues.equals("default")) {
            command.add("-Dloadstar.queues=" + queues);
        }
        command.add("--module-path");
        command.add(modulePath());
        command.add("-m");
        command.add(MAIN);

        Path output = tmp.resolve("output.txt");
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        boolean exited = process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String out = Files.readString(output, StandardCharsets.UTF_8);
        String report = String.join(" ", command) + "\n---- output ----\n" + out;
        if (!exited) {
            fail("did not exit within " + TIMEOUT_SECONDS + " s: " + report);
        }
        assertEquals(0, process.exitValue(), () -> "exit code of " + report);
        String okLine = out.lines().filter(l -> l.startsWith(ModulePathCheck.OK + ": ")).findFirst()
                .orElseGet(() -> fail("no line starting with '" + ModulePathCheck.OK + "' from " + report));
        assertTrue(okLine.contains("java " + Runtime.version() + ","),
                () -> "the child ran on another JDK than the tests (" + Runtime.version() + "): " + okLine);
        assertTrue(okLine.contains("queues " + queues + ","), () -> "queue flavour not passed on: " + okLine);
        assertTrue(okLine.contains("policy edf from io.github.loadstar.algorithms"), okLine);
        System.out.println(okLine);
    }

    /**
     * Remote agents from the module path: scheduler-hazelcast (a named module) and Hazelcast (an
     * automatic one) resolve, and tasks of a named module go through a member in the child JVM and
     * back (ClusterModulePathCheck).
     */
    @Test
    void remoteAgentsRunFromTheModulePath(@TempDir Path tmp) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.add("-Xmx256m");
        command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        command.addAll(io.github.loadstar.hazelcast.ClusterSettings.MODULE_PATH_JVM_FLAGS);
        command.add("--module-path");
        command.add(modulePath());
        command.add("-m");
        command.add("io.github.loadstar.examples/" + ClusterModulePathCheck.class.getName());
        Path output = tmp.resolve("output.txt");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        boolean exited = process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String out = Files.readString(output, StandardCharsets.UTF_8);
        String report = String.join(" ", command) + "\n---- output ----\n" + out;
        assertTrue(exited, () -> "did not exit within " + TIMEOUT_SECONDS + " s: " + report);
        assertEquals(0, process.exitValue(), () -> "exit code of " + report);
        String okLine = out.lines().filter(l -> l.startsWith(ClusterModulePathCheck.OK + ": ")).findFirst()
                .orElseGet(() -> fail("no line starting with '" + ClusterModulePathCheck.OK + "' from " + report));
        assertTrue(okLine.contains("io.github.loadstar.hazelcast and com.hazelcast.core from the module path"), okLine);
        assertFalse(out.contains("without proper access to required Java packages"),
                () -> "MODULE_PATH_JVM_FLAGS did not satisfy Hazelcast: " + out);
        System.out.println(okLine);
    }

    /** The test JVM's own {@code java}, so the child runs on the same JDK. */
    private static String javaExecutable() {
        Path java = Path.of(System.getProperty("java.home"), "bin",
                File.separatorChar == '\\' ? "java.exe" : "java");
        assertTrue(Files.isExecutable(java), () -> "no java executable at " + java);
        return java.toString();
    }

    /** This module's classes (an exploded module) and its runtime dependencies, as the build resolved them. */
    private static String modulePath() throws IOException {
        String classes = property("loadstar.examples.classes");
        String runtime = property("loadstar.examples.runtimeClasspath");
        assertTrue(Files.isRegularFile(Path.of(classes, "module-info.class")),
                () -> classes + " has no module-info.class");
        List<String> entries = new ArrayList<>();
        entries.add(classes);
        for (String entry : runtime.split(File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            assertTrue(Files.exists(Path.of(entry)), () -> "module path entry " + entry + " does not exist");
            entries.add(entry);
        }
        assertTrue(entries.stream().anyMatch(e -> e.contains("scheduler-core")), () -> "no scheduler-core in " + entries);
        assertTrue(entries.stream().anyMatch(e -> e.contains("scheduler-algorithms")),
                () -> "no scheduler-algorithms in " + entries);
        return String.join(File.pathSeparator, entries);
    }

    private static String property(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank() || value.startsWith("${")) {
            fail("system property " + name + " is " + value + "; the scheduler-examples build sets it"
                    + " (maven-dependency-plugin build-classpath, then surefire): run this test with Maven");
        }
        return value;
    }
}
