package io.github.loadstar.ops;

import io.modelcontextprotocol.server.McpSyncServer;
import java.io.FilterInputStream;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code loadstar mcp}: an MCP server on standard input and output for one scheduler. Standard output
 * carries the protocol and nothing else (a stray line there would end the client's session), so
 * {@code System.out} is pointed at standard error for the server's life; logs go to standard error.
 * The server ends when standard input does (the client closed it) — the SDK has no callback for
 * that, so the input stream is wrapped to see it — or when the process that launched it exits.
 */
@Command(name = "mcp", mixinStandardHelpOptions = true,
        description = "Serve MCP over stdio for one scheduler (for MCP clients to launch). Changing tools "
                + "(load_balance, config_update) are refused unless --allow-changes is given.")
final class McpCommand implements Callable<Integer> {
    @Mixin
    TargetOptions target;

    @Option(names = "--allow-changes", description = "Allow the tools that change the scheduler.")
    boolean allowChanges;

    @Override
    public Integer call() throws Exception {
        PrintStream protocol = new PrintStream(new FileOutputStream(FileDescriptor.out), true);
        PrintStream out = System.out;
        System.setOut(System.err);
        try {
            return serve(protocol);
        } finally {
            System.setOut(out);
        }
    }

    private int serve(PrintStream protocol) throws InterruptedException {
        Target t = target.target();
        SchedulerClient first = t.connect();    // fail now, with a clear line, if the target is wrong
        ReconnectingClient client = new ReconnectingClient(t, first);
        CountDownLatch closed = new CountDownLatch(1);
        // the client going away ends the server even if the SDK's reader has stopped reading (after a
        // malformed message it no longer sees the end of input)
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(closed::countDown));
        InputStream in = new FilterInputStream(new java.io.FileInputStream(FileDescriptor.in)) {
            @Override
            public int read() throws IOException {
                return seen(super.read());
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return seen(super.read(b, off, len));
            }

            private int seen(int n) {
                if (n < 0) {
                    closed.countDown();
                }
                return n;
            }
        };
        McpSyncServer server = McpServers.stdio(client, allowChanges, in, protocol);
        closed.await();
        server.closeGracefully();
        client.close();
        return 0;
    }
}
