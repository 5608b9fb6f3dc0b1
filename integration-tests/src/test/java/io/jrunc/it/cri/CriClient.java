package io.jrunc.it.cri;

import io.jrunc.it.harness.ContainerdClient;
import io.jrunc.it.harness.PrivateContainerd;
import io.jrunc.proto.cri.v1.ImageServiceGrpc;
import io.jrunc.proto.cri.v1.RuntimeServiceGrpc;
import java.util.concurrent.TimeUnit;

/**
 * The Kubernetes CRI (runtime.v1 RuntimeService and ImageService) as the kubelet reaches it: gRPC on
 * containerd's own socket, where the CRI plugin registers its services. The plugin always works in the
 * "k8s.io" containerd namespace, whatever header a client sends.
 */
final class CriClient implements AutoCloseable {
    /** Generous: a sandbox's first container also starts the JAVA shim's JVMs. */
    private static final long DEADLINE_SECONDS = 60;

    private final ContainerdClient grpc;

    private CriClient(ContainerdClient grpc) {
        this.grpc = grpc;
    }

    static CriClient connect(PrivateContainerd ctd) {
        return new CriClient(ctd.client(BusyboxImages.CRI_NAMESPACE));
    }

    RuntimeServiceGrpc.RuntimeServiceBlockingStub runtime() {
        return RuntimeServiceGrpc.newBlockingStub(grpc.channel()).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    ImageServiceGrpc.ImageServiceBlockingStub images() {
        return ImageServiceGrpc.newBlockingStub(grpc.channel()).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        grpc.close();
    }
}
