package io.github.loadstar.ops;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** An {@link OpsTarget} JVM started by a test: its pid and JMX address; closing it ends it. */
final class TargetJvm implements AutoCloseable {
    final Process process;
    final String pid;
    final String jmx;
    private final Path log;
    private final Writer stdin;

    private TargetJvm(Process process, String pid, String jmx, Path log) {
        this.process = process;
        this.pid = pid;
        this.jmx = jmx;
        this.log = log;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    }

    static TargetJvm start(String schedulerName) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path log = Files.createTempFile("ops-target-", ".log");
        log.toFile().deleteOnExit();
        Process p = new ProcessBuilder(java.toString(), "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                OpsTarget.class.getName(), schedulerName).redirectError(log.toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
            try {
                for (String line; (line = out.readLine()) != null; ) {
                    if (line.startsWith("READY ")) {
                        return line;
                    }
                }
                return null;
            } catch (IOException e) {
                return null;
            }
        });
        String line;
        try {
            line = ready.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            p.destroyForcibly();
            throw new IllegalStateException("the target JVM did not start: " + e, e);
        }
        if (line == null) {
            p.destroyForcibly();
            throw new IllegalStateException("the target JVM exited before it was ready: " + p.waitFor());
        }
        String[] parts = line.split(" ");
        return new TargetJvm(p, parts[1], parts[2], log);
    }

    /** What the target has logged (its standard error) so far. */
    String log() throws IOException {
        return Files.readString(log);
    }

    /** Lets agent 0 go. */
    void release() throws IOException {
        stdin.write("release\n");
        stdin.flush();
    }

    @Override
    public void close() throws Exception {
        try {
            stdin.close();
        } catch (IOException ignored) {
            // it may have gone already
        }
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
