package io.jrunc.runc.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.protobuf.Empty;
import io.jrunc.posix.Posix;
import io.jrunc.posix.PosixException;
import io.jrunc.proto.runc.v1.Options;
import io.jrunc.proto.task.v2.CreateTaskRequest;
import io.jrunc.proto.task.v2.ResizePtyRequest;
import io.jrunc.runc.testsupport.FakeRunc;
import io.jrunc.runc.testsupport.Natives;
import io.jrunc.runc.testsupport.RecordingEvents;
import io.jrunc.shim.ShimContext;
import io.jrunc.shim.ShimFlags;
import io.jrunc.shim.errors.ErrorKind;
import io.jrunc.shim.errors.ShimException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ResizePty's routing and bounds. A real terminal's resize is covered end to end by the terminal
 * integration tests (the fake runc cannot pass a pty master), and {@code ConsoleIoTest} on a real pty.
 */
@Timeout(60)
class ResizePtyTest {
    @TempDir
    Path dir;
    private FakeRunc runc;
    private RuncTaskService service;
    private int pid;

    @BeforeEach
    void createContainerWithoutTerminal() throws Exception {
        runc = new FakeRunc(dir);
        ShimFlags flags = new ShimFlags("testns", "c1", "/run/test.sock", "", dir, false, Optional.empty(),
                ShimFlags.Action.SERVE);
        ShimContext.DaemonLifecycle lifecycle = new ShimContext.DaemonLifecycle() {
            @Override
            public void requestExit() {}

            @Override
            public long pid() {
                return 4321;
            }
        };
        service = new RuncTaskService(new ShimContext(flags, new RecordingEvents(), Natives.reaper(), lifecycle),
                Natives.posix(), "test-version");
        Path bundle = Files.createDirectories(dir.resolve("bundles/c1"));
        Files.writeString(bundle.resolve("config.json"), "{\"linux\":{\"namespaces\":[{\"type\":\"pid\"}]}}");
        Options options = Options.newBuilder().setBinaryName(runc.binary().toString())
                .setRoot(runc.root().toString()).build();
        runc.command("c1", "sleep 30");
        pid = service.create(CreateTaskRequest.newBuilder().setId("c1").setBundle(bundle.toString())
                .setOptions(Any.newBuilder().setTypeUrl("containerd.runc.v1.Options").setValue(options.toByteString()))
                .build()).getPid();
    }

    @AfterEach
    void killContainer() {
        try {
            Natives.posix().kill(pid, Posix.SIGKILL);
        } catch (PosixException e) {
            // already gone
        }
    }

    @Test
    void aProcessWithoutTerminalIgnoresIt() throws Exception {
        assertEquals(Empty.getDefaultInstance(), service.resizePty(resize("c1", "", 80, 24)));
    }

    @Test
    void sizesBeyondWhatATerminalHoldsAreRefused() {
        ShimException e = assertThrows(ShimException.class, () -> service.resizePty(resize("c1", "", 70000, 24)));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage().contains("0-65535") && e.getMessage().contains("70000x24"), e.getMessage());
        // uint32 on the wire: 2^32-1 arrives as -1 and is refused too.
        assertEquals(ErrorKind.INVALID_ARGUMENT,
                assertThrows(ShimException.class, () -> service.resizePty(resize("c1", "", 80, -1))).kind());
    }

    @Test
    void unknownContainersAndExecsAreNotFound() {
        assertEquals(ErrorKind.NOT_FOUND,
                assertThrows(ShimException.class, () -> service.resizePty(resize("c2", "", 80, 24))).kind());
        assertEquals(ErrorKind.NOT_FOUND,
                assertThrows(ShimException.class, () -> service.resizePty(resize("c1", "e1", 80, 24))).kind());
    }

    private static ResizePtyRequest resize(String id, String execId, int width, int height) {
        return ResizePtyRequest.newBuilder().setId(id).setExecId(execId).setWidth(width).setHeight(height).build();
    }
}
