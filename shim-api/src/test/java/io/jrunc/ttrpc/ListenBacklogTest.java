package io.jrunc.ttrpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.StringValue;
import io.jrunc.proto.ttrpc.Request;
import io.jrunc.proto.ttrpc.Response;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ListenBacklogTest {

    private static final int CLIENTS = 1000;

    @TempDir
    Path dir;

    private final TestService service = new TestService();

    @Test
    void readsSomaxconnAndFallsBackTo4096() throws IOException {
        Path file = dir.resolve("somaxconn");
        Files.writeString(file, "65535\n");
        assertEquals(65535, ListenBacklog.read(file));
        Files.writeString(file, "garbage");
        assertEquals(ListenBacklog.FALLBACK, ListenBacklog.read(file));
        Files.writeString(file, "0");
        assertEquals(ListenBacklog.FALLBACK, ListenBacklog.read(file));
        assertEquals(ListenBacklog.FALLBACK, ListenBacklog.read(dir.resolve("missing")));
        if (Files.isReadable(ListenBacklog.SOMAXCONN)) {
            assertEquals(Integer.parseInt(Files.readAllLines(ListenBacklog.SOMAXCONN).getFirst().trim()), ListenBacklog.value());
        }
    }

    @Test
    void aBoundServerAcceptsAThousandSimultaneousConnects() throws Exception {
        Path socket = dir.resolve("bound.sock");
        TtrpcServer server = TtrpcServer.bind(socket, service.registry());
        try {
            connectAllAtOnceAndCall(socket);
        } finally {
            server.close(Duration.ofMillis(200));
        }
    }

    @Test
    void anAdoptedSocketListeningWithAShortBacklogIsRaised() throws Exception {
        // The daemon's parent listens on the socket and hands over the fd; a backlog of 16 there must
        // not limit a burst of connects once we serve it.
        Path socket = dir.resolve("adopted.sock");
        TtrpcEventLoop.group(); // loads Netty's native library, which Socket needs
        Socket listening = Socket.newSocketDomain();
        listening.bind(new DomainSocketAddress(socket.toString()));
        listening.listen(16);
        TtrpcServer server = TtrpcServer.adopt(listening.intValue(), service.registry());
        try {
            connectAllAtOnceAndCall(socket);
        } finally {
            server.close(Duration.ofMillis(200));
            Files.deleteIfExists(socket);
        }
    }

    /**
     * Non-blocking connects in a tight loop: a Unix socket connect never waits for accept, it either
     * lands in the backlog or fails at once with EAGAIN, which is what a short backlog does to a burst.
     */
    private void connectAllAtOnceAndCall(Path socket) throws Exception {
        assumeTrue(fdLimit() > 3L * CLIENTS, "needs a file descriptor limit above " + 3 * CLIENTS
                + " (both ends of every connection live in this JVM), have " + fdLimit());
        List<SocketChannel> clients = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        try {
            for (int i = 0; i < CLIENTS; i++) {
                SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                clients.add(ch);
                ch.configureBlocking(false);
                try {
                    ch.connect(UnixDomainSocketAddress.of(socket));
                } catch (IOException e) {
                    refused.add(i + ": " + e.getMessage());
                }
            }
            assertEquals(List.of(), refused.subList(0, Math.min(5, refused.size())),
                    refused.size() + " of " + CLIENTS + " connects refused");
            byte[] request = Request.newBuilder().setService(TestService.NAME).setMethod("Echo")
                    .setPayload(StringValue.of("burst").toByteString()).build().toByteArray();
            ByteBuffer frame = ByteBuffer.allocate(Frame.HEADER_LENGTH + request.length)
                    .put(RawConnection.header(request.length, 1, Frame.TYPE_REQUEST, 0)).put(request);
            for (SocketChannel ch : clients) {
                assertTrue(ch.finishConnect());
                ch.configureBlocking(true);
                ch.write(frame.clear().position(0).limit(frame.capacity()));
            }
            for (SocketChannel ch : clients) {
                Response response = Response.parseFrom(readFrame(ch));
                assertEquals("echo:burst", StringValue.parseFrom(response.getPayload()).getValue());
            }
        } finally {
            for (SocketChannel ch : clients) {
                ch.close();
            }
        }
    }

    private static byte[] readFrame(SocketChannel ch) throws IOException {
        ByteBuffer head = readFully(ch, Frame.HEADER_LENGTH);
        int length = head.getInt();
        return readFully(ch, length).array();
    }

    private static ByteBuffer readFully(SocketChannel ch, int n) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(n);
        while (buf.hasRemaining()) {
            if (ch.read(buf) < 0) {
                throw new IOException("closed after " + buf.position() + " of " + n + " bytes");
            }
        }
        return buf.flip();
    }

    private static long fdLimit() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
            }
        }
        return 0;
    }
}
