package io.jrunc.runc.bundle;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import io.jrunc.json.Json;
import io.jrunc.proto.linux.runc.CreateOptions;
import io.jrunc.proto.linux.runc.RuncOptions;
import io.jrunc.proto.runc.v1.Options;
import io.jrunc.shim.errors.ShimException;
import io.jrunc.shim.typeurl.TypeUrls;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The runc options in their two forms: the protobuf Any containerd sends (type URL
 * {@code containerd.runc.v1.Options} or an older type mapped to it, with or without a prefix) and {@code options.json} in the bundle,
 * which uses the Go field names and leaves out unset fields, as Go's encoding/json does.
 */
public final class RuncOptionsCodec {
    private RuncOptionsCodec() {}

    /** The option types accepted wherever runc options arrive (Create, start's stdin). */
    private static final List<Descriptor> ACCEPTED = List.of(Options.getDescriptor(),
            CreateOptions.getDescriptor(), RuncOptions.getDescriptor());

    /**
     * Options from a Create request; defaults when containerd sent none (empty type URL). Takes
     * {@code containerd.runc.v1.Options} and the older {@code containerd.linux.runc.CreateOptions} and
     * {@code RuncOptions}, mapped to Options; {@code restore} says the task is created from a checkpoint.
     */
    public static Options fromAny(Any any, boolean restore) {
        if (any == null || any.getTypeUrl().isEmpty()) {
            return Options.getDefaultInstance();
        }
        Descriptor type = ACCEPTED.stream().filter(d -> TypeUrls.is(any, d)).findFirst()
                .orElseThrow(() -> ShimException.invalidArgument("unsupported runtime options type '"
                        + any.getTypeUrl() + "': this shim takes " + acceptedNames()));
        try {
            if (type == CreateOptions.getDescriptor()) {
                return LegacyRuncOptions.fromCreateOptions(CreateOptions.parseFrom(any.getValue()), restore);
            }
            if (type == RuncOptions.getDescriptor()) {
                return LegacyRuncOptions.fromRuncOptions(RuncOptions.parseFrom(any.getValue()));
            }
            return Options.parseFrom(any.getValue());
        } catch (InvalidProtocolBufferException e) {
            throw ShimException.invalidArgument("cannot decode runtime options " + type.getFullName() + ": "
                    + e.getMessage());
        }
    }

    /** {@link #fromAny(Any, boolean)} for a task not restored from a checkpoint. */
    public static Options fromAny(Any any) {
        return fromAny(any, false);
    }

    /** Whether {@code any} holds one of the accepted option types. */
    public static boolean isAccepted(Any any) {
        return ACCEPTED.stream().anyMatch(d -> TypeUrls.is(any, d));
    }

    private static String acceptedNames() {
        return ACCEPTED.stream().map(Descriptor::getFullName).collect(Collectors.joining(", "));
    }

    public static String toJson(Options o) {
        Map<String, Object> json = new LinkedHashMap<>();
        putIf(json, "no_pivot_root", o.getNoPivotRoot());
        putIf(json, "no_new_keyring", o.getNoNewKeyring());
        putIf(json, "shim_cgroup", o.getShimCgroup());
        putIf(json, "io_uid", Integer.toUnsignedLong(o.getIoUid()));
        putIf(json, "io_gid", Integer.toUnsignedLong(o.getIoGid()));
        putIf(json, "binary_name", o.getBinaryName());
        putIf(json, "root", o.getRoot());
        putIf(json, "criu_path", o.getCriuPath());
        putIf(json, "systemd_cgroup", o.getSystemdCgroup());
        putIf(json, "criu_image_path", o.getCriuImagePath());
        putIf(json, "criu_work_path", o.getCriuWorkPath());
        return Json.write(json);
    }

    /** Reads options.json; unknown members are ignored, members of the wrong type are an error. */
    public static Options fromJson(String text) {
        Map<String, Object> json = Json.parseObject(text);
        Options.Builder b = Options.newBuilder();
        b.setNoPivotRoot(bool(json, "no_pivot_root"));
        b.setNoNewKeyring(bool(json, "no_new_keyring"));
        b.setShimCgroup(string(json, "shim_cgroup"));
        b.setIoUid((int) uint32(json, "io_uid"));
        b.setIoGid((int) uint32(json, "io_gid"));
        b.setBinaryName(string(json, "binary_name"));
        b.setRoot(string(json, "root"));
        b.setCriuPath(string(json, "criu_path"));
        b.setSystemdCgroup(bool(json, "systemd_cgroup"));
        b.setCriuImagePath(string(json, "criu_image_path"));
        b.setCriuWorkPath(string(json, "criu_work_path"));
        return b.build();
    }

    private static void putIf(Map<String, Object> json, String key, Object value) {
        boolean unset = value instanceof Boolean bool && !bool
                || value instanceof String s && s.isEmpty()
                || value instanceof Long l && l == 0;
        if (!unset) {
            json.put(key, value);
        }
    }

    private static boolean bool(Map<String, Object> json, String key) {
        Object v = json.get(key);
        if (v == null) {
            return false;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        throw new IllegalArgumentException("options.json: " + key + " must be a boolean");
    }

    private static String string(Map<String, Object> json, String key) {
        Object v = json.get(key);
        if (v == null) {
            return "";
        }
        if (v instanceof String s) {
            return s;
        }
        throw new IllegalArgumentException("options.json: " + key + " must be a string");
    }

    private static long uint32(Map<String, Object> json, String key) {
        Object v = json.get(key);
        if (v == null) {
            return 0;
        }
        if (v instanceof Long l && l >= 0 && l <= 0xFFFF_FFFFL) {
            return l;
        }
        throw new IllegalArgumentException("options.json: " + key + " must be an unsigned 32-bit number");
    }
}
