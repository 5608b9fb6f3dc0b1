package io.jrunc.ttrpc;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.MessageToByteEncoder;

/**
 * Writes a {@link Frame} as header plus payload. Refuses payloads over {@link Frame#MAX_PAYLOAD}
 * (callers check first and answer RESOURCE_EXHAUSTED instead; this is the last line of defence).
 */
@ChannelHandler.Sharable
public final class FrameEncoder extends MessageToByteEncoder<Frame> {

    public static final FrameEncoder INSTANCE = new FrameEncoder();

    private FrameEncoder() {
        super(Frame.class);
    }

    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, Frame frame, boolean preferDirect) {
        return ctx.alloc().ioBuffer(Frame.HEADER_LENGTH + frame.payload().length);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Frame frame, ByteBuf out) {
        int length = frame.payload().length;
        if (length > Frame.MAX_PAYLOAD) {
            throw new EncoderException("refusing to send a " + length + "-byte ttrpc message (limit "
                    + Frame.MAX_PAYLOAD + ")");
        }
        out.writeInt(length);
        out.writeInt(frame.streamId());
        out.writeByte(frame.type());
        out.writeByte(frame.flags());
        out.writeBytes(frame.payload());
    }
}
