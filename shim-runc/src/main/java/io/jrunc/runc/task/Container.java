package io.jrunc.runc.task;

import io.jrunc.runc.io.ProcessIoFactory;
import io.jrunc.runc.process.ContainerProcess;
import io.jrunc.runc.process.InitProcess;
import io.jrunc.runc.process.IoOpener;
import java.nio.file.Path;

/**
 * One container served by this daemon: its init, its exec processes, and the order their exits are published in.
 */
public final class Container {
    private final String id;
    private final Path bundle;
    private final InitProcess init;
    private final boolean killAllOnExit;
    private final IoOpener execIo;
    private final ExecTable execs = new ExecTable();
    private final ExitOrdering exitOrdering = new ExitOrdering();

    /**
     * @param killAllOnExit the container shares a pid namespace, so its other processes are killed when init exits
     * @param execIo opens the stdio of exec processes (with the container's io uid/gid)
     */
    public Container(String id, Path bundle, InitProcess init, boolean killAllOnExit, IoOpener execIo) {
        this.id = id;
        this.bundle = bundle;
        this.init = init;
        this.killAllOnExit = killAllOnExit;
        this.execIo = execIo;
    }

    /** A container whose exec processes cannot have stdio (tests). */
    public Container(String id, Path bundle, InitProcess init, boolean killAllOnExit) {
        this(id, bundle, init, killAllOnExit, (processId, stdio) -> {
            throw new ProcessIoFactory.UnsupportedStdioException("no stdio for exec processes of " + id);
        });
    }

    public String id() {
        return id;
    }

    public Path bundle() {
        return bundle;
    }

    public InitProcess init() {
        return init;
    }

    public boolean killAllOnExit() {
        return killAllOnExit;
    }

    public IoOpener execIo() {
        return execIo;
    }

    ExecTable execs() {
        return execs;
    }

    ExitOrdering exitOrdering() {
        return exitOrdering;
    }

    /**
     * The init for an empty exec id, else that exec process.
     *
     * @throws io.jrunc.shim.errors.ShimException NOT_FOUND "process does not exist" for an unknown exec id
     */
    public ContainerProcess process(String execId) {
        return execId.isEmpty() ? init : execs.get(execId);
    }

    @Override
    public String toString() {
        return "container " + id;
    }
}
