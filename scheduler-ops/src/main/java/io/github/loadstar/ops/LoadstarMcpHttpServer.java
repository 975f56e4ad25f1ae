package io.github.loadstar.ops;

import io.github.loadstar.core.Scheduler;
import io.github.loadstar.core.management.SchedulerManagement;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.DefaultServerTransportSecurityValidator;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.server.transport.ServerTransportSecurityException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.startup.Tomcat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * The embeddable MCP server: a host application serves its own scheduler's tools over the SDK's
 * streamable HTTP transport, in its own JVM, on an embedded Tomcat (Servlet 6.1, asynchronous
 * support on: the transport needs it for tools/call). Security, checked on every request before
 * the transport reads it: the Host header must name the loopback or the bound address (DNS
 * rebinding), a browser Origin must be local, and an "Authorization: Bearer <token>" header must
 * match the server's token, compared in constant time — a request without it gets 401. It binds to
 * 127.0.0.1 unless told otherwise. The tools are SchedulerTools over the scheduler's management bean
 * in the platform MBean server (registered for the server's life if the scheduler was built without
 * jmx(true)), the same control plane the command line drives from outside.
 */

/** An MCP server over streamable HTTP for a scheduler in this JVM; see the overview in the source. */
public final class LoadstarMcpHttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LoadstarMcpHttpServer.class);

    private final Tomcat tomcat;
    private final McpSyncServer server;
    private final SchedulerManagement registered;
    private final String token;
    private final String host;
    private final int port;
    private final Path baseDir;

    private LoadstarMcpHttpServer(Builder b) throws LifecycleException, java.io.IOException {
        Scheduler scheduler = b.scheduler;
        javax.management.ObjectName name = SchedulerManagement.objectName(scheduler.name());
        token = b.token != null ? b.token : newToken();
        host = b.bindAddress.getHostAddress();
        registered = ManagementFactory.getPlatformMBeanServer().isRegistered(name) ? null
                : SchedulerManagement.register(scheduler);
        McpSyncServer built = null;
        Tomcat started = null;
        Path base = null;
        try {
            SchedulerClient client = new SchedulerClient(null, ManagementFactory.getPlatformMBeanServer(), name);
            byte[] expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
            DefaultServerTransportSecurityValidator.Builder hosts = DefaultServerTransportSecurityValidator.builder()
                    .allowedHost("127.0.0.1:*").allowedHost("localhost:*").allowedHost("[::1]:*")
                    .allowedHost(hostHeader(b.bindAddress) + ":*")
                    .allowedOrigin("http://localhost:*").allowedOrigin("http://127.0.0.1:*");
            for (String h : b.allowedHosts) {
                hosts.allowedHost(h + ":*");
            }
            DefaultServerTransportSecurityValidator local = hosts.build();
            HttpServletStreamableServerTransportProvider transport = HttpServletStreamableServerTransportProvider.builder()
                    .jsonMapper(McpServers.MAPPER)
                    .mcpEndpoint(b.endpoint)
                    .httpHeaderValidator(headers -> {
                        local.validate(headers);
                        List<String> auth = headers.getHeader("Authorization");
                        byte[] given = auth == null || auth.size() != 1 ? new byte[0]
                                : auth.get(0).getBytes(StandardCharsets.UTF_8);
                        if (!MessageDigest.isEqual(expected, given)) {
                            throw new ServerTransportSecurityException(401, "a bearer token is required");
                        }
                    })
                    .contextExtractor(request -> McpTransportContext.create(Map.of("principal",
                            "bearer token from " + request.getRemoteAddr())))
                    .build();
            SchedulerTools tools = new SchedulerTools(() -> client, b.allowChanges, McpServers.MAPPER);
            built = McpServers.build(McpServer.sync(transport), tools);
            started = new Tomcat();
            base = Files.createTempDirectory("loadstar-mcp");
            started.setBaseDir(base.toString());
            started.setPort(b.port);
            started.getConnector().setProperty("address", host);
            started.getConnector().setThrowOnFailure(true);
            Context context = started.addContext("", base.toString());
            Tomcat.addServlet(context, "mcp", transport).setAsyncSupported(true);
            context.addServletMappingDecoded("/*", "mcp");
            started.start();
        } catch (LifecycleException | java.io.IOException | RuntimeException e) {
            stop(built, started, base, registered);     // nothing of a failed start stays behind
            throw e;
        }
        server = built;
        tomcat = started;
        baseDir = base;
        port = tomcat.getConnector().getLocalPort();
        LOG.info("MCP server for scheduler {} on {}{} (changes {})", scheduler.name(), baseUrl(), b.endpoint,
                b.allowChanges ? "allowed" : "refused");
    }

    /** How a client names {@code address} in its Host header: an IPv6 address in brackets. */
    private static String hostHeader(InetAddress address) {
        String text = address.getHostAddress();
        return address instanceof java.net.Inet6Address ? "[" + text.replaceAll("%.*$", "") + "]" : text;
    }

    /** Stops what was started, each part whatever the others do. */
    private static void stop(McpSyncServer server, Tomcat tomcat, Path base, SchedulerManagement registered) {
        try {
            if (server != null) {
                server.closeGracefully();
            }
        } catch (RuntimeException e) {
            LOG.warn("MCP server: the MCP session did not close cleanly: {}", e.toString());
        }
        try {
            if (tomcat != null) {
                tomcat.stop();
                tomcat.destroy();
            }
        } catch (LifecycleException | RuntimeException e) {
            LOG.warn("MCP server: Tomcat did not stop cleanly: {}", e.toString());
        }
        if (base != null) {
            try (java.util.stream.Stream<Path> files = Files.walk(base)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (java.io.IOException | RuntimeException e) {
                LOG.warn("MCP server: could not delete {}: {}", base, e.toString());
            }
        }
        if (registered != null) {
            registered.unregister();
        }
    }

    public static Builder builder(Scheduler scheduler) {
        return new Builder(scheduler);
    }

    /** The port it listens on (the one chosen when built with port 0). */
    public int port() {
        return port;
    }

    /** The base address, {@code http://<bind address>:<port>}; the endpoint is under it. */
    public String baseUrl() {
        return "http://" + (host.contains(":") ? "[" + host.replaceAll("%.*$", "") + "]" : host) + ":" + port;
    }

    /** The bearer token a client must send ({@code Authorization: Bearer <token>}). */
    public String token() {
        return token;
    }

    @Override
    public void close() {
        stop(server, tomcat, baseDir, registered);
    }

    private static String newToken() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Builds and starts a {@link LoadstarMcpHttpServer}; each setter checks its value at once. */
    public static final class Builder {
        private final Scheduler scheduler;
        private InetAddress bindAddress;
        private int port;
        private String token;
        private boolean allowChanges;
        private String endpoint = "/mcp";
        private final java.util.List<String> allowedHosts = new java.util.ArrayList<>();

        private Builder(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            try {
                this.bindAddress = InetAddress.getByName("127.0.0.1");
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }

        /** The address to listen on (default 127.0.0.1: only this machine). */
        public Builder bindAddress(InetAddress address) {
            this.bindAddress = Objects.requireNonNull(address, "bindAddress");
            return this;
        }

        /** @throws IllegalArgumentException naming {@code port} unless 0 (any free port) … 65,535 */
        public Builder port(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be between 0 and 65535: " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * The bearer token clients must send (default: 32 random bytes, base64url, read with
         * {@link LoadstarMcpHttpServer#token()}).
         *
         * @throws IllegalArgumentException naming {@code token} if shorter than 16 characters or not printable ASCII
         */
        public Builder token(String token) {
            if (token == null || token.length() < 16 || !token.chars().allMatch(c -> c > 32 && c < 127)) {
                throw new IllegalArgumentException("token must be at least 16 printable ASCII characters without spaces");
            }
            this.token = token;
            return this;
        }

        /** Whether the tools that change the scheduler (load_balance, config_update) may run (default false). */
        public Builder allowChanges(boolean allow) {
            this.allowChanges = allow;
            return this;
        }

        /**
         * Another name clients may reach the server by (their Host header, without the port), for a
         * server bound beyond the loopback: {@code orders.internal}, {@code 10.0.0.5}, {@code [fd00::5]}.
         * Requests naming any other host are refused (421), against DNS rebinding.
         *
         * @throws IllegalArgumentException naming {@code allowedHost} if it is blank, holds a port or spaces
         */
        public Builder allowedHost(String host) {
            if (host == null || host.isBlank() || host.chars().anyMatch(Character::isWhitespace)
                    || (host.contains(":") && !host.startsWith("["))) {
                throw new IllegalArgumentException("allowedHost must be a host name or address without a port: " + host);
            }
            allowedHosts.add(host);
            return this;
        }

        /** @throws IllegalArgumentException naming {@code endpoint} unless it starts with '/' */
        public Builder endpoint(String endpoint) {
            if (endpoint == null || !endpoint.startsWith("/")) {
                throw new IllegalArgumentException("endpoint must start with '/': " + endpoint);
            }
            this.endpoint = endpoint;
            return this;
        }

        /**
         * Starts the server.
         *
         * @throws IllegalStateException if it cannot listen (the port is taken) or start
         */
        public LoadstarMcpHttpServer start() {
            try {
                return new LoadstarMcpHttpServer(this);
            } catch (LifecycleException | java.io.IOException e) {
                throw new IllegalStateException("the MCP server did not start: " + e.getMessage(), e);
            }
        }
    }
}
