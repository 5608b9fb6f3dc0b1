package io.jrunc.ttrpc;

/**
 * What the decoder emits instead of a {@link Frame} whose declared length exceeds
 * {@link Frame#MAX_PAYLOAD}: its body is skipped, and the receiver answers RESOURCE_EXHAUSTED on
 * that stream id while the connection stays usable.
 *
 * @param length the declared payload length (unsigned 32-bit)
 */
public record OversizedFrame(int streamId, byte type, byte flags, long length) {

    public String message() {
        return "message length " + length + " exceeds maximum message size of " + Frame.MAX_PAYLOAD;
    }
}
