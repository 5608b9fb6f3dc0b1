package io.jrunc.ttrpc;

import com.google.protobuf.Message;
import io.jrunc.proto.ttrpc.Request;
import io.jrunc.proto.ttrpc.Response;
import io.jrunc.proto.ttrpc.Status;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;

/** A test peer that speaks raw ttrpc frames over a JDK Unix socket, to send what our client never would. */
final class RawConnection implements AutoCloseable {

    private final SocketChannel channel;
    private final Selector selector;
    private ByteBuffer buffered = ByteBuffer.allocate(0);

    private RawConnection(SocketChannel channel) throws IOException {
        this.channel = channel;
        channel.configureBlocking(false);
        this.selector = Selector.open();
        channel.register(selector, SelectionKey.OP_READ);
    }

    static RawConnection open(Path socket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
        return new RawConnection(ch);
    }

    static byte[] header(long length, int streamId, int type, int flags) {
        return ByteBuffer.allocate(Frame.HEADER_LENGTH)
                .putInt((int) length).putInt(streamId).put((byte) type).put((byte) flags).array();
    }

    void sendFrame(int streamId, int type, int flags, byte[] payload) throws IOException {
        send(header(payload.length, streamId, type, flags));
        send(payload);
    }

    void sendRequest(int streamId, String service, String method, Message payload) throws IOException {
        sendRequest(streamId, Request.newBuilder().setService(service).setMethod(method)
                .setPayload(payload.toByteString()).build());
    }

    void sendRequest(int streamId, Request request) throws IOException {
        sendFrame(streamId, Frame.TYPE_REQUEST, 0, request.toByteArray());
    }

    void send(byte[] bytes) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
            if (channel.write(buf) == 0) {
                Thread.onSpinWait();
            }
        }
    }

    /** The next frame, or an exception if none arrives within {@code timeout}. */
    Frame readFrame(Duration timeout) throws IOException {
        ByteBuffer head = read(Frame.HEADER_LENGTH, timeout);
        if (head == null) {
            throw new IOException("no frame within " + timeout);
        }
        int length = head.getInt();
        int stream = head.getInt();
        byte type = head.get();
        byte flags = head.get();
        ByteBuffer body = read(length, timeout);
        if (body == null) {
            throw new IOException("truncated frame body");
        }
        byte[] payload = new byte[length];
        body.get(payload);
        return new Frame(stream, type, flags, payload);
    }

    Response readResponse(int expectedStreamId, Duration timeout) throws IOException {
        Frame frame = readFrame(timeout);
        if (frame.streamId() != expectedStreamId || frame.type() != Frame.TYPE_RESPONSE) {
            throw new AssertionError("expected a response on stream " + expectedStreamId + ", got " + frame);
        }
        return Response.parseFrom(frame.payload());
    }

    Status readStatus(int expectedStreamId) throws IOException {
        return readResponse(expectedStreamId, Duration.ofSeconds(5)).getStatus();
    }

    /** True if the peer closes the connection within {@code timeout} without sending anything. */
    boolean closedByPeer(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        ByteBuffer one = ByteBuffer.allocate(1);
        while (System.nanoTime() < deadline) {
            selector.select(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            selector.selectedKeys().clear();
            int n;
            try {
                n = channel.read(one);
            } catch (IOException e) {
                return true; // reset by peer
            }
            if (n < 0) {
                return true;
            }
            if (n > 0) {
                return false;
            }
        }
        return false;
    }

    /** Exactly {@code n} bytes, or null if the peer closed or the time ran out first. */
    private ByteBuffer read(int n, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        ByteBuffer out = ByteBuffer.allocate(n);
        while (out.hasRemaining()) {
            if (buffered.hasRemaining()) {
                int take = Math.min(out.remaining(), buffered.remaining());
                out.put(buffered.slice(buffered.position(), take));
                buffered.position(buffered.position() + take);
                continue;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            selector.select(Math.max(1, left / 1_000_000));
            selector.selectedKeys().clear();
            ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
            int r = channel.read(chunk);
            if (r < 0) {
                return null;
            }
            buffered = chunk.flip();
        }
        return out.flip();
    }

    /** Half-closes: the peer reads EOF, we can still read its answers. */
    void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    @Override
    public void close() throws IOException {
        selector.close();
        channel.close();
    }
}
