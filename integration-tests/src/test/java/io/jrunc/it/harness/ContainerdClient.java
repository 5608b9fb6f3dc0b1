package io.jrunc.it.harness;

import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.MetadataUtils;
import io.jrunc.proto.services.containers.v1.ContainersGrpc;
import io.jrunc.proto.services.events.v1.EventsGrpc;
import io.jrunc.proto.services.events.v1.SubscribeRequest;
import io.jrunc.proto.services.namespaces.v1.NamespacesGrpc;
import io.jrunc.proto.services.tasks.v1.TasksGrpc;
import io.jrunc.proto.services.version.v1.VersionGrpc;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * containerd's gRPC API over its unix socket, every call tagged with one namespace (the
 * {@code containerd-namespace} header). Stubs carry a 30 s deadline; override it per call if needed.
 */
public final class ContainerdClient implements AutoCloseable {
    public static final Metadata.Key<String> NAMESPACE_HEADER =
            Metadata.Key.of("containerd-namespace", Metadata.ASCII_STRING_MARSHALLER);
    /**
     * Per call. 20 tasks created at once with one daemon each (pod grouping) start 20 JVMs on two cores: a
     * Create can take more than 30 s there without anything being wrong; a hung call still fails, and the
     * conformance cells have their own 3-minute bound.
     */
    private static final long DEFAULT_DEADLINE_SECONDS = 90;
    /**
     * grpc-netty asks every channel for SO_KEEPALIVE, which unix sockets do not have; Netty then logs
     * a warning per connection. Held here so the logger (and its level) is not garbage collected.
     */
    private static final java.util.logging.Logger BOOTSTRAP_LOG = quiet(
            "io.grpc.netty.shaded.io.netty.bootstrap");

    private static java.util.logging.Logger quiet(String name) {
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger(name);
        logger.setLevel(java.util.logging.Level.SEVERE);
        return logger;
    }

    private final EventLoopGroup group;
    private final ManagedChannel managed;
    private final Channel channel;
    private final String namespace;

    private ContainerdClient(EventLoopGroup group, ManagedChannel managed, String namespace) {
        this.group = group;
        this.managed = managed;
        this.namespace = namespace;
        Metadata headers = new Metadata();
        headers.put(NAMESPACE_HEADER, namespace);
        this.channel = ClientInterceptors.intercept(managed, MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    @SuppressWarnings("deprecation") // EpollEventLoopGroup is what the shaded Netty offers for epoll domain sockets
    public static ContainerdClient connect(Path socket, String namespace) {
        EventLoopGroup group = new EpollEventLoopGroup(1);
        ManagedChannel managed = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .eventLoopGroup(group)
                .channelType(EpollDomainSocketChannel.class)
                .overrideAuthority("localhost")
                .usePlaintext()
                .build();
        return new ContainerdClient(group, managed, namespace);
    }

    public String namespace() {
        return namespace;
    }

    /** The namespaced channel, for stubs this class does not offer. */
    public Channel channel() {
        return channel;
    }

    public VersionGrpc.VersionBlockingStub version() {
        return VersionGrpc.newBlockingStub(channel).withDeadlineAfter(DEFAULT_DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    public NamespacesGrpc.NamespacesBlockingStub namespaces() {
        return NamespacesGrpc.newBlockingStub(channel).withDeadlineAfter(DEFAULT_DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    public ContainersGrpc.ContainersBlockingStub containers() {
        return ContainersGrpc.newBlockingStub(channel).withDeadlineAfter(DEFAULT_DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    public TasksGrpc.TasksBlockingStub tasks() {
        return TasksGrpc.newBlockingStub(channel).withDeadlineAfter(DEFAULT_DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    public EventsGrpc.EventsBlockingStub events() {
        return EventsGrpc.newBlockingStub(channel).withDeadlineAfter(DEFAULT_DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    /**
     * Opens an Events/Subscribe stream. containerd sends events of every namespace unless a filter
     * such as {@code namespace==ns} is given. Call {@link EventStream#awaitActive} before relying on it.
     */
    public EventStream subscribe(String... filters) {
        return EventStream.open(this, SubscribeRequest.newBuilder().addAllFilters(List.of(filters)).build());
    }

    @Override
    public void close() {
        managed.shutdownNow();
        try {
            managed.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
