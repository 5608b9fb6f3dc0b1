package io.jrunc.ttrpc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The effective uid and gid of this process, read from {@code /proc/self/status} (the JDK has no
 * API for them, and loading jnr-posix just for this would cost the daemon most of a second).
 */
record ProcessCredentials(int uid, int gid) {

    static ProcessCredentials effective() {
        return Holder.EFFECTIVE;
    }

    private static final class Holder {
        static final ProcessCredentials EFFECTIVE = read(Path.of("/proc/self/status"));
    }

    static ProcessCredentials read(Path status) {
        try {
            int uid = -1;
            int gid = -1;
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("Uid:")) {
                    uid = effectiveField(line);
                } else if (line.startsWith("Gid:")) {
                    gid = effectiveField(line);
                }
            }
            if (uid < 0 || gid < 0) {
                throw new IllegalStateException("no Uid:/Gid: lines in " + status);
            }
            return new ProcessCredentials(uid, gid);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read own credentials from " + status, e);
        }
    }

    /** "Uid:\treal\teffective\tsaved\tfs" -> effective. */
    private static int effectiveField(String line) {
        String[] fields = line.substring(4).trim().split("\\s+");
        return Integer.parseInt(fields[1]);
    }
}
