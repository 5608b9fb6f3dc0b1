package io.jrunc.runc.task;

import com.google.protobuf.Empty;
import io.jrunc.json.Json;
import io.jrunc.json.JsonException;
import io.jrunc.posix.Posix;
import io.jrunc.posix.ProcessExit;
import io.jrunc.proto.events.TaskCreate;
import io.jrunc.proto.events.TaskDelete;
import io.jrunc.proto.events.TaskExit;
import io.jrunc.proto.events.TaskIO;
import io.jrunc.proto.events.TaskPaused;
import io.jrunc.proto.events.TaskResumed;
import io.jrunc.proto.events.TaskStart;
import io.jrunc.proto.runc.v1.ProcessDetails;
import io.jrunc.proto.task.v2.CheckpointTaskRequest;
import io.jrunc.proto.task.v2.CloseIORequest;
import io.jrunc.proto.task.v2.ConnectRequest;
import io.jrunc.proto.task.v2.ConnectResponse;
import io.jrunc.proto.task.v2.CreateTaskRequest;
import io.jrunc.proto.task.v2.CreateTaskResponse;
import io.jrunc.proto.task.v2.DeleteRequest;
import io.jrunc.proto.task.v2.DeleteResponse;
import io.jrunc.proto.task.v2.ExecProcessRequest;
import io.jrunc.proto.task.v2.KillRequest;
import io.jrunc.proto.task.v2.PauseRequest;
import io.jrunc.proto.task.v2.PidsRequest;
import io.jrunc.proto.task.v2.PidsResponse;
import io.jrunc.proto.task.v2.ResumeRequest;
import io.jrunc.proto.task.v2.ShutdownRequest;
import io.jrunc.proto.task.v2.StartRequest;
import io.jrunc.proto.task.v2.StartResponse;
import io.jrunc.proto.task.v2.StateRequest;
import io.jrunc.proto.task.v2.StateResponse;
import io.jrunc.proto.task.v2.StatsRequest;
import io.jrunc.proto.task.v2.StatsResponse;
import io.jrunc.proto.task.v2.UpdateTaskRequest;
import io.jrunc.proto.task.v2.WaitRequest;
import io.jrunc.proto.task.v2.WaitResponse;
import io.jrunc.proto.types.task.ProcessInfo;
import io.jrunc.proto.types.task.Status;
import io.jrunc.runc.cgroups.CgroupLocator;
import io.jrunc.runc.cgroups.ContainerCgroups;
import io.jrunc.runc.cli.CommandRunner;
import io.jrunc.runc.cli.RuncException;
import io.jrunc.runc.io.ProcessIo;
import io.jrunc.runc.io.ProcessIoFactory;
import io.jrunc.runc.io.StdioLoop;
import io.jrunc.runc.mount.RootfsMounter;
import io.jrunc.runc.process.ContainerProcess;
import io.jrunc.runc.process.ExitState;
import io.jrunc.runc.process.InitProcess;
import io.jrunc.runc.process.PidClaim;
import io.jrunc.runc.process.ProcessStatus;
import io.jrunc.runc.process.TaskErrors;
import io.jrunc.shim.ShimContext;
import io.jrunc.shim.errors.ShimException;
import io.jrunc.shim.event.EventPublisher;
import io.jrunc.shim.task.TaskService;
import io.jrunc.shim.typeurl.TypeUrls;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;

/**
 * The Task service for runc containers. One instance serves every container routed to this daemon (a
 * whole pod, or more), by id; each container has its own init process, state and lock, so containers do
 * not wait for each other. Events are published in the order containerd relies on: create, start, exit,
 * delete.
 */
public final class RuncTaskService implements TaskService {
    private static final Logger LOG = System.getLogger(RuncTaskService.class.getName());

    private final ShimContext context;
    private final EventPublisher events;
    private final String version;
    private final ContainerRegistry containers = new ContainerRegistry();
    private final ContainerFactory factory;
    private final ExecOperations execs;
    /** Cgroups of the containers: Stats, and OOM kills published as /tasks/oom (before the init's exit). */
    private final ContainerCgroups cgroups;

    public RuncTaskService(ShimContext context, Posix posix, String version) {
        this(context, new CommandRunner(context.reaper(), posix), new RootfsMounter(posix),
                new ProcessIoFactory(posix, new StdioLoop(posix)), version);
    }

