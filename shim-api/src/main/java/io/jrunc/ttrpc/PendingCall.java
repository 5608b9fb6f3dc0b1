package io.jrunc.ttrpc;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.jrunc.proto.ttrpc.Response;
import java.util.concurrent.CompletableFuture;

/** A client call waiting for its response: knows how to decode it into the caller's future. */
record PendingCall<R extends Message>(String name, Parser<R> parser, CompletableFuture<R> future) {

    /** Decodes a response frame's payload; a non-OK status becomes a {@link TtrpcException}. */
    void complete(byte[] responseFrame) {
        try {
            Response response = Response.parseFrom(responseFrame);
            if (response.hasStatus() && response.getStatus().getCode() != StatusCode.OK.value()) {
                future.completeExceptionally(new TtrpcException(
                        StatusCode.of(response.getStatus().getCode()), response.getStatus().getMessage()));
                return;
            }
            future.complete(parser.parseFrom(response.getPayload()));
        } catch (InvalidProtocolBufferException e) {
            fail(StatusCode.INTERNAL, "unmarshal response error: " + name + ": " + e.getMessage());
        }
    }

    void fail(StatusCode code, String message) {
        future.completeExceptionally(new TtrpcException(code, message));
    }
}
