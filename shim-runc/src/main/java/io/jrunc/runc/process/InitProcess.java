package io.jrunc.runc.process;

import io.jrunc.posix.Posix;
import io.jrunc.posix.PosixException;
import io.jrunc.posix.ProcessExit;
import io.jrunc.proto.types.task.Status;
import io.jrunc.runc.bundle.BundleFiles;
import io.jrunc.runc.cli.RestoreOptions;
import io.jrunc.runc.cli.Runc;
import io.jrunc.runc.cli.RuncException;
import io.jrunc.runc.io.IoException;
import io.jrunc.runc.io.ProcessIo;
import io.jrunc.runc.io.StdioSpec;
import io.jrunc.runc.mount.RootfsMounter;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A container's init process after {@code runc create}: its state machine (created, running, paused,
 * stopped, deleted), its exit, and the runc calls that move it. Operations (start, pause, resume, kill,
 * delete) run one at a time; exits never wait for them (they are held instead, see {@link #offerExit}).
 */
public final class InitProcess implements ContainerProcess {
    private static final Logger LOG = System.getLogger(InitProcess.class.getName());

    private final String id;
    /** 0 until a restored container has started. */
    private volatile int pid;
    private final StdioSpec stdio;
    private final Runc runc;
    private final ProcessIo io;
    private final RootfsMounter mounter;
    private final Optional<Path> mountedRootfs;
    /** Set when the container was created from a checkpoint: Start restores it. */
    private final Optional<RestorePlan> restore;
    private final ReentrantLock operations = new ReentrantLock();
    private final CompletableFuture<ExitState> exited = new CompletableFuture<>();

    // Guarded by this.
    private ProcessStatus status = ProcessStatus.CREATED;
    private ExitState exit = ExitState.NOT_EXITED;
    private boolean pausing;
    private int exitHolds = 1;
    private ProcessExit heldExit;

    /**
     * A freshly created init. It starts out holding exits, so nothing about it is published before the
     * create event ({@link #announceCreated}).
     *
     * @param mountedRootfs where the shim mounted the rootfs (unmounted on delete), empty when it did not
     */
    public InitProcess(String id, int pid, StdioSpec stdio, Runc runc, ProcessIo io, RootfsMounter mounter,
            Optional<Path> mountedRootfs) {
        this(id, pid, stdio, runc, io, mounter, mountedRootfs, Optional.empty());
    }

    /**
     * @param restore how Start restores a container created from a checkpoint (its pid is 0 until then); empty
     *     for a container {@code runc create} made
     */
    public InitProcess(String id, int pid, StdioSpec stdio, Runc runc, ProcessIo io, RootfsMounter mounter,
            Optional<Path> mountedRootfs, Optional<RestorePlan> restore) {
        this.id = id;
        this.pid = pid;
        this.stdio = stdio;
        this.runc = runc;
        this.io = io;
        this.mounter = mounter;
        this.mountedRootfs = mountedRootfs;
        this.restore = restore;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public int pid() {
        return pid;
    }

    @Override
    public StdioSpec stdio() {
        return stdio;
    }

    @Override
    public Optional<ProcessIo> io() {
        return Optional.of(io);
    }

    /** Created from a checkpoint and not started yet. */
    public synchronized boolean awaitingRestore() {
        return restore.isPresent() && status == ProcessStatus.CREATED;
    }

    public Runc runc() {
        return runc;
    }

    public synchronized ProcessStatus status() {
        return status;
    }

    /** The status State reports: like {@link #status()}, but "pausing" while a pause is in progress. */
    @Override
    public synchronized Status reportedStatus() {
        return pausing ? Status.PAUSING : status.toProto();
    }

    @Override
    public synchronized ExitState exitState() {
        return exit;
    }

    /** Completes when the process exited (or was deleted without an exit seen). */
    @Override
    public CompletableFuture<ExitState> exited() {
        return exited;
    }

    /**
     * Offers the reaper's exit of this pid. Returns true when the caller should apply it now; false when an
     * operation that must publish its event first holds exits, in which case that operation applies it.
     */
    public synchronized boolean offerExit(ProcessExit processExit) {
        if (exitHolds > 0) {
            heldExit = processExit;
            return false;
        }
        return true;
    }

    /**
     * Publishes the create event, then stops holding exits (a fresh init holds them) and applies the exit
     * that arrived meanwhile, if any: so nobody sees the exit of a process before its creation.
     */
    public void announceCreated(Runnable publishCreated, Consumer<ProcessExit> applyExit) {
        try {
            publishCreated.run();
        } finally {
            releaseExits(applyExit);
        }
    }

    private void releaseExits(Consumer<ProcessExit> applyExit) {
        ProcessExit held;
        synchronized (this) {
            exitHolds--;
            if (exitHolds > 0 || heldExit == null) {
                return;
            }
            held = heldExit;
            heldExit = null;
        }
        applyExit.accept(held);
    }

    /**
     * Records the exit and queues its event ({@code publishExit}) atomically with the state change, so
     * nothing that sees "stopped" (a Delete, a Wait caller) can get its own event out before the exit's.
     * Does nothing when the process already counted as exited or deleted.
     */
    public void setExited(ProcessExit processExit, Runnable publishExit) {
        ExitState state;
        synchronized (this) {
            if (status == ProcessStatus.STOPPED || status == ProcessStatus.DELETED) {
                return;
            }
            exit = new ExitState(processExit.status(), Optional.of(processExit.exitedAt()));
            status = ProcessStatus.STOPPED;
            state = exit;
            publishExit.run();
        }
        exited.complete(state);
    }

    /**
     * {@code runc start}, then {@code publishStarted}. Exits that arrive meanwhile are held and applied
     * afterwards through {@code applyExit}, so the start event always precedes the exit event.
     */
    public void start(Runnable publishStarted, Consumer<ProcessExit> applyExit) throws InterruptedException {
        start(PidClaim.NONE, publishStarted, applyExit);
    }

    /**
     * Like {@link #start(Runnable, Consumer)}; a container created from a checkpoint is restored instead
     * ({@code runc restore}), its stdio copying starts, and its new pid goes to {@code claim} before the event.
     */
    public void start(PidClaim claim, Runnable publishStarted, Consumer<ProcessExit> applyExit)
            throws InterruptedException {
        operations.lock();
        try {
            synchronized (this) {
                if (status != ProcessStatus.CREATED) {
                    throw TaskErrors.unknown("cannot start a " + status.word() + " process");
                }
                exitHolds++;
            }
            try {
                if (restore.isPresent()) {
                    restoreNow(restore.get(), claim);
                } else {
                    try {
                        runc.start(id);
                    } catch (RuncException e) {
                        throw TaskErrors.unknown(runc.describe("OCI runtime start failed", e));
                    }
                }
                synchronized (this) {
                    status = ProcessStatus.RUNNING;
                }
                publishStarted.run();
            } finally {
                releaseExits(applyExit);
            }
        } finally {
            operations.unlock();
        }
    }

    private void restoreNow(RestorePlan plan, PidClaim claim) throws InterruptedException {
        try {
            runc.restore(id, plan.bundle(), new RestoreOptions(plan.criu(), plan.pidFile(), io.consoleSocket(),
                    plan.noPivot(), io.childFds(), io::afterSpawn));
        } catch (RuncException e) {
            throw TaskErrors.unknown(runc.describe("OCI runtime restore failed", e));
        }
        try {
            io.start();
        } catch (IoException e) {
            throw TaskErrors.unknown("failed to start io pipe copy: " + e.getMessage());
        }
        int restored;
        try {
            restored = BundleFiles.readPidFile(plan.pidFile());
        } catch (IOException e) {
            throw TaskErrors.unknown("failed to retrieve OCI runtime container pid: " + e.getMessage());
        }
        pid = restored;
        // Held: this start still holds exits, so the start event goes out first.
        claim.claim(restored).ifPresent(this::offerExit);
    }

    /** Whether Exec may add a process now; the Go shim's words when not. */
    public synchronized void checkCanExec() {
        if (restore.isPresent() && status == ProcessStatus.CREATED) {
            throw TaskErrors.unknown("cannot exec in a created state");
        }
        switch (status) {
            case PAUSED, STOPPED, DELETED -> throw TaskErrors.unknown("cannot exec in a " + status.word() + " state");
            case CREATED, RUNNING -> {}
        }
    }

    /** {@code runc update --resources -} with the OCI LinuxResources JSON; refused once the init stopped. */
    public void update(byte[] resourcesJson) throws InterruptedException {
        operations.lock();
        try {
            synchronized (this) {
                switch (status) {
                    case STOPPED -> throw TaskErrors.unknown("cannot update a stopped container");
                    case DELETED -> throw TaskErrors.unknown("cannot update a deleted process");
                    case CREATED, RUNNING, PAUSED -> {}
                }
            }
            try {
                runc.update(id, resourcesJson);
            } catch (RuncException e) {
                // The Go shim returns go-runc's error as is here, without the log.json lookup.
                throw TaskErrors.unknown(e.getMessage());
            }
        } finally {
            operations.unlock();
        }
    }

    /**
     * {@code runc checkpoint} of a running or paused container; it keeps running unless {@code exit}. A failure
     * is reported as the first line of runc's error plus where criu's log was copied to.
     */
    public void checkpoint(CheckpointPlan plan) throws InterruptedException {
        operations.lock();
        try {
            synchronized (this) {
                switch (status) {
                    case CREATED -> throw TaskErrors.unknown("cannot checkpoint a task in created state");
                    case STOPPED -> throw TaskErrors.unknown("cannot checkpoint a stopped container");
                    case DELETED -> throw TaskErrors.unknown("cannot checkpoint a deleted process");
                    case RUNNING, PAUSED -> {}
                }
            }
            plan.run(runc, id);
        } finally {
            operations.unlock();
        }
    }

    /** {@code runc pause}; State says "pausing" meanwhile. Wrong states fail with the Go shim's words. */
    public void pause() throws InterruptedException {
        operations.lock();
        try {
            synchronized (this) {
                switch (status) {
                    case CREATED -> throw TaskErrors.unknown("cannot pause task in created state");
                    case PAUSED -> throw TaskErrors.unknown("cannot pause a paused container");
                    case STOPPED -> throw TaskErrors.unknown("cannot pause a stopped container");
                    case DELETED -> throw TaskErrors.unknown("cannot pause a deleted process");
                    case RUNNING -> pausing = true;
                }
            }
            try {
                runc.pause(id);
            } catch (RuncException e) {
                throw TaskErrors.unknown(runc.describe("OCI runtime pause failed", e));
            } finally {
                synchronized (this) {
                    pausing = false;
                }
            }
            synchronized (this) {
                if (status == ProcessStatus.RUNNING) {
                    status = ProcessStatus.PAUSED;
                }
            }
        } finally {
            operations.unlock();
        }
    }

    /** {@code runc resume} of a paused init. */
    public void resume() throws InterruptedException {
        operations.lock();
        try {
            synchronized (this) {
                switch (status) {
                    case CREATED -> throw TaskErrors.unknown("cannot resume task in created state");
                    case RUNNING -> throw TaskErrors.unknown("cannot resume a running process");
                    case STOPPED -> throw TaskErrors.unknown("cannot resume a stopped container");
                    case DELETED -> throw TaskErrors.unknown("cannot resume a deleted process");
                    case PAUSED -> {}
                }
            }
            try {
                runc.resume(id);
            } catch (RuncException e) {
                throw TaskErrors.unknown(runc.describe("OCI runtime resume failed", e));
            }
            synchronized (this) {
                if (status == ProcessStatus.PAUSED) {
                    status = ProcessStatus.RUNNING;
                }
            }
        } finally {
            operations.unlock();
        }
    }

    /** An init that exits while paused leaves a frozen container behind: thaw it so the rest can die. */
    public void thawIfPaused() throws InterruptedException {
        if (status() != ProcessStatus.PAUSED) {
            return;
        }
        try {
            runc.resume(id);
        } catch (RuncException e) {
            LOG.log(Level.WARNING, "resuming exited container " + id + " from paused state failed: " + e.getMessage());
        }
    }

    /** {@code runc kill [--all] <id> <signal>}, with the Go shim's reading of runc's complaints. */
    public void kill(int signal, boolean all) throws InterruptedException {
        operations.lock();
        try {
            if (status() == ProcessStatus.DELETED) {
                throw TaskErrors.deletedProcess("kill");
            }
            try {
                runc.kill(id, signal, all);
            } catch (RuncException e) {
                throw KillErrors.translate(e.getMessage());
            }
        } finally {
            operations.unlock();
        }
    }

    /** SIGKILL to every process of the container: used when the init of a shared pid namespace exits. */
    public void killAll() throws InterruptedException {
        try {
            runc.kill(id, Posix.SIGKILL, true);
        } catch (RuncException e) {
            LOG.log(Level.WARNING, "failed to kill init's children of " + id + ": "
                    + runc.describe("OCI runtime killall failed", e));
        }
    }

    /**
     * Deletes a created or stopped init: waits up to 2 s for its output to drain, {@code runc delete}, closes
     * its stdio, unmounts its rootfs. Returns the exit state to report. Exits arriving meanwhile (runc delete
     * kills a created init) are held: after a successful delete they are dropped, as the task is gone;
     * after a failed one they go to {@code applyExit}.
     */
    public ExitState delete(Consumer<ProcessExit> applyExit) throws InterruptedException {
        operations.lock();
        try {
            synchronized (this) {
                switch (status) {
                    case RUNNING, PAUSED -> throw TaskErrors.unknown("cannot delete a " + status.word() + " process");
                    case DELETED -> throw TaskErrors.deletedProcess("delete");
                    default -> exitHolds++;
                }
            }
            try {
                return deleteHeld();
            } finally {
                releaseExits(applyExit);
            }
        } finally {
            operations.unlock();
        }
    }

    private ExitState deleteHeld() throws InterruptedException {
        io.awaitOutputDrained(ProcessIo.OUTPUT_DRAIN_TIMEOUT);
        String failure = null;
        try {
            runc.delete(id, false);
        } catch (RuncException e) {
            // Already gone in runc (e.g. after a checkpoint) is fine: we still hold metadata and pipes.
            if (!e.getMessage().contains("does not exist")) {
                failure = runc.describe("failed to delete task", e);
            }
        }
        io.close();
        if (mountedRootfs.isPresent()) {
            try {
                mounter.unmountAll(mountedRootfs.get());
            } catch (PosixException e) {
                LOG.log(Level.WARNING, "failed to cleanup rootfs mount of " + id + ": " + e.getMessage());
                if (failure == null) {
                    failure = "failed rootfs umount: " + e.getMessage();
                }
            }
        }
        if (failure != null) {
            throw TaskErrors.unknown(failure);
        }
        ExitState state;
        synchronized (this) {
            status = ProcessStatus.DELETED;
            state = exit;
        }
        // Nobody will see an exit any more: release waiters of a process deleted before it exited.
        exited.complete(state);
        return state;
    }

    /** CloseIO: drop the shim's writer on the stdin FIFO. */
    @Override
    public void closeStdin() {
        io.closeStdin();
    }
}
