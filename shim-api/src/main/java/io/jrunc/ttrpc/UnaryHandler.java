package io.jrunc.ttrpc;

import com.google.protobuf.Message;

/**
 * Serves one unary method. Runs off the event loop, so it may block; throwing a
 * {@link TtrpcException} answers with its code, any other exception answers UNKNOWN with its message.
 */
@FunctionalInterface
public interface UnaryHandler<Req extends Message, Resp extends Message> {
    Resp handle(RequestContext context, Req request) throws Exception;
}
