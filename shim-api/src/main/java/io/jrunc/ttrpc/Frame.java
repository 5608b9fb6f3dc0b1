package io.jrunc.ttrpc;

import java.util.Objects;

/**
 * One ttrpc message as it travels on the wire: a 10-byte header (length, stream id, type, flags)
 * and a protobuf payload of at most {@link #MAX_PAYLOAD} bytes.
 *
 * <p>The payload is a plain byte array: ttrpc messages are small (at most 4 MiB) and copying them
 * once keeps reference counting out of every handler.
 */
public record Frame(int streamId, byte type, byte flags, byte[] payload) {

    public static final int HEADER_LENGTH = 10;
    /** Largest payload either side may send or accept (ttrpc's messageLengthMax). */
    public static final int MAX_PAYLOAD = 4 << 20;

    public static final byte TYPE_REQUEST = 1;
    public static final byte TYPE_RESPONSE = 2;
    public static final byte TYPE_DATA = 3;

    /** Request and data flag: the sender will not send more on this stream. */
    public static final byte FLAG_REMOTE_CLOSED = 1;
    /** Request flag: the sender will stream data frames after the request. */
    public static final byte FLAG_REMOTE_OPEN = 2;
    /** Data flag: the frame carries no data. */
    public static final byte FLAG_NO_DATA = 4;

    public Frame {
        Objects.requireNonNull(payload, "payload");
    }

    public static Frame request(int streamId, byte[] payload) {
        return new Frame(streamId, TYPE_REQUEST, (byte) 0, payload);
    }

    public static Frame response(int streamId, byte[] payload) {
        return new Frame(streamId, TYPE_RESPONSE, (byte) 0, payload);
    }

    /** The stream id as the unsigned number it is on the wire. */
    public long unsignedStreamId() {
        return Integer.toUnsignedLong(streamId);
    }

    @Override
    public String toString() {
        return "Frame[stream=" + unsignedStreamId() + ", type=" + type + ", flags=" + flags
                + ", length=" + payload.length + "]";
    }
}
