package io.github.loadstar.ops;

import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.jackson3.JacksonMcpJsonMapper;
import io.modelcontextprotocol.json.schema.jackson3.DefaultJsonSchemaValidator;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.function.Supplier;

/**
 * Builds Loadstar's MCP servers on the official MCP Java SDK, with one JSON mapper and schema
 * validator passed explicitly (the SDK's ServiceLoader lookup fails in shaded jars and thread pools).
 */
final class McpServers {
    static final McpJsonMapper MAPPER = new JacksonMcpJsonMapper(tools.jackson.databind.json.JsonMapper.shared());
    static final String INSTRUCTIONS = "Tools to observe and operate a running Loadstar scheduler (a work-stealing "
            + "executor): start with scheduler_status and performance_report; bottleneck_analyze says what limits it and "
            + "what to do; load_balance and config_update change it when the server allows changes.";

    private McpServers() {
    }

    static String version() {
        String v = McpServers.class.getPackage().getImplementationVersion();
        return v == null ? "development" : v;
    }

    /**
     * An MCP server on standard input and output (what desktop MCP clients launch): {@code in} and
     * {@code out} are the protocol's streams and nothing else may write to {@code out}.
     */
    static McpSyncServer stdio(Supplier<SchedulerClient> client, boolean allowChanges, InputStream in, OutputStream out) {
        SchedulerTools tools = new SchedulerTools(client, allowChanges, MAPPER);
        return build(McpServer.sync(new StdioServerTransportProvider(MAPPER, in, out)), tools);
    }

    /** The server of {@code spec} with Loadstar's name, instructions, mapper, validator, capabilities, tools and resources. */
    static McpSyncServer build(McpServer.SyncSpecification<?> spec, SchedulerTools tools) {
        return spec.serverInfo("loadstar", version())
                .instructions(INSTRUCTIONS)
                .jsonMapper(MAPPER)
                .jsonSchemaValidator(new DefaultJsonSchemaValidator())
                .capabilities(McpSchema.ServerCapabilities.builder().tools(false).resources(false, false).logging().build())
                .tools(tools.tools())
                .resources(tools.resources())
                .build();
    }
}
