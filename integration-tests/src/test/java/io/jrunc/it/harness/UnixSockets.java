package io.jrunc.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who listens on a unix socket path, from /proc/net/unix (path and inode of every socket of our
 * network namespace) and /proc/&lt;pid&gt;/fd (which processes hold which socket inode).
 */
public final class UnixSockets {
    /** __SO_ACCEPTCON in /proc/net/unix's Flags column: the socket is listening. */
    private static final long ACCEPTING = 0x10000;

    private UnixSockets() {
    }

    /** Pids of the processes holding a listening socket bound to {@code path}, in ascending order. */
    public static List<Long> listeners(Path path) {
        Set<String> inodes = listeningInodes(path.toString());
        if (inodes.isEmpty()) {
            return List.of();
        }
        Set<Long> holders = new TreeSet<>();
        for (Procs.ProcInfo p : Procs.all()) {
            if (holdsAny(p.pid(), inodes)) {
                holders.add(p.pid());
            }
        }
        return new ArrayList<>(holders);
    }

    /** Whether a connect to {@code path} succeeds right now (a live listener, not a stale file). */
    public static boolean accepts(Path path) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            return ch.connect(UnixDomainSocketAddress.of(path));
        } catch (IOException e) {
            return false;
        }
    }

    private static Set<String> listeningInodes(String path) {
        Set<String> inodes = new TreeSet<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/net/unix"))) {
                // Num RefCount Protocol Flags Type St Inode [Path]
                String[] f = line.trim().split("\\s+", 8);
                if (f.length == 8 && f[7].equals(path) && (Long.parseLong(f[3], 16) & ACCEPTING) != 0) {
                    inodes.add(f[6]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return inodes;
    }

    private static boolean holdsAny(long pid, Set<String> inodes) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[") && inodes.contains(target.substring(8, target.length() - 1))) {
                        return true;
                    }
                } catch (IOException e) {
                    // fd closed while we looked
                }
            }
        } catch (IOException e) {
            // process gone or not readable
        }
        return false;
    }
}
