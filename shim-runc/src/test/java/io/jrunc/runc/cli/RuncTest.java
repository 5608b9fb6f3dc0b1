package io.jrunc.runc.cli;

import static org.junit.jupiter.api.Assertions.*;

import io.jrunc.runc.testsupport.FakeRunc;
import io.jrunc.runc.testsupport.Natives;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runc wrapper against the fake runc, spawned through the real reaper. */
class RuncTest {
    @TempDir
    Path dir;

    private Runc runc(FakeRunc fake, Path bundle) {
        return new Runc(new CommandRunner(Natives.reaper(), Natives.posix()),
                new RuncConfig(fake.binary().toString(), fake.root(), bundle.resolve("log.json"), false, ""));
    }

    @Test
    void failureTextPrefersTheLogAndFallsBackToRuncsOwnWords() throws Exception {
        FakeRunc fake = new FakeRunc(dir);
        Path bundle = Files.createDirectories(dir.resolve("b"));
        Runc runc = runc(fake, bundle);
        fake.failNext("start", "container does not exist");
        RuncException e = assertThrows(RuncException.class, () -> runc.start("c1"));
        assertEquals(fake.binary() + " did not terminate successfully: exit status 1: container does not exist",
                e.getMessage());
        assertEquals(1, e.status());
        assertEquals("OCI runtime start failed: container does not exist", runc.describe("OCI runtime start failed", e));

        Files.delete(bundle.resolve("log.json"));
        assertEquals("OCI runtime start failed: " + e.getMessage(), runc.describe("OCI runtime start failed", e));
    }

    @Test
    void psAndStateReadRuncsOutput() throws Exception {
        FakeRunc fake = new FakeRunc(dir);
        Path bundle = Files.createDirectories(dir.resolve("b"));
        Runc runc = runc(fake, bundle);
        Files.createDirectories(fake.root().resolve("c1"));
        Files.writeString(fake.root().resolve("c1/pid"), "999999");
        assertEquals(List.of(), runc.ps("c1"), "dead pid: runc prints null");
        Files.writeString(fake.root().resolve("c1/pid"), Integer.toString(Natives.posix().pid()));
        assertEquals(List.of(Natives.posix().pid()), runc.ps("c1"));
        assertTrue(runc.state("c1").contains("\"id\":\"c1\""));
        assertEquals(List.of("--root " + fake.root() + " --log " + bundle.resolve("log.json")
                + " --log-format json ps --format json c1"), fake.invocations().subList(0, 1));
    }

    @Test
    void consoleSocketsAndCriuPathsGoWhereGoRuncPutsThem() throws Exception {
        FakeRunc fake = new FakeRunc(dir);
        Path bundle = Files.createDirectories(dir.resolve("b"));
        Runc runc = runc(fake, bundle);
        Path socket = dir.resolve("pty.sock");
        Path pidFile = bundle.resolve("init.pid");
        for (String sub : List.of("create", "exec", "restore")) {
            fake.failNext(sub, "recorded only");
        }
        assertThrows(RuncException.class, () -> runc.create("c1", bundle,
                new CreateOptions(pidFile, true, false, Optional.of(socket), Map.of(), () -> {})));
        assertThrows(RuncException.class, () -> runc.exec("c1", "{}".getBytes(),
                new ExecOptions(bundle.resolve("e1.pid"), Optional.of(socket), Map.of(), () -> {})));
        assertThrows(RuncException.class, () -> runc.restore("c1", bundle, new RestoreOptions(
                CriuOptions.paths("/img", "/work", ""), pidFile, Optional.of(socket), false, Map.of(), () -> {})));
        List<String> calls = fake.subcommands();
        assertEquals("create --bundle " + bundle + " --pid-file " + pidFile + " --console-socket " + socket
                + " --no-pivot c1", calls.get(0));
        assertTrue(calls.get(1).matches("exec --process \\S+runc-process\\S* --console-socket " + socket
                + " --detach --pid-file " + bundle.resolve("e1.pid") + " c1"), calls.get(1));
        assertEquals("restore --image-path /img --work-path /work --detach --pid-file " + pidFile + " --console-socket "
                + socket + " -no-subreaper --bundle " + bundle + " c1", calls.get(2));
    }

    @Test
    void aMissingBinaryIsAClearError() {
        Runc runc = new Runc(new CommandRunner(Natives.reaper(), Natives.posix()),
                new RuncConfig(dir.resolve("no-such-runc").toString(), dir, dir.resolve("log.json"), false, ""));
        RuncException e = assertThrows(RuncException.class, () -> runc.kill("c1", 9, false));
        assertTrue(e.getMessage().contains("no-such-runc"), e.getMessage());
    }

    @Test
    void notifySocketIsNotPassedToRunc() {
        Map<String, String> env = CommandRunner.childEnvironment(Map.of("PATH", "/bin", "NOTIFY_SOCKET", "/run/systemd/notify"));
        assertEquals(Map.of("PATH", "/bin"), env);
    }
}
