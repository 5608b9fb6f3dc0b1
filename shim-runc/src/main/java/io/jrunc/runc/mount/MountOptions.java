package io.jrunc.runc.mount;

import static io.jrunc.runc.mount.MountFlags.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * fstab-style mount options split the way mount(2) wants them.
 *
 * @param flags MS_* bits for the mount call itself (no propagation bits)
 * @param propagation MS_SHARED/PRIVATE/SLAVE/UNBINDABLE (with MS_REC for the r* words), 0 for none
 * @param data the comma-joined options the kernel passes to the filesystem (e.g. overlay's lowerdir=...)
 * @param loop the source is a file to attach to a loop device
 */
public record MountOptions(long flags, long propagation, String data, boolean loop) {

    private record Flag(boolean clear, long bits) {}

    // Same words and meaning as mount(8) and containerd's option table.
    private static final Map<String, Flag> FLAGS = Map.ofEntries(
            Map.entry("async", new Flag(true, MS_SYNCHRONOUS)),
            Map.entry("atime", new Flag(true, MS_NOATIME)),
            Map.entry("bind", new Flag(false, MS_BIND)),
            Map.entry("defaults", new Flag(false, 0)),
            Map.entry("dev", new Flag(true, MS_NODEV)),
            Map.entry("diratime", new Flag(true, MS_NODIRATIME)),
            Map.entry("dirsync", new Flag(false, MS_DIRSYNC)),
            Map.entry("exec", new Flag(true, MS_NOEXEC)),
            Map.entry("mand", new Flag(false, MS_MANDLOCK)),
            Map.entry("noatime", new Flag(false, MS_NOATIME)),
            Map.entry("nodev", new Flag(false, MS_NODEV)),
            Map.entry("nodiratime", new Flag(false, MS_NODIRATIME)),
            Map.entry("noexec", new Flag(false, MS_NOEXEC)),
            Map.entry("nomand", new Flag(true, MS_MANDLOCK)),
            Map.entry("norelatime", new Flag(true, MS_RELATIME)),
            Map.entry("nostrictatime", new Flag(true, MS_STRICTATIME)),
            Map.entry("nosuid", new Flag(false, MS_NOSUID)),
            Map.entry("rbind", new Flag(false, MS_BIND | MS_REC)),
            Map.entry("relatime", new Flag(false, MS_RELATIME)),
            Map.entry("remount", new Flag(false, MS_REMOUNT)),
            Map.entry("ro", new Flag(false, MS_RDONLY)),
            Map.entry("rw", new Flag(true, MS_RDONLY)),
            Map.entry("strictatime", new Flag(false, MS_STRICTATIME)),
            Map.entry("suid", new Flag(true, MS_NOSUID)),
            Map.entry("sync", new Flag(false, MS_SYNCHRONOUS)));

    private static final Map<String, Long> PROPAGATIONS = Map.of(
            "private", MS_PRIVATE,
            "rprivate", MS_PRIVATE | MS_REC,
            "shared", MS_SHARED,
            "rshared", MS_SHARED | MS_REC,
            "slave", MS_SLAVE,
            "rslave", MS_SLAVE | MS_REC,
            "unbindable", MS_UNBINDABLE,
            "runbindable", MS_UNBINDABLE | MS_REC);

    public static MountOptions parse(List<String> options) {
        long flags = 0;
        long propagation = 0;
        boolean loop = false;
        List<String> data = new ArrayList<>();
        for (String option : options) {
            Flag flag = FLAGS.get(option);
            Long prop = PROPAGATIONS.get(option);
            if (flag != null) {
                flags = flag.clear() ? flags & ~flag.bits() : flags | flag.bits();
            } else if (prop != null) {
                propagation |= prop;
            } else if (option.equals("loop")) {
                loop = true;
            } else {
                data.add(option);
            }
        }
        return new MountOptions(flags, propagation, String.join(",", data), loop);
    }

    /** A read-only bind needs a second (remount) call: the kernel ignores MS_RDONLY on the bind itself. */
    public boolean needsReadOnlyRemount() {
        return (flags & (MS_BIND | MS_RDONLY)) == (MS_BIND | MS_RDONLY);
    }

    /** A pure remount without new data changes flags only; there is nothing to mount first. */
    public boolean isFlagsOnlyRemount() {
        return (flags & MS_REMOUNT) != 0 && data.isEmpty();
    }
}
