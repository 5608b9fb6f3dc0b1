package io.jrunc.shim;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** The daemon's oom_score_adj: one above containerd's, so the OOM killer takes a shim before containerd. */
final class OomScore {
    static final int MAX = 1000;

    private OomScore() {}

    /** Sets {@code daemonPid}'s score to containerd's + 1 (at most 1000); false when /proc would not let us. */
    static boolean adjust(int daemonPid, int containerdPid) {
        try {
            int containerd = Integer.parseInt(Files.readString(scoreFile(containerdPid)).strip());
            int score = Math.min(MAX, containerd + 1);
            Files.write(scoreFile(daemonPid), Integer.toString(score).getBytes(StandardCharsets.US_ASCII),
                    StandardOpenOption.WRITE);
            return true;
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    static Path scoreFile(int pid) {
        return Path.of("/proc", Integer.toString(pid), "oom_score_adj");
    }
}
