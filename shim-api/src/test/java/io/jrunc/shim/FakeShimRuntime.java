package io.jrunc.shim;

import com.google.protobuf.Empty;
import io.jrunc.proto.task.v2.ConnectResponse;
import io.jrunc.proto.task.v2.DeleteResponse;
import io.jrunc.shim.errors.ShimException;
import io.jrunc.shim.task.TaskService;
import java.lang.reflect.Proxy;
import java.nio.file.Files;

/**
 * A runtime for lifecycle tests: Connect reports the daemon pid, Shutdown exits, everything else is
 * UNIMPLEMENTED; cleanup answers pid 42 / status 137; {@code JRUNC_FAKE_FAIL=cleanup} makes it fail.
 */
class FakeShimRuntime implements ShimRuntime {
    static final String VERSION = "jrunc-test-runtime 0.0";

    /** The annotation this runtime's pods are named by (a real runtime has its own, e.g. runc's group label). */
    static final String POD_ANNOTATION = "test.jrunc.pod";

    byte[] startInput;
    int startedPid;
    @Override
    public String podGroupKey(java.util.Map<String, ?> annotations, String id) {
        return annotations.get(POD_ANNOTATION) instanceof String pod ? pod : id;
    }

    /** What {@link #groupingQualifier} answers: the start input as text, when it starts with "q=". */
    @Override
    public java.util.Optional<String> groupingQualifier(byte[] input) {
        String text = new String(input, java.nio.charset.StandardCharsets.UTF_8);
        return text.startsWith("q=") ? java.util.Optional.of(text.substring(2)) : java.util.Optional.empty();
    }

    @Override
    public String version() {
        return VERSION;
    }

    @Override
    public TaskService createTaskService(ShimContext context) {
        return (TaskService) Proxy.newProxyInstance(TaskService.class.getClassLoader(), new Class<?>[] {TaskService.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "connect" -> ConnectResponse.newBuilder().setShimPid((int) context.lifecycle().pid()).build();
                    case "shutdown" -> {
                        context.lifecycle().requestExit();
                        yield Empty.getDefaultInstance();
                    }
                    case "toString" -> "FakeTaskService";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw ShimException.notImplemented(method.getName() + " is fake");
                });
    }

    @Override
    public DeleteResponse cleanup(ShimFlags flags) {
        if ("cleanup".equals(System.getenv("JRUNC_FAKE_FAIL"))) {
            throw new IllegalStateException("cannot clean up\nsecond line");
        }
        return DeleteResponse.newBuilder().setPid(42).setExitStatus(137).build();
    }

    @Override
    public void daemonStarted(ShimFlags flags, int daemonPid, byte[] input) throws Exception {
        startInput = input;
        startedPid = daemonPid;
        if ("daemon".equals(System.getenv("JRUNC_FAKE_FAIL"))) {
            throw new IllegalStateException("cannot place the daemon");
        }
        Files.write(flags.bundle().resolve("start-input"), input);
    }
}
