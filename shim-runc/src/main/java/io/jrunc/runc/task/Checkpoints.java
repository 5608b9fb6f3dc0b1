package io.jrunc.runc.task;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import io.jrunc.proto.runc.v1.CheckpointOptions;
import io.jrunc.proto.task.v2.CheckpointTaskRequest;
import io.jrunc.runc.cli.CriuOptions;
import io.jrunc.runc.process.CheckpointPlan;
import io.jrunc.shim.errors.ShimException;
import io.jrunc.shim.typeurl.TypeUrls;
import java.nio.file.Path;

/** Turns a Checkpoint request into the runc checkpoint the Go shim would run. */
final class Checkpoints {
    private Checkpoints() {}

    /**
     * Images go to the request's path; criu works in the options' work path, else in a
     * {@code criu-work} directory inside the bundle's {@code work} directory, removed afterwards.
     */
    static CheckpointPlan plan(CheckpointTaskRequest request, Path bundle) {
        CheckpointOptions options = options(request);
        String work = options.getWorkPath();
        boolean defaultWork = work.isEmpty();
        if (defaultWork) {
            work = bundle.resolve("work").resolve("criu-work").toString();
        }
        CriuOptions criu = new CriuOptions(request.getPath(), work, "", options.getOpenTcp(),
                options.getExternalUnixSockets(), options.getTerminal(), options.getFileLocks(),
                options.getCgroupsMode(), options.getEmptyNamespacesList());
        return new CheckpointPlan(criu, options.getExit(), defaultWork, bundle.resolve("criu-dump.log"));
    }

    private static CheckpointOptions options(CheckpointTaskRequest request) {
        if (!request.hasOptions() || request.getOptions().getTypeUrl().isEmpty()) {
            return CheckpointOptions.getDefaultInstance();
        }
        try {
            if (TypeUrls.is(request.getOptions(), LEGACY)) {
                return fromLegacy(io.jrunc.proto.linux.runc.CheckpointOptions.parseFrom(request.getOptions().getValue()));
            }
            return TypeUrls.unpack(request.getOptions(), CheckpointOptions.getDefaultInstance());
        } catch (InvalidProtocolBufferException e) {
            throw ShimException.invalidArgument("CheckpointTaskRequest.options must hold "
                    + CheckpointOptions.getDescriptor().getFullName() + " or " + LEGACY.getFullName() + ": "
                    + e.getMessage());
        }
    }

    /** What containerd's Go client up to 1.7 sends a runtime not named io.containerd.runc*: the same fields. */
    private static final Descriptor LEGACY = io.jrunc.proto.linux.runc.CheckpointOptions.getDescriptor();

    private static CheckpointOptions fromLegacy(io.jrunc.proto.linux.runc.CheckpointOptions o) {
        return CheckpointOptions.newBuilder().setExit(o.getExit()).setOpenTcp(o.getOpenTcp())
                .setExternalUnixSockets(o.getExternalUnixSockets()).setTerminal(o.getTerminal())
                .setFileLocks(o.getFileLocks()).addAllEmptyNamespaces(o.getEmptyNamespacesList())
                .setCgroupsMode(o.getCgroupsMode()).setImagePath(o.getImagePath()).setWorkPath(o.getWorkPath()).build();
    }
}
