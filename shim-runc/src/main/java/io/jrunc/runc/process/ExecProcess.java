package io.jrunc.runc.process;

import io.jrunc.posix.Errno;
import io.jrunc.posix.PosixException;
import io.jrunc.posix.ProcessExit;
import io.jrunc.proto.types.task.Status;
import io.jrunc.runc.bundle.BundleFiles;
import io.jrunc.runc.cli.ExecOptions;
import io.jrunc.runc.cli.RuncException;
import io.jrunc.runc.io.IoException;
import io.jrunc.runc.io.ProcessIo;
import io.jrunc.runc.io.ProcessIoFactory;
import io.jrunc.runc.io.StdioSpec;
import io.jrunc.shim.errors.ShimException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An additional process in a running container ({@code runc exec}): recorded by Exec, started by Start,
 * signalled directly by Kill, removed by Delete. Its state machine is the Go shim's: created, running,
 * stopped, deleted. Exits that arrive while Start is still publishing its event are held, so exec-started
 * always precedes the exit.
 */
public final class ExecProcess implements ContainerProcess {

    private final String id;
    private final byte[] spec;
    private final StdioSpec stdio;
    private final ExecEnvironment env;
    private final ReentrantLock operations = new ReentrantLock();
    private final CompletableFuture<ExitState> exited = new CompletableFuture<>();

    // Guarded by this.
    private ProcessStatus status = ProcessStatus.CREATED;
    private int pid;
    private ExitState exit = ExitState.NOT_EXITED;
    private ProcessIo io;
    private boolean starting;
    private ProcessExit heldExit;

