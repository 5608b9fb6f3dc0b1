package io.jrunc.runc.bundle;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.jrunc.proto.runtime.bootstrap.v1.BootstrapParams;
import io.jrunc.proto.runtime.bootstrap.v1.Extension;
import io.jrunc.shim.errors.ShimException;

/**
 * What containerd writes to {@code start}'s stdin, as far as the runc runtime cares: the shim cgroup. It is
 * nothing, an {@code Any} of the task (or runtime) options (containerd 1.6-2.2), or {@code BootstrapParams}
 * whose extensions carry that Any (2.3+). Bytes that parse as an Any with no other fields are an Any (an
 * options type of another runtime, e.g. a value that is not UTF-8, must not fail as BootstrapParams). Only the accepted runc option types can name a shim cgroup; any
 * other type (e.g. CRI's {@code runtimeoptions.v1.Options}) names none, the way the Go shim only looks at its
 * own type. The launcher script's JVM-free start decides the same way (launcher.sh, {@code jr_start_input}).
 */
public final class StartInput {
    private StartInput() {}

    /** The shim cgroup asked for, or "" for none. */
    public static String shimCgroup(byte[] input) {
        if (input.length == 0) {
            return "";
        }
        try {
            Any any = Any.parseFrom(input);
            if (any.getUnknownFields().asMap().isEmpty()) {
                return RuncOptionsCodec.isAccepted(any) ? RuncOptionsCodec.fromAny(any).getShimCgroup() : "";
            }
        } catch (InvalidProtocolBufferException e) {
            // not an Any: perhaps BootstrapParams
        } catch (ShimException e) {
            throw new IllegalArgumentException("start's stdin: " + e.getMessage());
        }
        try {
            for (Extension extension : BootstrapParams.parseFrom(input).getExtensionsList()) {
                if (RuncOptionsCodec.isAccepted(extension.getValue())) {
                    return RuncOptionsCodec.fromAny(extension.getValue()).getShimCgroup();
                }
            }
            return "";
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("cannot decode start's stdin (" + input.length + " bytes) as "
                    + "runtime options (google.protobuf.Any) or BootstrapParams: " + e.getMessage());
        } catch (ShimException e) {
            throw new IllegalArgumentException("start's stdin: " + e.getMessage());
        }
    }
}
