package io.jrunc.ttrpc;

import com.google.protobuf.Message;

/**
 * Serves one unary method. Registered with {@link ServiceRegistry.Builder#unary} it runs on a worker
 * thread and may block; with {@link ServiceRegistry.Builder#nonBlocking} it runs on the event loop and must
 * not. Throwing a {@link TtrpcException} answers with its code, any other exception answers UNKNOWN with
 * its message.
 */
@FunctionalInterface
public interface UnaryHandler<Req extends Message, Resp extends Message> {
    Resp handle(RequestContext context, Req request) throws Exception;
}
