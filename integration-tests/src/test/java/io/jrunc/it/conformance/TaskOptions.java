package io.jrunc.it.conformance;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import io.jrunc.proto.linux.runc.CreateOptions;
import io.jrunc.proto.runc.v1.Options;

/**
 * Task options as containerd's Go client sends them in CreateTaskRequest.options: {@code containerd.runc.v1.Options}
 * for runtimes named io.containerd.runc*, {@code containerd.linux.runc.CreateOptions} for any other (up to 1.7).
 */
enum TaskOptions {
    RUNC_V1,
    CREATE_OPTIONS;

    /** io_uid/io_gid and shim_cgroup in this type ("" for none). */
    Any with(int ioUid, int ioGid, String shimCgroup) {
        Message m = switch (this) {
            case RUNC_V1 -> Options.newBuilder().setIoUid(ioUid).setIoGid(ioGid).setShimCgroup(shimCgroup).build();
            case CREATE_OPTIONS -> CreateOptions.newBuilder().setIoUid(ioUid).setIoGid(ioGid).setShimCgroup(shimCgroup).build();
        };
        return Any.newBuilder().setTypeUrl(m.getDescriptorForType().getFullName()).setValue(m.toByteString()).build();
    }
}
