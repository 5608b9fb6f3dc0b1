package io.jrunc.runc.task;

import io.jrunc.posix.PosixException;
import io.jrunc.proto.runc.v1.Options;
import io.jrunc.proto.task.v2.CreateTaskRequest;
import io.jrunc.runc.bundle.BundleFiles;
import io.jrunc.runc.bundle.RuncOptionsCodec;
import io.jrunc.runc.cli.CommandRunner;
import io.jrunc.runc.cli.CreateOptions;
import io.jrunc.runc.cli.CriuOptions;
import io.jrunc.runc.cli.Runc;
import io.jrunc.runc.cli.RuncConfig;
import io.jrunc.runc.cli.RuncException;
import io.jrunc.runc.io.IoException;
import io.jrunc.runc.io.ProcessIo;
import io.jrunc.runc.io.ProcessIoFactory;
import io.jrunc.runc.io.StdioSpec;
import io.jrunc.runc.mount.MountException;
import io.jrunc.runc.mount.RootfsMounter;
import io.jrunc.runc.process.InitProcess;
import io.jrunc.runc.process.IoOpener;
import io.jrunc.runc.process.RestorePlan;
import io.jrunc.runc.process.TaskErrors;
import io.jrunc.shim.errors.ShimException;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * The steps of Create up to a created runc container (containerd's §8.1): options, bundle files, rootfs
 * mounts, stdio, {@code runc create}, copying, {@code init.pid}. A container created from a checkpoint stops
 * after stdio: its Start restores it. Undoes its own work when a step fails.
 */
final class ContainerFactory {
    private static final Logger LOG = System.getLogger(ContainerFactory.class.getName());
    /** Exists while systemd runs the host (sd_booted(3)). */
    static final Path SYSTEMD_RUNTIME_DIR = Path.of("/run/systemd/system");

    private final CommandRunner runner;
    private final RootfsMounter mounter;
    private final StdioFactory stdioFactory;
    private final String namespace;
    private final Path systemdRuntimeDir;

    ContainerFactory(CommandRunner runner, RootfsMounter mounter, StdioFactory stdioFactory, String namespace,
            Path systemdRuntimeDir) {
        this.runner = runner;
        this.mounter = mounter;
        this.stdioFactory = stdioFactory;
        this.namespace = namespace;
        this.systemdRuntimeDir = systemdRuntimeDir;
    }

    Container create(CreateTaskRequest request) throws InterruptedException {
        String id = request.getId();
        Path bundle = validate(request);
        Options options = RuncOptionsCodec.fromAny(request.hasOptions() ? request.getOptions() : null,
                !request.getCheckpoint().isEmpty());
        requireSystemdIfAsked(options);
        BundleFiles files = new BundleFiles(bundle);
        try {
            files.writeOptions(options);
            // The Go shim writes the binary name on its own too; its delete action reads both.
            files.writeRuntime(options.getBinaryName());
        } catch (IOException e) {
            throw TaskErrors.unknown("cannot write runtime files into bundle " + bundle + ": " + e.getMessage());
        }
        Optional<Path> rootfs = mountRootfs(request, files);
        ProcessIo io = null;
        Runc runc = new Runc(runner, RuncConfig.of(options, bundle, namespace));
        boolean created = false;
        try {
            StdioSpec stdio = new StdioSpec(request.getStdin(), request.getStdout(), request.getStderr(),
                    request.getTerminal());
            io = createIo(id, stdio, options);
            ProcessIo processIo = io;
            if (!request.getCheckpoint().isEmpty()) {
                return new Container(id, bundle, restorable(request, options, files, stdio, runc, io, rootfs),
                        !files.hasPrivatePidNamespace(), execIo(options));
            }
            try {
                runc.create(id, bundle, new CreateOptions(files.initPidFile(), options.getNoPivotRoot(),
                        options.getNoNewKeyring(), processIo.consoleSocket(), processIo.childFds(),
                        processIo::afterSpawn));
            } catch (RuncException e) {
                throw TaskErrors.unknown(runc.describe("OCI runtime create failed", e));
            }
            created = true;
            try {
                io.start();
            } catch (IoException e) {
                throw TaskErrors.unknown("failed to start io pipe copy: " + e.getMessage());
            }
            int pid;
            try {
                pid = files.readInitPid();
            } catch (IOException e) {
                throw TaskErrors.unknown("failed to retrieve OCI runtime container pid: " + e.getMessage());
            }
            InitProcess init = new InitProcess(id, pid, stdio, runc, io, mounter, rootfs);
            return new Container(id, bundle, init, !files.hasPrivatePidNamespace(), execIo(options));
        } catch (RuntimeException | InterruptedException e) {
            undo(id, runc, created, io, rootfs);
            throw e;
        }
    }

    /**
     * runc --systemd-cgroup needs systemd to create the container's scope; without it runc fails obscurely, so
     * say what is wrong up front.
     */
    private void requireSystemdIfAsked(Options options) {
        if (options.getSystemdCgroup() && !Files.isDirectory(systemdRuntimeDir)) {
            throw ShimException.failedPrecondition("runc option SystemdCgroup is set but systemd is not running on "
                    + "this host (" + systemdRuntimeDir + " does not exist): set SystemdCgroup = false in the runtime "
                    + "options, or run containerd on a host booted with systemd");
        }
    }

    /**
     * The init of a container created from a checkpoint: no runc call now; Start runs {@code runc restore} with
     * the checkpoint, criu's work path (the CriuWorkPath option, else {@code <bundle>/work}) and the parent.
     */
    private InitProcess restorable(CreateTaskRequest request, Options options, BundleFiles files, StdioSpec stdio,
            Runc runc, ProcessIo io, Optional<Path> rootfs) {
        String work = options.getCriuWorkPath().isEmpty() ? files.dir().resolve("work").toString()
                : options.getCriuWorkPath();
        RestorePlan plan = new RestorePlan(CriuOptions.paths(request.getCheckpoint(), work,
                request.getParentCheckpoint()), files.dir(), files.initPidFile(), options.getNoPivotRoot());
        return new InitProcess(request.getId(), 0, stdio, runc, io, mounter, rootfs, Optional.of(plan));
    }

    private IoOpener execIo(Options options) {
        return stdioFactory.forOwner(options.getIoUid(), options.getIoGid());
    }

    private static Path validate(CreateTaskRequest request) {
        if (request.getId().isEmpty()) {
            throw ShimException.invalidArgument("CreateTaskRequest.id must name the container");
        }
        if (request.getBundle().isEmpty()) {
            throw ShimException.invalidArgument("CreateTaskRequest.bundle must be the bundle directory");
        }
        Path bundle = Path.of(request.getBundle());
        if (!bundle.isAbsolute() || !Files.isDirectory(bundle)) {
            throw ShimException.invalidArgument("bundle " + bundle + " is not an absolute path of a directory");
        }
        return bundle;
    }

    /** Mounts the request's rootfs components on {@code <bundle>/rootfs}; none means the spec's root is used as is. */
    private Optional<Path> mountRootfs(CreateTaskRequest request, BundleFiles files) {
        if (request.getRootfsCount() == 0) {
            return Optional.empty();
        }
        Path target = files.rootfs();
        try {
            Files.createDirectory(target, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
        } catch (FileAlreadyExistsException e) {
            // containerd makes it before start.
        } catch (IOException e) {
            throw TaskErrors.unknown("cannot create rootfs directory " + target + ": " + e.getMessage());
        }
        try {
            mounter.mountAll(request.getRootfsList(), target);
        } catch (MountException e) {
            throw TaskErrors.unknown(e.getMessage());
        }
        return Optional.of(target);
    }

    private ProcessIo createIo(String id, StdioSpec stdio, Options options) {
        try {
            return stdioFactory.open(id, stdio, options.getIoUid(), options.getIoGid());
        } catch (ProcessIoFactory.UnsupportedStdioException e) {
            throw ShimException.notImplemented(e.getMessage());
        } catch (IoException e) {
            throw TaskErrors.unknown("failed to create init process I/O: " + e.getMessage());
        }
    }

    private void undo(String id, Runc runc, boolean created, ProcessIo io, Optional<Path> rootfs)
            throws InterruptedException {
        if (created) {
            try {
                runc.delete(id, true);
            } catch (RuncException e) {
                LOG.log(Level.WARNING, "cannot remove half-created container " + id + ": " + e.getMessage());
            }
        }
        if (io != null) {
            io.close();
        }
        if (rootfs.isPresent()) {
            try {
                mounter.unmountAll(rootfs.get());
            } catch (PosixException e) {
                LOG.log(Level.WARNING, "failed to cleanup rootfs mount of " + id + ": " + e.getMessage());
            }
        }
    }
}
