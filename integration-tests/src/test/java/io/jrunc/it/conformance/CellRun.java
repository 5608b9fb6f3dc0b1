package io.jrunc.it.conformance;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.jrunc.it.harness.BusyboxRootfs;
import io.jrunc.it.harness.ContainerdClient;
import io.jrunc.it.harness.JruncGrouping;
import io.jrunc.it.harness.Leftovers;
import io.jrunc.it.harness.PrivateContainerd;
import io.jrunc.it.harness.ShimAddress;
import io.jrunc.it.harness.ShimUnderTest;
import io.jrunc.it.harness.UnixSockets;
import io.jrunc.proto.services.containers.v1.Container;
import io.jrunc.proto.services.containers.v1.CreateContainerRequest;
import io.jrunc.proto.services.containers.v1.DeleteContainerRequest;
import io.jrunc.proto.services.tasks.v1.CreateTaskRequest;
import io.jrunc.proto.services.tasks.v1.DeleteResponse;
import io.jrunc.proto.services.tasks.v1.DeleteTaskRequest;
import io.jrunc.proto.services.tasks.v1.GetRequest;
import io.jrunc.proto.services.tasks.v1.KillRequest;
import io.jrunc.proto.services.tasks.v1.ResumeTaskRequest;
import io.jrunc.proto.services.tasks.v1.StartRequest;
import io.jrunc.proto.services.tasks.v1.WaitRequest;
import io.jrunc.proto.services.tasks.v1.WaitResponse;
import io.jrunc.proto.types.task.Process;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One cell of the matrix while it runs: one scenario against one shim on one containerd, in a namespace of
 * its own, driving containerd's gRPC API the way a client library does (Containers.Create with the spec and
 * runtime name, Tasks.Create with stdio fifos, Start, Wait, Kill, Delete). On {@link #close()} every
 * container it created is killed and deleted through the same API, its fifos are removed, and
 * {@link Leftovers#assertNone} checks that no process, mount, socket, runc state, cgroup or bundle stayed.
 */
final class CellRun implements AutoCloseable {
    static final Duration EXIT = Duration.ofSeconds(30);
    static final Duration LEFTOVER_GRACE = Duration.ofSeconds(20);

    private final PrivateContainerd containerd;
    private final BusyboxRootfs rootfs;
    private final ShimUnderTest shim;
    private final String namespace;
    private final Leftovers leftovers;
    private final Set<String> ids = ConcurrentHashMap.newKeySet();
    private final List<StdioFifos> fifos = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private ContainerdClient client;

    CellRun(PrivateContainerd containerd, BusyboxRootfs rootfs, ShimUnderTest shim) {
        this.containerd = containerd;
        this.rootfs = rootfs;
        this.shim = shim;
        this.namespace = containerd.newNamespace();
        this.leftovers = Leftovers.snapshot(containerd, namespace, rootfs.path());
    }

    PrivateContainerd containerd() {
        return containerd;
    }

    ShimUnderTest shim() {
        return shim;
    }

    String namespace() {
        return namespace;
    }

    /** The containerd release, e.g. "1.7". */
    String version() {
        return containerd.distribution().version();
    }

    /** containerd's major version (1 or 2), for the few places where the reference behaviour differs. */
    int major() {
        return containerd.distribution().major();
    }

    /** containerd 1.6, whose restart path differs from 1.7 and later. */
    boolean isContainerd16() {
        return version().equals("1.6");
    }

    /**
     * Records something the report must show next to a pass, e.g. a known deviation of the reference shim
     * that the scenario tolerated.
     */
    synchronized void note(String text) {
        notes.add(text);
    }

    synchronized List<String> notes() {
        return List.copyOf(notes);
    }

    synchronized ContainerdClient client() {
        if (client == null) {
            client = containerd.client(namespace);
        }
        return client;
    }

    /** A new connection, e.g. after containerd was restarted. */
    synchronized void reconnect() {
        if (client != null) {
            client.close();
            client = null;
        }
    }

    /** The busybox spec for container {@code id}; the JAVA shim also gets this run's grouping annotations. */
    OciSpec spec(String id, String... args) {
        OciSpec spec = OciSpec.busybox(rootfs.path(), namespace, id, args);
        if (shim == ShimUnderTest.JAVA && !JruncGrouping.mode().isEmpty()) {
            spec = spec.withAnnotations(Map.of(JruncGrouping.GROUPING_ANNOTATION, JruncGrouping.mode(),
                    JruncGrouping.LINGER_ANNOTATION, System.getProperty(JruncGrouping.LINGER_PROPERTY, "1s")));
        }
        return spec;
    }

    /** New stdio fifos in this daemon's fifo dir, removed when the cell ends. */
    synchronized StdioFifos fifos(String name, boolean withStdin) {
        StdioFifos io = StdioFifos.create(containerd.fifoDir().resolve(namespace), name, withStdin);
        fifos.add(io);
        return io;
    }

    void createContainer(String id, OciSpec spec) {
        ids.add(id);
        Container container = Container.newBuilder()
                .setId(id)
                .setRuntime(Container.Runtime.newBuilder().setName(shim.runtime()))
                .setSpec(spec.toAny())
                .build();
        client().containers().create(CreateContainerRequest.newBuilder().setContainer(container).build());
    }

    /** Tasks.Create with the given fifos ({@code null}: no stdio at all); returns the init pid. */
    long createTask(String id, StdioFifos io) {
        CreateTaskRequest.Builder request = CreateTaskRequest.newBuilder().setContainerId(id);
        if (io != null) {
            request.setStdin(io.stdinPath()).setStdout(io.stdoutPath()).setStderr(io.stderrPath());
        }
        return client().tasks().create(request.build()).getPid();
    }

    long start(String id) {
        return client().tasks().start(StartRequest.newBuilder().setContainerId(id).build()).getPid();
    }

    long startExec(String id, String execId) {
        return client().tasks().start(StartRequest.newBuilder().setContainerId(id).setExecId(execId).build()).getPid();
    }

    /** Container, task without stdio, start: a running task; returns its pid. */
    long run(String id, String... args) {
        createContainer(id, spec(id, args));
        long created = createTask(id, null);
        long started = start(id);
        if (created != started) {
            throw new AssertionError("Create said pid " + created + ", Start said " + started);
        }
        return started;
    }

    Process get(String id) {
        return client().tasks().get(GetRequest.newBuilder().setContainerId(id).build()).getProcess();
    }

    Process get(String id, String execId) {
        return client().tasks().get(GetRequest.newBuilder().setContainerId(id).setExecId(execId).build()).getProcess();
    }

    /** Tasks.Wait (unary: returns when the process has exited). */
    WaitResponse await(String id, String execId) {
        return client().tasks().withDeadlineAfter(EXIT.toSeconds(), TimeUnit.SECONDS)
                .wait(WaitRequest.newBuilder().setContainerId(id).setExecId(execId).build());
    }

    WaitResponse await(String id) {
        return await(id, "");
    }

    void kill(String id, int signal) {
        client().tasks().kill(KillRequest.newBuilder().setContainerId(id).setSignal(signal).build());
    }

    DeleteResponse deleteTask(String id) {
        return client().tasks().delete(DeleteTaskRequest.newBuilder().setContainerId(id).build());
    }

    void deleteContainer(String id) {
        client().containers().delete(DeleteContainerRequest.newBuilder().setId(id).build());
    }

    /** Kills (if needed) and deletes the task, then the container; whatever is already gone is fine. */
    void remove(String id) {
        try {
            Process p = get(id);
            if (p.getStatus() != io.jrunc.proto.types.task.Status.STOPPED) {
                if (p.getStatus() == io.jrunc.proto.types.task.Status.PAUSED) {
                    client().tasks().resume(ResumeTaskRequest.newBuilder().setContainerId(id).build());
                }
                kill(id, 9);
                await(id);
            }
            deleteTask(id);
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
                throw new IllegalStateException("cannot remove task " + namespace + "/" + id + ": " + e.getStatus(), e);
            }
        }
        try {
            deleteContainer(id);
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
                throw new IllegalStateException("cannot remove container " + namespace + "/" + id + ": " + e.getStatus(), e);
            }
        }
    }

    /** Removes every container, then asserts nothing is left; a dead shim's unused socket file is removed. */
    @Override
    public void close() {
        RuntimeException failure = null;
        try {
            for (String id : ids) {
                try {
                    remove(id);
                } catch (RuntimeException e) {
                    if (failure == null) {
                        failure = new IllegalStateException("cleanup of " + shim + " cell failed", e);
                    } else {
                        failure.addSuppressed(e);
                    }
                }
            }
        } finally {
            reconnect();
            synchronized (this) {
                fifos.forEach(StdioFifos::close);
            }
        }
        try {
            leftovers.assertNone(LEFTOVER_GRACE, ids.toArray(String[]::new));
        } catch (AssertionError e) {
            if (failure != null) {
                e.addSuppressed(failure);
            }
            throw e;
        } finally {
            removeStaleSockets();
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * The Go shim leaves the socket file of a SIGKILLed daemon behind (nobody listens on it); scenarios
     * that kill a shim check that themselves, here it is only tidied up.
     */
    private void removeStaleSockets() {
        for (String id : ids) {
            Path socket = ShimAddress.derived(containerd.grpcSocket(), namespace, id);
            if (Files.exists(socket) && UnixSockets.listeners(socket).isEmpty()) {
                try {
                    Files.deleteIfExists(socket);
                } catch (IOException e) {
                    System.err.println("CellRun: cannot remove " + socket + ": " + e);
                }
            }
        }
    }
}
