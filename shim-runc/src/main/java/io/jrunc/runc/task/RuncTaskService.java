package io.jrunc.runc.task;

import com.google.protobuf.Empty;
import io.jrunc.posix.Posix;
import io.jrunc.posix.ProcessExit;
import io.jrunc.proto.events.TaskCreate;
import io.jrunc.proto.events.TaskDelete;
import io.jrunc.proto.events.TaskExit;
import io.jrunc.proto.events.TaskIO;
import io.jrunc.proto.events.TaskPaused;
import io.jrunc.proto.events.TaskResumed;
import io.jrunc.proto.events.TaskStart;
import io.jrunc.proto.task.v2.CloseIORequest;
import io.jrunc.proto.task.v2.ConnectRequest;
import io.jrunc.proto.task.v2.ConnectResponse;
import io.jrunc.proto.task.v2.CreateTaskRequest;
import io.jrunc.proto.task.v2.CreateTaskResponse;
import io.jrunc.proto.task.v2.DeleteRequest;
import io.jrunc.proto.task.v2.DeleteResponse;
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
import io.jrunc.proto.task.v2.WaitRequest;
import io.jrunc.proto.task.v2.WaitResponse;
import io.jrunc.proto.types.task.ProcessInfo;
import io.jrunc.runc.io.ProcessIoFactory;
import io.jrunc.runc.mount.RootfsMounter;
import io.jrunc.runc.process.ExitState;
import io.jrunc.runc.process.InitProcess;
import io.jrunc.runc.process.ProcessStatus;
import io.jrunc.runc.process.TaskErrors;
import io.jrunc.runc.runc.CommandRunner;
import io.jrunc.runc.runc.RuncException;
import io.jrunc.shim.ShimContext;
import io.jrunc.shim.event.EventPublisher;
import io.jrunc.shim.task.TaskService;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.List;
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

    public RuncTaskService(ShimContext context, Posix posix, String version) {
        this(context, new CommandRunner(context.reaper(), posix), new RootfsMounter(posix),
                new ProcessIoFactory(posix), version);
    }

    RuncTaskService(ShimContext context, CommandRunner runner, RootfsMounter mounter, ProcessIoFactory ioFactory,
            String version) {
        this.context = context;
        this.events = context.events();
        this.version = version;
        this.factory = new ContainerFactory(runner, mounter, ioFactory, context.flags().namespace());
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
        InitProcess init = initOf(container, request.getExecId());
        init.start(() -> events.publish("/tasks/start", TaskStart.newBuilder()
                .setContainerId(container.id())
                .setPid(init.pid())
                .build()), exit -> applyExit(container, exit));
        return StartResponse.newBuilder().setPid(init.pid()).build();
    }

    @Override
    public DeleteResponse delete(DeleteRequest request) throws Exception {
        Container container = containers.get(request.getId());
        InitProcess init = initOf(container, request.getExecId());
        ExitState exit = init.delete(held -> applyExit(container, held));
        containers.remove(container);
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

    @Override
    public StateResponse state(StateRequest request) {
        Container container = containers.get(request.getId());
        InitProcess init = initOf(container, request.getExecId());
        ExitState exit = init.exitState();
        return StateResponse.newBuilder()
                .setId(init.id())
                .setBundle(container.bundle().toString())
                .setPid(init.pid())
                .setStatus(init.reportedStatus())
                .setStdin(init.stdio().stdin())
                .setStdout(init.stdio().stdout())
                .setStderr(init.stdio().stderr())
                .setTerminal(init.stdio().terminal())
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
        pids.forEach(pid -> response.addProcesses(ProcessInfo.newBuilder().setPid(pid)));
        return response.build();
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
        initOf(container, request.getExecId()).kill(request.getSignal(), request.getAll());
        return Empty.getDefaultInstance();
    }

    @Override
    public WaitResponse waitFor(WaitRequest request) throws Exception {
        Container container = containers.get(request.getId());
        InitProcess init = initOf(container, request.getExecId());
        ExitState exit;
        try {
            exit = init.exited().get();
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
        InitProcess init = initOf(container, request.getExecId());
        if (request.getStdin()) {
            init.closeStdin();
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

    /** Execs are not served yet, so any exec id names a process that does not exist. */
    private static InitProcess initOf(Container container, String execId) {
        if (!execId.isEmpty()) {
            throw TaskErrors.processDoesNotExist(execId);
        }
        return container.init();
    }

    private void onExit(ProcessExit exit) {
        containers.route(exit).ifPresent(container -> {
            if (container.init().offerExit(exit)) {
                applyExit(container, exit);
            }
        });
    }

    /** Thaw a paused container, kill-all for shared pid namespaces, then record the exit, wake Wait callers and publish /tasks/exit. */
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
        init.setExited(exit, () -> events.publish("/tasks/exit", TaskExit.newBuilder()
                .setContainerId(container.id())
                .setId(init.id())
                .setPid(exit.pid())
                .setExitStatus(exit.status())
                .setExitedAt(Timestamps.of(exit.exitedAt()))
                .build()));
        LOG.log(Level.DEBUG, "container " + container.id() + " init " + exit.pid() + " exited " + exit.status());
    }
}