    RuncTaskService(ShimContext context, CommandRunner runner, RootfsMounter mounter, ProcessIoFactory ioFactory,
            String version) {
        this(context, runner, mounter, ioFactory, version, ContainerFactory.SYSTEMD_RUNTIME_DIR, CgroupLocator.host());
    }

    /**
     * @param systemdRuntimeDir whose existence tells that systemd runs the host (for the SystemdCgroup option)
     * @param cgroupLocator where container cgroups are found for metrics and OOM events (the host's, or a test's)
     */
    RuncTaskService(ShimContext context, CommandRunner runner, RootfsMounter mounter, ProcessIoFactory ioFactory,
            String version, Path systemdRuntimeDir, CgroupLocator cgroupLocator) {
        this.context = context;
        this.events = context.events();
        this.version = version;
        String namespace = context.flags().namespace();
        StdioFactory stdio = new StdioFactory(ioFactory, runner.posix(), context.reaper(), namespace);
        this.factory = new ContainerFactory(runner, mounter, stdio, namespace, systemdRuntimeDir);
        this.execs = new ExecOperations(events, containers, runner.posix());
        this.cgroups = ContainerCgroups.publishingOoms(cgroupLocator, Posix::get, events);
        ExitDispatcher.start(context.reaper(), this::onExit);
    }

    @Override
    public CreateTaskResponse create(CreateTaskRequest request) throws Exception {
        ContainerRegistry.EarlyExits early = containers.beginCreate(request.getId());
        Container container;
        try {
            container = factory.create(request);
        } catch (Exception | Error e) {
            containers.abortCreate(early);
            throw e;
        }
        InitProcess init = container.init();
        if (init.pid() > 0) { // a container created from a checkpoint gets its pid at Start
            cgroups.track(container.id(), init.pid());
        }
        containers.register(container, early).ifPresent(init::offerExit);
        init.announceCreated(() -> events.publish("/tasks/create", TaskCreate.newBuilder()
                .setContainerId(container.id())
                .setBundle(request.getBundle())
                .addAllRootfs(request.getRootfsList())
                .setIo(TaskIO.newBuilder()
                        .setStdin(request.getStdin())
                        .setStdout(request.getStdout())
                        .setStderr(request.getStderr())
                        .setTerminal(request.getTerminal()))
                .setCheckpoint(request.getCheckpoint())
                .setPid(init.pid())
                .build()), exit -> applyExit(container, exit));
        return CreateTaskResponse.newBuilder().setPid(init.pid()).build();
    }

    @Override
    public StartResponse start(StartRequest request) throws Exception {
        Container container = containers.get(request.getId());
        if (!request.getExecId().isEmpty()) {
            return execs.start(container, request.getExecId());
        }
        InitProcess init = container.init();
        // A restore learns the init's pid from runc only now.
        boolean restoring = init.awaitingRestore();
        ContainerRegistry.EarlyExits early = restoring ? containers.watchExits() : null;
        PidClaim claim = restoring ? pid -> containers.claimInitPid(container, pid, early) : PidClaim.NONE;
        try {
            init.start(claim, () -> events.publish("/tasks/start", TaskStart.newBuilder()
                    .setContainerId(container.id())
                    .setPid(init.pid())
                    .build()), exit -> applyExit(container, exit));
        } finally {
            if (early != null) {
                containers.stopWatching(early);
            }
        }
        if (restoring) {
            cgroups.track(container.id(), init.pid());
        }
        return StartResponse.newBuilder().setPid(init.pid()).build();
    }

    @Override
    public DeleteResponse delete(DeleteRequest request) throws Exception {
        Container container = containers.get(request.getId());
        if (!request.getExecId().isEmpty()) {
            return execs.delete(container, request.getExecId());
        }
        InitProcess init = container.init();
        ExitState exit = init.delete(held -> applyExit(container, held));
        containers.remove(container);
        ExecOperations.abandonAll(container);
        cgroups.forget(container.id());
        events.publish("/tasks/delete", TaskDelete.newBuilder()
                .setContainerId(container.id())
                .setPid(init.pid())
                .setExitStatus(exit.status())
                .setExitedAt(Timestamps.ofOptional(exit.exitedAt()))
                .build());
        return DeleteResponse.newBuilder()
                .setPid(init.pid())
                .setExitStatus(exit.status())
                .setExitedAt(Timestamps.ofOptional(exit.exitedAt()))
                .build();
    }

    /** The container with this id, if this service holds it (tests in this package look at its state). */
    Optional<Container> findContainer(String id) {
        return containers.find(id);
    }

