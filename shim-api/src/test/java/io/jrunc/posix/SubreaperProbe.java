package io.jrunc.posix;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Run by {@link SubreaperTest} in a JVM of its own (becoming a subreaper is for life): a child
 * starts a grandchild and exits; the orphaned grandchild's exit must reach a subscriber.
 * Prints "grandchild PID status N" and exits 0 when seen, 1 otherwise.
 */
public final class SubreaperProbe {
    public static void main(String[] args) throws Exception {
        JnrPosix posix = JnrPosix.instance();
        posix.becomeChildSubreaper();
        ChildReaper reaper = ChildReaper.start(posix);
        BlockingQueue<ProcessExit> exits = new LinkedBlockingQueue<>();
        reaper.subscribe(exits::add);
        int[] pipe = posix.pipe();
        Reaper.Spawned child;
        try {
            child = reaper.spawn(new SpawnSpec(
                    List.of("/bin/sh", "-c", "(sleep 0.3; exit 7) >/dev/null & echo $!; exit 0"),
                    ChildProcesses.ENV, Optional.empty(), Map.of(1, pipe[1]), false));
        } finally {
            posix.close(pipe[1]);
        }
        int grandchild = Integer.parseInt(ChildProcesses.readAll(posix, pipe[0]).strip());
        if (child.exit().get(10, TimeUnit.SECONDS).status() != 0) {
            System.out.println("child failed");
            System.exit(1);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            ProcessExit exit = exits.poll(100, TimeUnit.MILLISECONDS);
            if (exit != null && exit.pid() == grandchild) {
                System.out.println("grandchild " + grandchild + " status " + exit.status());
                reaper.close();
                System.exit(0);
            }
        }
        System.out.println("grandchild " + grandchild + " not seen");
        System.exit(1);
    }
}
