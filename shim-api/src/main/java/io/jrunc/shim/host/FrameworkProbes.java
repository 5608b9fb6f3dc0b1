package io.jrunc.shim.host;

import io.jrunc.posix.Posix;
import io.netty.channel.epoll.Epoll;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What the runtime-agnostic daemon needs from any Linux host: /proc, epoll for ttrpc, the subreaper role. */
public final class FrameworkProbes {
    private FrameworkProbes() {}

    public static List<HostProbe> of(Posix posix) {
        return List.of(
                new HostProbe("/proc mounted", () -> {
                    if (!Files.isReadable(Path.of("/proc/self/stat"))) {
                        throw new HostProbe.Missing("/proc/self/stat is not readable: mount procfs on /proc");
                    }
                    return "yes";
                }),
                new HostProbe("epoll (Netty's native transport for ttrpc)", () -> {
                    if (!Epoll.isAvailable()) {
                        throw new HostProbe.Missing("not available: " + Epoll.unavailabilityCause());
                    }
                    return "available";
                }),
                new HostProbe("prctl(PR_SET_CHILD_SUBREAPER) (container processes are re-parented to the daemon)", () -> {
                    posix.becomeChildSubreaper();
                    return "allowed";
                }));
    }
}