    @Override
    public StateResponse state(StateRequest request) {
        Container container = containers.get(request.getId());
        ContainerProcess process = container.process(request.getExecId());
        ExitState exit = process.exitState();
        Status status = process.reportedStatus();
        Status containerStatus = container.init().reportedStatus();
        if (process != container.init() && (containerStatus == Status.PAUSED || containerStatus == Status.PAUSING)) {
            status = containerStatus; // the processes of a paused container are paused too
        }
        return StateResponse.newBuilder()
                .setId(process.id())
                .setBundle(container.bundle().toString())
                .setPid(process.pid())
                .setStatus(status)
                .setStdin(process.stdio().stdin())
                .setStdout(process.stdio().stdout())
                .setStderr(process.stdio().stderr())
                .setTerminal(process.stdio().terminal())
                .setExitStatus(exit.status())
                .setExitedAt(Timestamps.ofOptional(exit.exitedAt()))
                .build();
    }

    @Override
    public PidsResponse pids(PidsRequest request) throws Exception {
        Container container = containers.get(request.getId());
        List<Integer> pids;
        try {
            pids = container.init().runc().ps(container.id());
        } catch (RuncException e) {
            throw TaskErrors.unknown(e.getMessage());
        }
        PidsResponse.Builder response = PidsResponse.newBuilder();
        for (int pid : pids) {
            ProcessInfo.Builder info = ProcessInfo.newBuilder().setPid(pid);
            container.execs().withPid(pid).ifPresent(exec -> info.setInfo(TypeUrls.pack(
                    ProcessDetails.newBuilder().setExecId(exec.id()).build())));
            response.addProcesses(info);
        }
        return response.build();
    }

    /** Exec: records an exec process (runc runs it at Start) and publishes /tasks/exec-added. */
    @Override
    public Empty exec(ExecProcessRequest request) {
        execs.add(containers.get(request.getId()), request);
        return Empty.getDefaultInstance();
    }

    /** {@code runc update} with the request's OCI LinuxResources JSON; refused once the container stopped. */
    @Override
    public Empty update(UpdateTaskRequest request) throws Exception {
        Container container = containers.get(request.getId());
        if (!request.hasResources()) {
            throw ShimException.invalidArgument("UpdateTaskRequest.resources must hold the OCI LinuxResources JSON");
        }
        byte[] resources = request.getResources().getValue().toByteArray();
        try {
            Json.parseObject(new String(resources, StandardCharsets.UTF_8));
        } catch (JsonException e) {
            throw ShimException.invalidArgument("UpdateTaskRequest.resources is not the JSON object of OCI "
                    + "LinuxResources: " + e.getMessage());
        }
        container.init().update(resources);
        return Empty.getDefaultInstance();
    }

    /** {@code runc checkpoint} into the request's path (no /tasks/checkpointed event, as the Go shim). */
    @Override
    public Empty checkpoint(CheckpointTaskRequest request) throws Exception {
        Container container = containers.get(request.getId());
        container.init().checkpoint(Checkpoints.plan(request, container.bundle()));
        return Empty.getDefaultInstance();
    }

    /** cgroup metrics of the container (v1 or v2 Metrics, bare type URL); NOT_FOUND once its cgroup is gone. */
    @Override
    public StatsResponse stats(StatsRequest request) {
        Container container = containers.get(request.getId());
        return StatsResponse.newBuilder().setStats(cgroups.stats(container.id())).build();
    }

    @Override
    public Empty pause(PauseRequest request) throws Exception {
        Container container = containers.get(request.getId());
        container.init().pause();
        events.publish("/tasks/paused", TaskPaused.newBuilder().setContainerId(container.id()).build());
        return Empty.getDefaultInstance();
    }

    @Override
    public Empty resume(ResumeRequest request) throws Exception {
        Container container = containers.get(request.getId());
        container.init().resume();
        events.publish("/tasks/resumed", TaskResumed.newBuilder().setContainerId(container.id()).build());
        return Empty.getDefaultInstance();
    }

    @Override
    public Empty kill(KillRequest request) throws Exception {
        Container container = containers.get(request.getId());
        if (request.getExecId().isEmpty()) {
            container.init().kill(request.getSignal(), request.getAll());
        } else {
            container.execs().get(request.getExecId()).kill(request.getSignal());
        }
        return Empty.getDefaultInstance();
    }

