package io.github.loadstar.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loadstar.core.Scheduler;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Clients that go away in the middle of a command (issue 11's fault list): a {@code loadstar}
 * process killed while it samples a scheduler in another JVM over JMX, and an MCP client over HTTP
 * closed while the server, inside the scheduler's own JVM, runs a sampling tool for it. Afterwards
 * the scheduler runs new work, nothing in it changed, and the same surface serves the next client.
 */
@Timeout(120)
final class ClientDisconnectTest {

    private static int runCli(String... args) {
        return Loadstar.run(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), args);
    }

    @Test
    void aCommandLineKilledWhileSamplingOverJmxLeavesTheTargetAsItWas() throws Exception {
        try (TargetJvm target = TargetJvm.start("ops-disconnect-target")) {
            SchedulerClient before = new Target(target.pid, null, null, "ops-disconnect-target").connect();
            long version;
            try {
                version = before.settingsVersion();
            } finally {
                before.close();
            }
            Process cli = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), Loadstar.class.getName(), "metrics-collect",
                    "--pid", target.pid, "--components", "agents", "--interval", "100ms", "--count", "600")
                    .redirectErrorStream(true).start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(cli.getInputStream(), StandardCharsets.UTF_8))) {
                // the header and two samples: the command is connected and in the middle of its run
                for (int i = 0; i < 3; i++) {
                    assertNotNull(out.readLine(), "the command's output");
                }
                cli.destroyForcibly();
                assertTrue(cli.waitFor(30, TimeUnit.SECONDS));
            }
            assertTrue(cli.exitValue() != 0, "killed mid-command");
            // the same surface serves the next client, and the scheduler is as it was
            assertEquals(0, runCli("agents", "--pid", target.pid));
            SchedulerClient after = new Target(target.pid, null, null, "ops-disconnect-target").connect();
            try {
                assertEquals("RUNNING", after.state());
                assertEquals(version, after.settingsVersion(), "nothing changed");
                assertEquals(OpsTarget.QUEUED, after.agents().get(0).get("queued") instanceof Number n ? n.longValue() : -1,
                        "agent 0's backlog untouched");
            } finally {
                after.close();
            }
            assertTrue(!target.log().contains("Exception"), "the target logged no exception: " + target.log());
        }
    }

    private static McpSyncClient client(LoadstarMcpHttpServer server) {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(server.baseUrl())
                .endpoint("/mcp").requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + server.token()))
                .build();
        return McpClient.sync(transport).requestTimeout(Duration.ofSeconds(30)).initializationTimeout(Duration.ofSeconds(20))
                .clientInfo(new McpSchema.Implementation("disconnect-test", "1.0")).build();
    }

    @Test
    void anMcpClientClosedDuringAToolCallLeavesTheServerAndTheSchedulerServing() throws Exception {
        try (Scheduler s = Scheduler.builder().name("mcp-disconnect").agents(2).build();
             LoadstarMcpHttpServer server = LoadstarMcpHttpServer.builder(s).start()) {
            long version = s.settings().version();
            McpSyncClient leaving = client(server);
            leaving.initialize();
            // 20 samples 200 ms apart: about 4 s of work on the server for this client
            CompletableFuture<McpSchema.CallToolResult> call = CompletableFuture.supplyAsync(() -> leaving.callTool(
                    McpSchema.CallToolRequest.builder("metrics_collect").arguments(Map.of("samples", 20, "interval_ms", 200))
                            .build()));
            assertThrows(java.util.concurrent.TimeoutException.class, () -> call.get(500, TimeUnit.MILLISECONDS),
                    "still running when the client goes");
            leaving.close();
            ExecutionException ended = assertThrows(ExecutionException.class, () -> call.get(30, TimeUnit.SECONDS),
                    "the closed client's call ends without a result");
            assertNotNull(ended.getCause());
            // the server serves the next client, the scheduler runs new work, nothing changed
            try (McpSyncClient next = client(server)) {
                next.initialize();
                McpSchema.CallToolResult status = next.callTool(McpSchema.CallToolRequest.builder("scheduler_status")
                        .arguments(Map.of()).build());
                assertTrue(!Boolean.TRUE.equals(status.isError()), status.toString());
                McpSchema.CallToolResult sampled = next.callTool(McpSchema.CallToolRequest.builder("metrics_collect")
                        .arguments(Map.of("samples", 2, "interval_ms", 10)).build());
                assertTrue(!Boolean.TRUE.equals(sampled.isError()), sampled.toString());
            }
            assertEquals(42, s.submit(() -> 42).get(10, TimeUnit.SECONDS));
            assertEquals(version, s.settings().version());
            assertEquals(List.of(), s.bottlenecks(Duration.ZERO).stream().filter(f -> f.kind().name().contains("FAIL"))
                    .toList(), "no failure found in the scheduler");
        }
    }
}