    /**
     * @param spec the OCI process JSON runc exec gets (terminal already set from the request)
     */
    public ExecProcess(String id, byte[] spec, StdioSpec stdio, ExecEnvironment env) {
        this.id = id;
        this.spec = spec.clone();
        this.stdio = stdio;
        this.env = env;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public synchronized int pid() {
        return pid;
    }

    @Override
    public StdioSpec stdio() {
        return stdio;
    }

    public synchronized ProcessStatus status() {
        return status;
    }

    @Override
    public synchronized Status reportedStatus() {
        return status.toProto();
    }

    @Override
    public synchronized ExitState exitState() {
        return exit;
    }

    @Override
    public CompletableFuture<ExitState> exited() {
        return exited;
    }

    @Override
    public synchronized Optional<ProcessIo> io() {
        return Optional.ofNullable(io);
    }

    /** {@code <bundle>/<exec id>.pid}. */
    public Path pidFile() {
        return new BundleFiles(env.bundle()).execPidFile(id);
    }

    /**
     * Sets up stdio, runs {@code runc exec --detach}, reads the pid and hands it to {@link ExecStart#claim}
     * (which routes its exits here from then on), then {@link ExecStart#started}. An exit that arrives before
     * that is applied afterwards. When any step fails, Wait callers are released (status 0, no exit time), as
     * the Go shim does when runc exec fails.
     */
    public void start(ExecStart hooks) throws InterruptedException {
        operations.lock();
        try {
            synchronized (this) {
                if (status != ProcessStatus.CREATED) {
                    throw TaskErrors.unknown("cannot start a " + status.word() + " process");
                }
            }
            hooks.admit();
            synchronized (this) {
                starting = true;
            }
            boolean started = false;
            try {
                launch(hooks);
                started = true;
                hooks.started();
            } finally {
                ProcessExit held;
                synchronized (this) {
                    starting = false;
                    held = heldExit;
                    heldExit = null;
                }
                if (!started) {
                    exited.complete(exitState());
                    hooks.abandoned();
                } else if (held != null) {
                    hooks.applyExit(held);
                }
            }
        } finally {
            operations.unlock();
        }
    }

    private void launch(ExecStart hooks) throws InterruptedException {
        ProcessIo opened;
        try {
            opened = env.io().open(id, stdio);
        } catch (ProcessIoFactory.UnsupportedStdioException e) {
            throw ShimException.notImplemented(e.getMessage());
        } catch (IoException e) {
            // The Go shim says "init" for execs too.
            throw TaskErrors.unknown("failed to create init process I/O: " + e.getMessage());
        }
        synchronized (this) {
            io = opened;
        }
        try {
            env.runc().exec(env.containerId(), spec, new ExecOptions(pidFile(), opened.consoleSocket(),
                    opened.childFds(), opened::afterSpawn));
        } catch (RuncException e) {
            // Nothing will ever write to these pipes: release them now, so Delete does not wait out
            // the drain timeout for copies that never started, and the client sees EOF at once.
            synchronized (this) {
                io = null;
            }
            opened.close();
            throw TaskErrors.unknown(env.runc().describe("OCI runtime exec failed", e));
        }
        try {
            opened.start();
        } catch (IoException e) {
            throw TaskErrors.unknown("failed to start io pipe copy: " + e.getMessage());
        }
        int started;
        try {
            started = BundleFiles.readPidFile(pidFile());
        } catch (IOException e) {
            throw TaskErrors.unknown("failed to retrieve OCI runtime exec pid: " + e.getMessage());
        }
        Optional<ProcessExit> early = hooks.claim(started);
        synchronized (this) {
            pid = started;
            status = ProcessStatus.RUNNING;
            early.ifPresent(e -> heldExit = e);
        }
    }

    /**
     * Offers the reaper's exit of this pid. Returns true when the caller should apply it now; false while Start
     * is still publishing its event, in which case Start applies it.
     */
    public synchronized boolean offerExit(ProcessExit processExit) {
        if (starting) {
            heldExit = processExit;
            return false;
        }
        return true;
    }

    /**
     * Records the exit and queues its event ({@code publishExit}) atomically with the state change. Returns
     * false (doing nothing) when the process already counted as exited or deleted.
     */
    public boolean setExited(ProcessExit processExit, Runnable publishExit) {
        ExitState state;
        synchronized (this) {
            if (status == ProcessStatus.STOPPED || status == ProcessStatus.DELETED) {
                return false;
            }
            exit = new ExitState(processExit.status(), Optional.of(processExit.exitedAt()));
            status = ProcessStatus.STOPPED;
            state = exit;
            publishExit.run();
        }
        exited.complete(state);
        return true;
    }

    /**
     * kill(2) of the process itself ({@code all} means nothing for an exec). Not started yet is a failed
     * precondition; already exited (or gone meanwhile) is NOT_FOUND, which containerd takes as "done".
     */
    public synchronized void kill(int signal) {
        if (status == ProcessStatus.DELETED) {
            throw TaskErrors.deletedProcess("kill");
        }
        if (pid == 0) {
            throw ShimException.failedPrecondition("process not created: failed precondition");
        }
        if (exit.exitedAt().isPresent()) {
            throw TaskErrors.processAlreadyFinished();
        }
        try {
            env.posix().kill(pid, signal);
        } catch (PosixException e) {
            if (e.errno() == Errno.ESRCH) {
                throw ShimException.notFound("exec kill error: process already finished: not found");
            }
            throw TaskErrors.unknown("exec kill error: unknown error after kill: " + e.getMessage());
        }
    }

    /**
     * Deletes a created or stopped exec: waits up to 2 s for its output to drain, closes its stdio and removes
     * its pid file. Returns the exit state to report.
     */
    public ExitState delete() throws InterruptedException {
        operations.lock();
        try {
            ProcessIo held;
            synchronized (this) {
                switch (status) {
                    case RUNNING, PAUSED -> throw TaskErrors.unknown("cannot delete a running process");
                    case DELETED -> throw TaskErrors.deletedProcess("delete");
                    case CREATED, STOPPED -> {}
                }
                held = io;
            }
            if (held != null) {
                held.awaitOutputDrained(ProcessIo.OUTPUT_DRAIN_TIMEOUT);
                held.close();
            }
            try {
                Files.deleteIfExists(pidFile());
            } catch (IOException e) {
                // As the Go shim: a pid file that cannot be removed is not an error.
            }
            ExitState state;
            synchronized (this) {
                status = ProcessStatus.DELETED;
                state = exit;
            }
            exited.complete(state);
            return state;
        } finally {
            operations.unlock();
        }
    }

    /** Releases the stdio of an exec whose container is deleted before the exec itself was. */
    public void abandon() {
        ProcessIo held;
        synchronized (this) {
            held = io;
            io = null;
        }
        if (held != null) {
            held.close();
        }
    }

    @Override
    public void closeStdin() {
        ProcessIo held;
        synchronized (this) {
            held = io;
        }
        if (held != null) {
            held.closeStdin();
        }
    }
}
