package io.jrunc.shim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrunc.posix.ChildReaper;
import io.jrunc.posix.Posix;
import io.jrunc.posix.ProcessExit;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code start} in-process with a shell script as the daemon. The script records what it was
 * given, waits for the test's "go" file, then records its oom_score_adj and exits; the test's
 * reaper collects it (spawnDetached children are still children of this JVM).
 */
class StartActionTest {
    private static final String FAKE_DAEMON = """
            fd0=$(readlink /proc/$$/fd/0) fd1=$(readlink /proc/$$/fd/1) fd2=$(readlink /proc/$$/fd/2)
            fd3=$(readlink /proc/$$/fd/3)
            {
              echo "args=$*"
              echo "cwd=$(pwd)"
              echo "fd0=$fd0"
              echo "fd1=$fd1"
              echo "fd2=$fd2"
              echo "fd3=$fd3"
              echo "sid=$(cut -d' ' -f6 /proc/$$/stat)"
              echo "pid=$$"
              echo "env=$JRUNC_GROUPING $JRUNC_LINGER"
            } > daemon.tmp && mv daemon.tmp daemon.info
            i=0
            while [ ! -e go ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done
            cat /proc/$$/oom_score_adj > oom.tmp && mv oom.tmp oom
            """;

    @TempDir
    Path tmp;
    private Path bundle;
    private Path socketDir;
    private ChildReaper reaper;
    private final Map<Integer, ProcessExit> exits = new ConcurrentHashMap<>();
    private final FakeShimRuntime runtime = new FakeShimRuntime();

    @BeforeEach
    void setUp() throws Exception {
        bundle = Files.createDirectory(tmp.resolve("bundle"));
        socketDir = tmp.resolve("s");
        Files.writeString(bundle.resolve("config.json"), "{\"ociVersion\":\"1.0.2\"}");
        reaper = ChildReaper.start();
        reaper.subscribe(exit -> exits.put(exit.pid(), exit));
    }

    @AfterEach
    void tearDown() throws Exception {
        Files.writeString(bundle.resolve("go"), ""); // let any fake daemon finish
        if (runtime.startedPid > 0) {
            awaitExit(runtime.startedPid);
        }
        reaper.close();
    }

    private ProcessExit awaitExit(int pid) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            ProcessExit exit = exits.get(pid);
            if (exit != null) {
                return exit;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("daemon " + pid + " did not exit");
    }

    /**
     * The shim's kernel calls ({@link StartCalls#jnr()}), plus a spawn of /bin/true through the daemon's Posix
     * after each spawn: the test's reaper sleeps while this JVM has no children and only that Posix's spawns
     * wake it (in the shim, start has no reaper).
     */
    private static StartCalls jnrSeenByReaper() {
        StartCalls calls = StartCalls.jnr();
        return new StartCalls() {
            @Override
            public int listenUnix(Path path, int backlog) throws io.jrunc.posix.PosixException {
                return calls.listenUnix(path, backlog);
            }

            @Override
            public int spawnDetached(io.jrunc.posix.SpawnSpec spec) throws io.jrunc.posix.PosixException {
                int pid = calls.spawnDetached(spec);
                Posix.get().spawnDetached(new io.jrunc.posix.SpawnSpec(List.of("/bin/true"), Map.of(), Optional.empty(),
                        Map.of(), false));
                return pid;
            }

            @Override
            public void close(int fd) {
                calls.close(fd);
            }

            @Override
            public void kill(int pid, int signal) throws io.jrunc.posix.PosixException {
                calls.kill(pid, signal);
            }
        };
    }

    /** start as the shim runs it (its kernel calls), one daemon per container (pod grouping, no group annotation). */
    private StartAction start(byte[] stdin) {
        return new StartAction(StartActionTest::jnrSeenByReaper, runtime, List.of("/bin/sh", "-c", FAKE_DAEMON, "fake-daemon"),
                socketDir, () -> stdin, podEnvironment());
    }