    @Override
    public WaitResponse waitFor(WaitRequest request) throws Exception {
        Container container = containers.get(request.getId());
        ContainerProcess process = container.process(request.getExecId());
        ExitState exit;
        try {
            exit = process.exited().get();
        } catch (ExecutionException e) {
            throw TaskErrors.unknown("waiting for " + container.id() + " failed: " + e.getCause());
        }
        return WaitResponse.newBuilder()
                .setExitStatus(exit.status())
                .setExitedAt(Timestamps.ofOptional(exit.exitedAt()))
                .build();
    }

    @Override
    public Empty closeIO(CloseIORequest request) {
        Container container = containers.get(request.getId());
        ContainerProcess process = container.process(request.getExecId());
        if (request.getStdin()) {
            process.closeStdin();
        }
        return Empty.getDefaultInstance();
    }

    /** The process's terminal gets the new size; a process without one (or not started yet) ignores it, as in Go. */
    @Override
    public Empty resizePty(io.jrunc.proto.task.v2.ResizePtyRequest request) {
        Container container = containers.get(request.getId());
        ContainerProcess process = container.process(request.getExecId());
        long width = Integer.toUnsignedLong(request.getWidth());
        long height = Integer.toUnsignedLong(request.getHeight());
        if (width > 0xffff || height > 0xffff) {
            throw ShimException.invalidArgument("ResizePtyRequest width and height must be 0-65535, got "
                    + width + "x" + height);
        }
        var io = process.io();
        if (io.isPresent()) {
            try {
                io.get().resize((int) width, (int) height);
            } catch (io.jrunc.runc.io.IoException e) {
                throw TaskErrors.unknown(e.getMessage());
            }
        }
        return Empty.getDefaultInstance();
    }

    @Override
    public ConnectResponse connect(ConnectRequest request) {
        int taskPid = containers.find(request.getId()).map(c -> c.init().pid()).orElse(0);
        return ConnectResponse.newBuilder()
                .setShimPid((int) context.lifecycle().pid())
                .setTaskPid(taskPid)
                .setVersion(version)
                .build();
    }

    /** Exits the daemon only when it serves no container any more; otherwise a no-op, as in the Go shim. */
    @Override
    public Empty shutdown(ShutdownRequest request) {
        if (containers.isEmpty()) {
            // Off this thread: the reply to this call must still be written.
            Thread.ofVirtual().name("jrunc-shutdown").start(context.lifecycle()::requestExit);
        }
        return Empty.getDefaultInstance();
    }

    private void onExit(ProcessExit exit) {
        containers.route(exit).ifPresent(owner -> {
            switch (owner) {
                case ContainerRegistry.ExecOwner e -> execs.onExit(e.container(), e.exec(), exit);
                case ContainerRegistry.InitOwner i -> {
                    i.container().exitOrdering().initReaped();
                    if (i.container().init().offerExit(exit)) {
                        applyExit(i.container(), exit);
                    }
                }
            }
        });
    }

    /**
     * Thaw a paused container, kill-all for shared pid namespaces, then, once the exits of its running execs were
     * published (containerd 2.x's order), record the exit, wake Wait callers and publish /tasks/exit.
     */
    private void applyExit(Container container, ProcessExit exit) {
        InitProcess init = container.init();
        if (init.status() == ProcessStatus.DELETED) {
            return; // deleted before its exit was seen: the task is gone, nothing to report
        }
        try {
            init.thawIfPaused();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (container.killAllOnExit()) {
            try {
                init.killAll();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        container.exitOrdering().afterRunningExecs(() -> Thread.ofVirtual().name("exit-" + container.id()).start(() -> {
            // Report the exit once the output is in containerd's fifos (bounded): a client such as ctr 1.6
            // closes its fifos as soon as Wait returns, dropping whatever is still in our pipes. Off the
            // shared exit thread, so one container's slow reader never delays another's exit.
            awaitOutput(init);
            cgroups.beforeExit(container.id()); // an OOM kill is published before the exit it caused
            init.setExited(exit, () -> events.publish("/tasks/exit", TaskExit.newBuilder()
                    .setContainerId(container.id())
                    .setId(init.id())
                    .setPid(exit.pid())
                    .setExitStatus(exit.status())
                    .setExitedAt(Timestamps.of(exit.exitedAt()))
                    .build()));
        }));
        LOG.log(Level.DEBUG, "container " + container.id() + " init " + exit.pid() + " exited " + exit.status());
    }

    private static void awaitOutput(InitProcess init) {
        init.io().ifPresent(io -> {
            try {
                io.awaitOutputDrained(ProcessIo.OUTPUT_DRAIN_TIMEOUT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }
}
