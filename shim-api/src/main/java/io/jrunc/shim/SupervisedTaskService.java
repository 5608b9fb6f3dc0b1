package io.jrunc.shim;

import com.google.protobuf.Empty;
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
import io.jrunc.proto.task.v2.ResizePtyRequest;
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
import io.jrunc.shim.errors.ShimException;
import io.jrunc.shim.host.CheckCommand;
import io.jrunc.shim.host.HostRequirement;
import io.jrunc.shim.task.TaskService;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the framework adds around a runtime's Task service in the daemon, whatever the runtime:
 * <ul>
 * <li>Create holds off the daemon's exit (and revives a lingering daemon), and clears a stale
 *     {@link DeletedMarker};</li>
 * <li>a successful Delete of a container's init leaves a {@link DeletedMarker} in its bundle, so
 *     containerd's {@code delete} action that follows is answered without a JVM;</li>
 * <li>whoever follows the containers the daemon serves hears of each Create and Delete
 *     ({@link ServedContainers}: the daemon's log, its status file and places).</li>
 * </ul>
 * Everything else goes to the runtime's service unchanged.
 */
final class SupervisedTaskService implements TaskService {
    private static final System.Logger LOG = System.getLogger(SupervisedTaskService.class.getName());

    private final TaskService tasks;
    private final DaemonExit exit;
    private final List<ServedContainers> followers;
    private final Map<String, Path> bundles = new ConcurrentHashMap<>();
    /** Set when the host lacks something the shim needs (see {@link io.jrunc.shim.host.HostProbe}). */
    private final Optional<String> missingOnHost;

    SupervisedTaskService(TaskService tasks, DaemonExit exit, List<ServedContainers> followers,
            List<HostRequirement> host) {
        this.tasks = tasks;
        this.exit = exit;
        this.followers = List.copyOf(followers);
        this.missingOnHost = host.stream().allMatch(HostRequirement::met)
                ? Optional.empty() : Optional.of(CheckCommand.describeMissing(host));
    }

    @Override
    public CreateTaskResponse create(CreateTaskRequest request) throws Exception {
        if (missingOnHost.isPresent()) {
            // Refused up front, in containerd's terms, rather than failing half-way through a container.
            throw ShimException.failedPrecondition(missingOnHost.get());
        }
        exit.beginCreate();
        try {
            Path bundle = request.getBundle().isEmpty() ? null : Path.of(request.getBundle());
            if (bundle != null) {
                try {
                    DeletedMarker.remove(bundle);
                } catch (IOException e) {
                    LOG.log(Level.WARNING, "cannot remove a stale " + DeletedMarker.NAME + " in " + bundle + ": " + e.getMessage());
                }
            }
            CreateTaskResponse response = tasks.create(request);
            if (bundle != null) {
                bundles.put(request.getId(), bundle);
                followers.forEach(f -> f.created(request.getId(), bundle));
            }
            return response;
        } finally {
            exit.endCreate();
        }
    }

    @Override
    public DeleteResponse delete(DeleteRequest request) throws Exception {
        DeleteResponse response = tasks.delete(request);
        if (request.getExecId().isEmpty()) {
            Path bundle = bundles.remove(request.getId());
            if (bundle != null) {
                try {
                    DeletedMarker.of(response).write(bundle);
                } catch (IOException e) {
                    // Without the marker the delete action does the full cleanup again: slower, still right.
                    LOG.log(Level.WARNING, "cannot write " + DeletedMarker.NAME + " in " + bundle + ": " + e.getMessage());
                }
                followers.forEach(f -> f.deleted(request.getId()));
            }
        }
        return response;
    }

    @Override
    public StateResponse state(StateRequest request) throws Exception {
        return tasks.state(request);
    }

    @Override
    public StartResponse start(StartRequest request) throws Exception {
        return tasks.start(request);
    }

    @Override
    public PidsResponse pids(PidsRequest request) throws Exception {
        return tasks.pids(request);
    }

    @Override
    public Empty kill(KillRequest request) throws Exception {
        return tasks.kill(request);
    }

    @Override
    public WaitResponse waitFor(WaitRequest request) throws Exception {
        return tasks.waitFor(request);
    }

    @Override
    public ConnectResponse connect(ConnectRequest request) throws Exception {
        return tasks.connect(request);
    }

    @Override
    public Empty shutdown(ShutdownRequest request) throws Exception {
        return tasks.shutdown(request);
    }

    @Override
    public Empty pause(PauseRequest request) throws Exception {
        return tasks.pause(request);
    }

    @Override
    public Empty resume(ResumeRequest request) throws Exception {
        return tasks.resume(request);
    }

    @Override
    public Empty checkpoint(CheckpointTaskRequest request) throws Exception {
        return tasks.checkpoint(request);
    }

    @Override
    public Empty exec(ExecProcessRequest request) throws Exception {
        return tasks.exec(request);
    }

    @Override
    public Empty resizePty(ResizePtyRequest request) throws Exception {
        return tasks.resizePty(request);
    }

    @Override
    public Empty closeIO(CloseIORequest request) throws Exception {
        return tasks.closeIO(request);
    }

    @Override
    public Empty update(UpdateTaskRequest request) throws Exception {
        return tasks.update(request);
    }

    @Override
    public StatsResponse stats(StatsRequest request) throws Exception {
        return tasks.stats(request);
    }
}