    private Map<String, String> podEnvironment() {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put(ShimSettings.GROUPING_ENV, "pod");
        env.put(ShimSettings.CONFIG_ENV, tmp.resolve("no-config.toml").toString());
        return env;
    }

    /** A start with {@code env} (plus a config file that does not exist) as containerd's environment. */
    private StartAction start(Map<String, String> env, java.util.function.Supplier<StartCalls> posix) {
        Map<String, String> all = new HashMap<>(env);
        all.put(ShimSettings.CONFIG_ENV, tmp.resolve("no-config.toml").toString());
        return new StartAction(posix, runtime, List.of("/bin/sh", "-c", FAKE_DAEMON, "fake-daemon"), socketDir,
                () -> new byte[0], all);
    }

    private static StartCalls noCalls() {
        throw new AssertionError("kernel calls bound on a path that needs none");
    }

    private ShimFlags flags(String id, boolean debug) {
        return new ShimFlags("ns", id, "/run/ctd/containerd.sock", "/usr/bin/containerd", bundle, debug,
                Optional.empty(), ShimFlags.Action.START);
    }

    private static Map<String, String> readInfo(Path file) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (Files.notExists(file) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Map<String, String> info = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            int eq = line.indexOf('=');
            info.put(line.substring(0, eq), line.substring(eq + 1));
        }
        return info;
    }

    @Test
    void spawnsADaemonOnTheBoundSocket() throws Exception {
        ShimSocketAddress address = start("options".getBytes(StandardCharsets.UTF_8)).run(flags("c1", true));

        assertEquals(ShimSocketAddress.of(socketDir, "/run/ctd/containerd.sock", "ns", "c1"), address);
        assertEquals(address.toString(), Files.readString(bundle.resolve("address")));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(address.path())));
        try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            assertTrue(client.connect(UnixDomainSocketAddress.of(address.path())), "the daemon holds the listener");
        }

        Map<String, String> info = readInfo(bundle.resolve("daemon.info"));
        assertEquals("-namespace ns -id c1 -address /run/ctd/containerd.sock -debug", info.get("args"));
        assertEquals(bundle.toRealPath().toString(), info.get("cwd"));
        assertEquals("/dev/null", info.get("fd0"));
        assertEquals("/dev/null", info.get("fd1"));
        assertEquals("/dev/null", info.get("fd2"));
        assertTrue(info.get("fd3").startsWith("socket:["), info.toString());
        try (var fds = Files.list(Path.of("/proc", info.get("pid"), "fd"))) { // the script now waits for "go"
            assertEquals(List.of("0", "1", "2", "3"), fds.map(f -> f.getFileName().toString()).sorted().toList(),
                    "nothing else inherited");
        }
        assertEquals(info.get("pid"), info.get("sid"), "own session");
        assertEquals(Integer.parseInt(info.get("pid")), runtime.startedPid);
        assertArrayEquals("options".getBytes(StandardCharsets.UTF_8), runtime.startInput);

        Files.writeString(bundle.resolve("go"), "");
        Path oom = bundle.resolve("oom");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (Files.notExists(oom) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        int containerd = Integer.parseInt(Files.readString(OomScore.scoreFile(Posix.get().parentPid())).strip());
        assertEquals(Math.min(1000, containerd + 1), Integer.parseInt(Files.readString(oom).strip()));
        assertEquals(0, awaitExit(runtime.startedPid).status());
    }

    @Test
    void aLiveDaemonOfTheGroupIsJoinedWithoutSpawning() throws Exception {
        Files.writeString(bundle.resolve("config.json"),
                "{\"annotations\":{\"" + FakeShimRuntime.POD_ANNOTATION + "\":\"pod-1\"}}");
        ShimSocketAddress expected = ShimSocketAddress.of(socketDir, "/run/ctd/containerd.sock", "ns", "pod-1");
        Files.createDirectories(socketDir);
        try (ServerSocketChannel live = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            live.bind(UnixDomainSocketAddress.of(expected.path()));
            ShimSocketAddress address = start(new byte[0]).run(flags("app-1", false));
            assertEquals(expected, address);
            assertEquals(expected.toString(), Files.readString(bundle.resolve("address")));
            assertTrue(Files.exists(expected.path()), "the live socket stays");
        }
        assertEquals(0, runtime.startedPid, "no daemon spawned");
        Thread.sleep(200);
        assertFalse(Files.exists(bundle.resolve("daemon.info")));
    }

    @Test
    void aStaleSocketIsReplaced() throws Exception {
        ShimSocketAddress expected = ShimSocketAddress.of(socketDir, "/run/ctd/containerd.sock", "ns", "c2");
        Files.createDirectories(socketDir);
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(expected.path()));
        }
        assertTrue(Files.exists(expected.path()), "closing a JDK listener leaves its file behind");
        assertEquals(expected, start(new byte[0]).run(flags("c2", false)));
        Map<String, String> info = readInfo(bundle.resolve("daemon.info"));
        assertEquals("-namespace ns -id c2 -address /run/ctd/containerd.sock", info.get("args"));
        try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            assertTrue(client.connect(UnixDomainSocketAddress.of(expected.path())));
        }
    }

    @Test
    void aRuntimeThatRejectsTheDaemonFailsStartAndKillsIt() throws Exception {
        FakeShimRuntime failing = new FakeShimRuntime() {
            @Override
            public void daemonStarted(ShimFlags flags, int daemonPid, byte[] input) {
                startedPid = daemonPid;
                throw new IllegalStateException("cannot place the daemon");
            }
        };
        StartAction start = new StartAction(StartActionTest::jnrSeenByReaper, failing, List.of("/bin/sh", "-c", FAKE_DAEMON, "fake"),
                socketDir, () -> new byte[0], podEnvironment());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> start.run(flags("c3", false)));
        assertEquals("cannot place the daemon", e.getMessage());
        assertEquals(137, awaitExit(failing.startedPid).status());
        assertFalse(Files.exists(ShimSocketAddress.of(socketDir, "/run/ctd/containerd.sock", "ns", "c3").path()));
    }

    @Test
    void aSocketPathOverTheLimitIsRefused() {
        socketDir = tmp.resolve("d".repeat(60));
        Exception e = assertThrows(Exception.class, () -> start(new byte[0]).run(flags("c4", false)));
        assertTrue(e.getMessage().contains("longer than the limit of 106"), e.getMessage());
    }

    @Test
    void aNewDaemonIsRecordedInTheStateFileAndGetsTheResolvedSettings() throws Exception {
        Files.writeString(bundle.resolve("config.json"), "{\"annotations\":{\"io.jrunc.grouping\":\"namespace\"}}");
        ShimSocketAddress address = start(Map.of(ShimSettings.LINGER_ENV, "2m"), StartActionTest::jnrSeenByReaper).run(flags("c5", false));

        assertEquals(ShimSocketAddress.of(socketDir, "/run/ctd/containerd.sock", "ns", Grouping.SHARED_KEY), address);
        Map<String, String> info = readInfo(bundle.resolve("daemon.info"));
        assertEquals("namespace 120000ms", info.get("env"), "the daemon needs neither annotations nor config file");
        DaemonStateFile.State state = DaemonStateFile.of(address.path()).read().orElseThrow();
        assertEquals(Long.parseLong(info.get("pid")), state.pid());
        assertFalse(state.retiring());
        assertTrue(state.alive(), "start time taken from /proc: " + state);
    }

    @Test
    @SuppressWarnings("try") // the live socket only has to exist while the block runs
    void byDefaultEveryContainerOfTheNamespaceJoinsOneDaemon() throws Exception {
        ShimSocketAddress shared = ShimSocketAddress.of(socketDir, "/run/ctd/containerd.sock", "ns", Grouping.SHARED_KEY);
        try (ServerSocketChannel live = liveDaemon(shared)) {
            for (String id : List.of("d1", "d2", "d3")) {
                assertEquals(shared, start(Map.of(), StartActionTest::noCalls).run(flags(id, false)));
            }
        }
        assertFalse(Files.exists(DaemonSlots.of(shared.path()).directory()), "no places without max-containers");
    }

    @Test
    @SuppressWarnings("try") // the live sockets only have to exist while the block runs
    void maxContainersFillsEachDaemonThenOpensTheNext() throws Exception {
        Map<String, String> env = Map.of(ShimSettings.MAX_CONTAINERS_ENV, "2");
        ShimSocketAddress first = ShimSocketAddress.of(socketDir, "/run/ctd/containerd.sock", "ns", Grouping.sharedKey(0));
        ShimSocketAddress second = ShimSocketAddress.of(socketDir, "/run/ctd/containerd.sock", "ns", Grouping.sharedKey(1));
        try (ServerSocketChannel a = liveDaemon(first); ServerSocketChannel b = liveDaemon(second)) {
            assertEquals(first, start(env, StartActionTest::noCalls).run(flags("b1", false)));
            assertEquals(first, start(env, StartActionTest::noCalls).run(flags("b2", false)));
            assertEquals(second, start(env, StartActionTest::noCalls).run(flags("b3", false)));
            assertEquals(first, start(env, StartActionTest::noCalls).run(flags("b1", false)), "a repeated start keeps its place");
            assertEquals(Map.of(0, "b1", 1, "b2"), DaemonSlots.of(first.path()).holders());
            assertEquals(Map.of(0, "b3"), DaemonSlots.of(second.path()).holders());

            DaemonSlots.of(first.path()).release("b1"); // b1 deleted
            assertEquals(first, start(env, StartActionTest::noCalls).run(flags("b4", false)), "a freed place is taken again");
        }
        assertEquals(0, runtime.startedPid, "every daemon was live: none spawned");
    }

    @Test
    void concurrentStartsNeverOverfillADaemon() throws Exception {
        int daemons = 4;
        int max = 3;
        Map<String, String> env = Map.of(ShimSettings.MAX_CONTAINERS_ENV, Integer.toString(max));
        List<ServerSocketChannel> live = new java.util.ArrayList<>();
        List<ShimSocketAddress> addresses = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < daemons; i++) {
                addresses.add(ShimSocketAddress.of(socketDir, "/run/ctd/containerd.sock", "ns", Grouping.sharedKey(i)));
                live.add(liveDaemon(addresses.get(i)));
            }
            List<java.util.concurrent.Future<ShimSocketAddress>> results = new java.util.ArrayList<>();
            try (var pool = java.util.concurrent.Executors.newFixedThreadPool(daemons * max)) {
                for (int i = 0; i < daemons * max; i++) {
                    String id = "p" + i;
                    Path ownBundle = Files.createDirectory(tmp.resolve("bundle-" + id));
                    results.add(pool.submit(() -> start(env, StartActionTest::noCalls)
                            .run(new ShimFlags("ns", id, "/run/ctd/containerd.sock", "", ownBundle, false, Optional.empty(),
                                    ShimFlags.Action.START))));
                }
                Map<ShimSocketAddress, Integer> perDaemon = new HashMap<>();
                for (var result : results) {
                    perDaemon.merge(result.get(30, TimeUnit.SECONDS), 1, Integer::sum);
                }
                for (ShimSocketAddress address : addresses) {
                    assertEquals(max, perDaemon.get(address), "containers of " + address + ": " + perDaemon);
                    assertEquals(max, DaemonSlots.of(address.path()).holders().size());
                }
            }
        } finally {
            for (ServerSocketChannel channel : live) {
                channel.close();
            }
        }
    }

    /** A listening socket with a state file naming this (live) process: a serving daemon as start sees one. */
    private ServerSocketChannel liveDaemon(ShimSocketAddress address) throws Exception {
        Files.createDirectories(socketDir);
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        channel.bind(UnixDomainSocketAddress.of(address.path()));
        DaemonStateFile.of(address.path()).write(DaemonStateFile.self(false));
        return channel;
    }

    @Test
    void aServingDaemonIsJoinedWithoutBindingJnr() throws Exception {
        ShimSocketAddress expected = ShimSocketAddress.of(socketDir, "/run/ctd/containerd.sock", "ns", "c6");
        Files.createDirectories(socketDir);
        try (ServerSocketChannel live = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            live.bind(UnixDomainSocketAddress.of(expected.path()));
            DaemonStateFile.of(expected.path()).write(DaemonStateFile.self(false));
            assertEquals(expected, start(Map.of(ShimSettings.GROUPING_ENV, "pod"), StartActionTest::noCalls).run(flags("c6", false)));
        }
        assertEquals(expected.toString(), Files.readString(bundle.resolve("address")));
        assertEquals(0, runtime.startedPid);
    }

    @Test
    void aRetiringDaemonIsWaitedOutThenReplaced() throws Exception {
        ShimSocketAddress expected = ShimSocketAddress.of(socketDir, "/run/ctd/containerd.sock", "ns", "c7");
        Files.createDirectories(socketDir);
        DaemonStateFile state = DaemonStateFile.of(expected.path());
        ServerSocketChannel retiring = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        retiring.bind(UnixDomainSocketAddress.of(expected.path()));
        state.write(DaemonStateFile.self(true));
        long began = System.nanoTime();
        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(500);
                Files.delete(state.path());
                Files.delete(expected.path());
                retiring.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        assertEquals(expected, start(Map.of(ShimSettings.GROUPING_ENV, "pod"), StartActionTest::jnrSeenByReaper).run(flags("c7", false)));
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
        assertTrue(waited >= 450, "waited " + waited + " ms for the retiring daemon");
        Map<String, String> info = readInfo(bundle.resolve("daemon.info"));
        assertEquals(Long.parseLong(info.get("pid")), state.read().orElseThrow().pid(), "a new daemon took over");
    }

    @Test
    void aBadLingerFailsStartAndLeavesNoSocket() throws Exception {
        Exception e = assertThrows(ShimUsageException.class,
                () -> start(Map.of(ShimSettings.GROUPING_ENV, "namespace", ShimSettings.LINGER_ENV, "forever"), StartActionTest::jnrSeenByReaper)
                        .run(flags("c8", false)));
        assertEquals("invalid environment variable JRUNC_LINGER=\"forever\": \"forever\" is not a duration (e.g. 0, 500ms, 30s, 5m)",
                e.getMessage());
        ShimSocketAddress address = ShimSocketAddress.of(socketDir, "/run/ctd/containerd.sock", "ns", Grouping.SHARED_KEY);
        assertFalse(Files.exists(address.path()));
        assertEquals(0, runtime.startedPid);
    }

    @Test
    void aNamespaceDaemonsKeyCarriesTheRuntimesQualifier() throws Exception {
        Files.writeString(bundle.resolve("config.json"), "{\"annotations\":{\"io.jrunc.grouping\":\"namespace\"}}");
        byte[] input = "q=0123456789abcdef".getBytes(StandardCharsets.UTF_8);
        ShimSocketAddress address = start(input).run(flags("c9", false));

        assertEquals(ShimSocketAddress.of(socketDir, "/run/ctd/containerd.sock", "ns",
                Grouping.SHARED_KEY + "@0123456789abcdef"), address);
        assertArrayEquals(input, runtime.startInput, "the runtime gets the same bytes after the key was computed");
    }

    @Test
    void podGroupingIgnoresTheQualifierLikeTheGoShim() throws Exception {
        ShimSocketAddress address = start("q=0123456789abcdef".getBytes(StandardCharsets.UTF_8)).run(flags("c10", false));
        assertEquals(ShimSocketAddress.of(socketDir, "/run/ctd/containerd.sock", "ns", "c10"), address);
    }
}
