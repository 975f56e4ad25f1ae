package io.github.loadstar.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loadstar.core.Scheduler;
import io.github.loadstar.core.TaskOptions;
import io.github.loadstar.core.management.SchedulerManagement;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The embeddable MCP server ({@link LoadstarMcpHttpServer}) in this JVM, driven by the SDK's own
 * streamable HTTP client: a request without the bearer token (or with a wrong one, or a foreign
 * Host) is refused before anything runs; with it, every tool works as over stdio; changes follow
 * {@code allowChanges}.
 */
final class McpHttpTest {

    private static McpSyncClient client(LoadstarMcpHttpServer server, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(server.baseUrl())
                .endpoint("/mcp").requestBuilder(request).build();
        return McpClient.sync(transport).requestTimeout(Duration.ofSeconds(20)).initializationTimeout(Duration.ofSeconds(20))
                .clientInfo(new McpSchema.Implementation("mcp-http-test", "1.0")).build();
    }

    @Test
    void theTokenIsRequiredAndWithItEveryToolWorks() throws Exception {
        try (Scheduler s = Scheduler.builder().name("mcp-http").agents(3)
                .coordinator(io.github.loadstar.core.CoordinatorConfig.builder().historyInterval(Duration.ofMillis(50)).build())
                .build()) {
            CountDownLatch ran = new CountDownLatch(2 * OpsTarget.TENANT_TASKS);
            for (int i = 0; i < OpsTarget.TENANT_TASKS; i++) {
                s.execute(ran::countDown, TaskOptions.builder().tenant("alpha", 1).build());
                s.execute(ran::countDown, TaskOptions.builder().tenant("beta", 2).build());
            }
            assertTrue(ran.await(20, TimeUnit.SECONDS));
            Thread.sleep(200);      // history snapshots after the work: an idle window for topology_optimize
            javax.management.ObjectName bean = SchedulerManagement.objectName("mcp-http");
            try (LoadstarMcpHttpServer server = LoadstarMcpHttpServer.builder(s).start()) {
                assertTrue(ManagementFactory.getPlatformMBeanServer().isRegistered(bean), "registered for the server's life");
                assertTrue(server.baseUrl().startsWith("http://127.0.0.1:"), server.baseUrl());

                try (McpSyncClient anonymous = client(server, null)) {
                    assertThrows(RuntimeException.class, anonymous::initialize, "no token, no session");
                }
                try (McpSyncClient wrong = client(server, server.token() + "x")) {
                    assertThrows(RuntimeException.class, wrong::initialize, "a wrong token, no session");
                }
                HttpResponse<String> raw = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/mcp"))
                        .header("Authorization", "Bearer " + server.token()).header("Content-Type", "application/json")
                        .header("Accept", "application/json, text/event-stream").header("Origin", "http://evil.example")
                        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(403, raw.statusCode(), "a foreign Origin is refused even with the token: " + raw.body());

                try (McpSyncClient c = client(server, server.token())) {
                    c.initialize();
                    McpStdioTest.readOnlyToolsWork(c, "mcp-http", false);
                    assertTrue(McpStdioTest.refused(c, "config_update", Map.of("settings", Map.of("stealBatchLimit", 8)))
                            .contains("--allow-changes"));
                    assertEquals(1, s.settings().version(), "nothing changed");
                }
            }
            assertFalse(ManagementFactory.getPlatformMBeanServer().isRegistered(bean), "the server's own registration ends with it");

            try (LoadstarMcpHttpServer server = LoadstarMcpHttpServer.builder(s).allowChanges(true)
                    .token("a-token-of-our-own-choosing").start();
                 McpSyncClient c = client(server, "a-token-of-our-own-choosing")) {
                c.initialize();
                Map<?, ?> applied = McpStdioTest.ok(c, "config_update", Map.of("settings", Map.of("stealBatchLimit", 8)));
                assertEquals(List.of("stealBatchLimit"), applied.get("changed"));
                assertEquals(8, s.settings().stealBatchLimit(), "applied to the scheduler itself");
            }
        }
    }

    @Test
    void badSettingsAreRefusedByName() {
        try (Scheduler s = Scheduler.builder().name("mcp-http-bad").agents(1).build()) {
            LoadstarMcpHttpServer.Builder b = LoadstarMcpHttpServer.builder(s);
            assertTrue(assertThrows(IllegalArgumentException.class, () -> b.port(70_000)).getMessage().contains("port"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> b.token("short")).getMessage().contains("token"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> b.endpoint("mcp")).getMessage().contains("endpoint"));
            assertThrows(NullPointerException.class, () -> LoadstarMcpHttpServer.builder(null));
        }
    }
}
