package io.jrunc.runc.cgroups;

import static org.junit.jupiter.api.Assertions.*;

import io.jrunc.runc.testsupport.Natives;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The watcher thread with real epoll and inotify on a fake cgroup v2 tree: memory.events is a plain file
 * here, and rewriting it is what the kernel's update looks like to inotify (IN_MODIFY).
 */
@Timeout(30)
class OomWatcherTest {
    private static final Duration ARRIVAL = Duration.ofSeconds(10);
    /** How long to wait for something that must not happen. */
    private static final Duration QUIET = Duration.ofMillis(300);

    @TempDir
    Path dir;

    private FakeCgroupTree tree;
    private final OomRecorder ooms = new OomRecorder();
    private OomWatcher watcher;

    @BeforeEach
    void setUp() {
        tree = new FakeCgroupTree(dir);
        tree.v2Container();
        tree.file("ns/c1/memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n");
        watcher = new OomWatcher(Natives.posix(), ooms);
    }

    @AfterEach
    void tearDown() {
        watcher.close();
    }

    private Cgroup.V2 c1() {
        return new Cgroup.V2(tree.root.resolve("ns/c1"));
    }

    private void events(String cgroup, int max, int oom, int oomKill) {
        tree.file(cgroup + "/memory.events", "low 0\nhigh 0\nmax " + max + "\noom " + oom + "\noom_kill " + oomKill + "\n");
    }

    @Test
    void anIncreaseOfOomKillIsReportedOnce() throws Exception {
        watcher.watch("c1", c1());

        events("ns/c1", 3, 1, 1);

        assertEquals(List.of("c1"), ooms.await(1, ARRIVAL));
        Thread.sleep(QUIET.toMillis());
        assertEquals(List.of("c1"), ooms.ids(), "one kill, one report");

        events("ns/c1", 4, 2, 2);
        assertEquals(List.of("c1", "c1"), ooms.await(2, ARRIVAL));
    }

    @Test
    void changesWithoutAKillAreNotOoms() throws Exception {
        watcher.watch("c1", c1());

        events("ns/c1", 7, 1, 0); // hit memory.max, even "oom" in a parent-limited pod: no kill here

        Thread.sleep(QUIET.toMillis());
        assertEquals(List.of(), ooms.ids());
    }

    @Test
    void killsBeforeTheWatchBeganAreNotReported() throws Exception {
        events("ns/c1", 1, 1, 1);
        watcher.watch("c1", c1());

        events("ns/c1", 2, 1, 1);

        Thread.sleep(QUIET.toMillis());
        assertEquals(List.of(), ooms.ids());
    }

    @Test
    void finalCheckReportsAKillTheThreadHasNotSeenYetAndOnlyOnce() throws Exception {
        watcher.watch("c1", c1());

        events("ns/c1", 1, 1, 1);
        watcher.finalCheck("c1");

        assertEquals(List.of("c1"), ooms.ids(), "reported by the time finalCheck returns");
        Thread.sleep(QUIET.toMillis());
        assertEquals(List.of("c1"), ooms.ids(), "the thread's own look finds nothing new");
    }

    @Test
    void finalCheckOfAnUnknownContainerDoesNothing() {
        watcher.finalCheck("nobody");
        assertEquals(List.of(), ooms.ids());
    }

    @Test
    void eachContainerIsReportedByItsOwnId() throws Exception {
        tree.file("ns/c2/memory.events", "oom_kill 0\n");
        watcher.watch("c1", c1());
        watcher.watch("c2", new Cgroup.V2(tree.root.resolve("ns/c2")));

        events("ns/c2", 1, 1, 1);

        assertEquals(List.of("c2"), ooms.await(1, ARRIVAL));
        events("ns/c1", 1, 1, 1);
        assertEquals(List.of("c2", "c1"), ooms.await(2, ARRIVAL));
    }

    @Test
    void twoContainersInOneCgroupShareTheInotifyWatchUntilBothAreGone() throws Exception {
        watcher.watch("a", c1());
        watcher.watch("b", c1());
        watcher.unwatch("a");

        events("ns/c1", 1, 1, 1);

        assertEquals(List.of("b"), ooms.await(1, ARRIVAL));
        assertEquals(1, watcher.size());
    }

    @Test
    void unwatchedContainersAreNotReported() throws Exception {
        watcher.watch("c1", c1());
        watcher.unwatch("c1");

        events("ns/c1", 1, 1, 1);
        watcher.finalCheck("c1");

        Thread.sleep(QUIET.toMillis());
        assertEquals(List.of(), ooms.ids());
        assertEquals(0, watcher.size());
    }

    @Test
    void aRemovedCgroupIsDroppedWithoutAReport() throws Exception {
        watcher.watch("c1", c1());

        Files.delete(tree.root.resolve("ns/c1/memory.events"));

        long deadline = System.nanoTime() + ARRIVAL.toNanos();
        while (watcher.size() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(0, watcher.size(), "watch dropped when memory.events went away");
        assertEquals(List.of(), ooms.ids());
    }

    @Test
    void watchingAMissingCgroupFails() {
        assertThrows(Exception.class, () -> watcher.watch("gone", new Cgroup.V2(tree.root.resolve("ns/gone"))));
        assertEquals(0, watcher.size());
    }

    @Test
    void closeStopsTheThread() throws Exception {
        watcher.watch("c1", c1());
        assertTrue(watcher.running());

        watcher.close();

        assertFalse(watcher.running());
        assertEquals(0, watcher.size());
        assertThrows(IllegalStateException.class, () -> watcher.watch("c1", c1()));
    }

    @Test
    void noThreadBeforeTheFirstWatch() throws IOException {
        OomWatcher idle = new OomWatcher(Natives.posix(), ooms);
        try {
            assertFalse(idle.running());
            assertEquals(0, idle.size());
            idle.finalCheck("c1");
            idle.unwatch("c1");
        } finally {
            idle.close();
        }
    }
}
