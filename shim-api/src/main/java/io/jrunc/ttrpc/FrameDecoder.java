package io.jrunc.ttrpc;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Splits the byte stream into {@link Frame}s. A frame longer than {@link Frame#MAX_PAYLOAD} becomes
 * an {@link OversizedFrame} and its body is skipped as it arrives, so it is never held in memory.
 */
public final class FrameDecoder extends ByteToMessageDecoder {

    /** Bytes of an oversized body still to skip. */
    private long discarding;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (discarding > 0) {
            skipDiscarded(in);
            if (discarding > 0) {
                return;
            }
        }
        if (in.readableBytes() < Frame.HEADER_LENGTH) {
            return;
        }
        int at = in.readerIndex();
        long length = in.getUnsignedInt(at);
        int streamId = in.getInt(at + 4);
        byte type = in.getByte(at + 8);
        byte flags = in.getByte(at + 9);
        if (length > Frame.MAX_PAYLOAD) {
            in.skipBytes(Frame.HEADER_LENGTH);
            discarding = length;
            out.add(new OversizedFrame(streamId, type, flags, length));
            skipDiscarded(in);
            return;
        }
        if (in.readableBytes() < Frame.HEADER_LENGTH + length) {
            return;
        }
        in.skipBytes(Frame.HEADER_LENGTH);
        byte[] payload = new byte[(int) length];
        in.readBytes(payload);
        out.add(new Frame(streamId, type, flags, payload));
    }

    private void skipDiscarded(ByteBuf in) {
        int n = (int) Math.min(discarding, in.readableBytes());
        in.skipBytes(n);
        discarding -= n;
    }
}
