package io.jrunc.ttrpc;

import com.google.protobuf.Message;
import io.jrunc.proto.ttrpc.Response;
import io.jrunc.proto.ttrpc.Status;

/** Encodes the ttrpc {@code Response} envelope the server writes back. */
final class Responses {

    /** Status messages are for humans; cap them so a runaway message cannot exceed the frame limit. */
    private static final int MAX_STATUS_MESSAGE = 64 * 1024;

    private Responses() {}

    /** OK: no status, just the payload (what the Go server sends). Too large: RESOURCE_EXHAUSTED. */
    static byte[] ok(Message result) {
        Response response = Response.newBuilder().setPayload(result.toByteString()).build();
        int size = response.getSerializedSize();
        if (size > Frame.MAX_PAYLOAD) {
            return error(StatusCode.RESOURCE_EXHAUSTED, "response of " + size
                    + " bytes exceeds maximum message size of " + Frame.MAX_PAYLOAD);
        }
        return response.toByteArray();
    }

    static byte[] error(StatusCode code, String message) {
        String text = message == null ? "" : message;
        if (text.length() > MAX_STATUS_MESSAGE) {
            text = text.substring(0, MAX_STATUS_MESSAGE) + "... (truncated)";
        }
        Status status = Status.newBuilder().setCode(code.value()).setMessage(text).build();
        return Response.newBuilder().setStatus(status).build().toByteArray();
    }

    /** A human-readable message for an unexpected exception (some have none). */
    static String describe(Throwable t) {
        String message = t.getMessage();
        return message == null || message.isBlank() ? t.toString() : message;
    }
}
