package io.jrunc.ttrpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.EncoderException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FrameCodecTest {

    private final EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(), FrameEncoder.INSTANCE);

    @AfterEach
    void finish() {
        channel.finishAndReleaseAll();
    }

    private static byte[] wire(int streamId, int type, int flags, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(RawConnection.header(payload.length, streamId, type, flags));
        out.writeBytes(payload);
        return out.toByteArray();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void decodesHeaderFieldsBigEndian() {
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 2, 0, 0, 1, 3, 1, 0x25, 'h', 'i'}));
        Frame frame = channel.readInbound();
        assertEquals(259, frame.streamId());
        assertEquals(Frame.TYPE_REQUEST, frame.type());
        assertEquals(0x25, frame.flags());
        assertArrayEquals(bytes("hi"), frame.payload());
        assertNull(channel.readInbound());
    }

    @Test
    void reassemblesAFrameDeliveredOneByteAtATime() {
        byte[] wire = wire(7, Frame.TYPE_RESPONSE, 0, bytes("fragmented payload"));
        for (int i = 0; i < wire.length - 1; i++) {
            channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {wire[i]}));
            assertNull(channel.readInbound(), "no frame before its last byte (got one at byte " + i + ")");
        }
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {wire[wire.length - 1]}));
        Frame frame = channel.readInbound();
        assertEquals(7, frame.streamId());
        assertArrayEquals(bytes("fragmented payload"), frame.payload());
    }

    @Test
    void splitsCoalescedFramesIncludingEmptyOnes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(wire(1, Frame.TYPE_REQUEST, 0, bytes("one")));
        out.writeBytes(wire(3, Frame.TYPE_REQUEST, 0, new byte[0]));
        out.writeBytes(wire(5, Frame.TYPE_DATA, Frame.FLAG_REMOTE_CLOSED, bytes("three")));
        byte[] all = out.toByteArray();
        // The last frame arrives split across two reads, together with the others.
        channel.writeInbound(Unpooled.wrappedBuffer(all, 0, all.length - 2));
        channel.writeInbound(Unpooled.wrappedBuffer(all, all.length - 2, 2));
        Frame a = channel.readInbound();
        Frame b = channel.readInbound();
        Frame c = channel.readInbound();
        assertArrayEquals(bytes("one"), a.payload());
        assertEquals(3, b.streamId());
        assertEquals(0, b.payload().length);
        assertEquals(Frame.TYPE_DATA, c.type());
        assertEquals(Frame.FLAG_REMOTE_CLOSED, c.flags());
        assertArrayEquals(bytes("three"), c.payload());
        assertNull(channel.readInbound());
    }

    @Test
    void acceptsAPayloadOfExactlyTheLimit() {
        byte[] payload = new byte[Frame.MAX_PAYLOAD];
        payload[Frame.MAX_PAYLOAD - 1] = 42;
        channel.writeInbound(Unpooled.wrappedBuffer(wire(1, Frame.TYPE_REQUEST, 0, payload)));
        Frame frame = channel.readInbound();
        assertEquals(Frame.MAX_PAYLOAD, frame.payload().length);
        assertEquals(42, frame.payload()[Frame.MAX_PAYLOAD - 1]);
    }

    @Test
    void oversizedFrameIsReportedAndItsBodySkippedWithoutBuffering() {
        long length = Frame.MAX_PAYLOAD + 1L;
        channel.writeInbound(Unpooled.wrappedBuffer(RawConnection.header(length, 9, Frame.TYPE_REQUEST, 0)));
        OversizedFrame oversized = assertInstanceOf(OversizedFrame.class, channel.readInbound());
        assertEquals(9, oversized.streamId());
        assertEquals(length, oversized.length());
        assertTrue(oversized.message().contains("exceeds maximum message size of 4194304"), oversized.message());

        // Feed the body in 64 KiB chunks; the decoder must consume each chunk at once.
        long left = length;
        byte[] chunk = new byte[64 * 1024];
        while (left > 0) {
            int n = (int) Math.min(chunk.length, left);
            ByteBuf buf = Unpooled.wrappedBuffer(chunk, 0, n);
            channel.writeInbound(buf);
            assertEquals(0, buf.readableBytes(), "the decoder keeps no part of a discarded body");
            assertNull(channel.readInbound());
            left -= n;
        }
        // The stream is back in sync: the next frame decodes normally.
        channel.writeInbound(Unpooled.wrappedBuffer(wire(11, Frame.TYPE_REQUEST, 0, bytes("after"))));
        Frame next = channel.readInbound();
        assertEquals(11, next.streamId());
        assertArrayEquals(bytes("after"), next.payload());
    }

    @Test
    void oversizedBodyArrivingTogetherWithTheNextFrameIsSkippedExactly() {
        byte[] body = new byte[Frame.MAX_PAYLOAD + 100];
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(RawConnection.header(body.length, 1, Frame.TYPE_REQUEST, 0));
        out.writeBytes(body);
        out.writeBytes(wire(3, Frame.TYPE_REQUEST, 0, bytes("next")));
        channel.writeInbound(Unpooled.wrappedBuffer(out.toByteArray()));
        assertInstanceOf(OversizedFrame.class, channel.readInbound());
        Frame next = channel.readInbound();
        assertEquals(3, next.streamId());
        assertArrayEquals(bytes("next"), next.payload());
    }

    @Test
    void lengthIsUnsigned() {
        channel.writeInbound(Unpooled.wrappedBuffer(RawConnection.header(0xFFFF_FFFFL, 1, Frame.TYPE_REQUEST, 0)));
        OversizedFrame oversized = channel.readInbound();
        assertEquals(0xFFFF_FFFFL, oversized.length());
    }

    @Test
    void encoderWritesHeaderAndPayload() {
        assertTrue(channel.writeOutbound(new Frame(0x8000_0001, Frame.TYPE_RESPONSE, (byte) 0, bytes("ok"))));
        ByteBuf out = channel.readOutbound();
        byte[] written = new byte[out.readableBytes()];
        out.readBytes(written);
        out.release();
        assertArrayEquals(wire(0x8000_0001, Frame.TYPE_RESPONSE, 0, bytes("ok")), written);
    }

    @Test
    void encoderRefusesMoreThanTheLimit() {
        Frame tooBig = Frame.request(1, new byte[Frame.MAX_PAYLOAD + 1]);
        EncoderException e = assertThrows(EncoderException.class, () -> channel.writeOutbound(tooBig));
        assertTrue(e.getMessage().contains("refusing to send"), e.getMessage());
        assertFalse(channel.outboundMessages().stream().anyMatch(ByteBuf.class::isInstance));
    }

    @Test
    void roundTripsThroughEncoderAndDecoder() {
        EmbeddedChannel encoder = new EmbeddedChannel(FrameEncoder.INSTANCE);
        encoder.writeOutbound(Frame.request(5, bytes("a")), Frame.request(7, bytes("bc")));
        ByteBuf first = encoder.readOutbound();
        ByteBuf second = encoder.readOutbound();
        channel.writeInbound(Unpooled.wrappedBuffer(first, second));
        Frame a = channel.readInbound();
        Frame b = channel.readInbound();
        assertEquals(5, a.streamId());
        assertArrayEquals(bytes("bc"), b.payload());
        encoder.finishAndReleaseAll();
    }
}
