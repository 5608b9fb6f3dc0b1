package io.jrunc.ttrpc;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The listen(2) backlog for a shim's socket: as large as the kernel allows. containerd may connect
 * hundreds of tasks to one daemon at once (after a restart, say); a short queue answers the excess
 * with EAGAIN. The kernel silently caps any backlog at {@code net.core.somaxconn}, so that is the value.
 */
public final class ListenBacklog {

    /** Used when {@code somaxconn} cannot be read (the Linux default since 5.4). */
    public static final int FALLBACK = 4096;

    static final Path SOMAXCONN = Path.of("/proc/sys/net/core/somaxconn");

    private static final int VALUE = read(SOMAXCONN);

    private ListenBacklog() {}

    /** The backlog to pass to listen(2): {@code net.core.somaxconn}, or {@value #FALLBACK} if unreadable. */
    public static int value() {
        return VALUE;
    }

    static int read(Path file) {
        // Line-wise on purpose: Files.readString trusts the size procfs reports and can return a
        // truncated value ("4" of "4096" on JDK 25), which would shrink the backlog to 4.
        try (BufferedReader reader = Files.newBufferedReader(file)) {
            String line = reader.readLine();
            int value = line == null ? 0 : Integer.parseInt(line.trim());
            return value > 0 ? value : FALLBACK;
        } catch (IOException | NumberFormatException | SecurityException e) {
            return FALLBACK;
        }
    }
}
