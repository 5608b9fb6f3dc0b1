package io.jrunc.runc;

import io.jrunc.posix.ChildReaper;
import io.jrunc.posix.Posix;
import io.jrunc.posix.Reaper;
import io.jrunc.proto.task.v2.DeleteResponse;
import io.jrunc.runc.task.BundleCleanup;
import io.jrunc.runc.task.RuncTaskService;
import io.jrunc.shim.ShimContext;
import io.jrunc.shim.ShimFlags;
import io.jrunc.shim.ShimRuntime;
import io.jrunc.shim.task.TaskService;
import java.util.function.Supplier;

/** The runc runtime for the shim framework: the launcher instantiates it with the no-arg constructor. */
public final class RuncRuntime implements ShimRuntime {
    private final Supplier<Posix> posix;
    private final Supplier<Reaper> cleanupReaper;

    public RuncRuntime() {
        this(Posix::get, ChildReaper::start);
    }

    /**
     * @param posix the kernel door (bound lazily: version and start need none)
     * @param cleanupReaper starts the reaper of the short-lived {@code delete} process
     */
    public RuncRuntime(Supplier<Posix> posix, Supplier<Reaper> cleanupReaper) {
        this.posix = posix;
        this.cleanupReaper = cleanupReaper;
    }

    @Override
    public String version() {
        return "jrunc runc runtime " + implementationVersion() + " (revision " + revision() + ")";
    }

    /** The git revision of the build (jrunc/build.properties, written at build time), or "unknown". */
    static String revision() {
        try (java.io.InputStream in = RuncRuntime.class.getResourceAsStream("/jrunc/build.properties")) {
            if (in == null) {
                return "unknown";
            }
            java.util.Properties p = new java.util.Properties();
            p.load(in);
            return p.getProperty("revision", "unknown").strip();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    @Override
    public TaskService createTaskService(ShimContext context) {
        return new RuncTaskService(context, posix.get(), implementationVersion());
    }

    @Override
    public DeleteResponse cleanup(ShimFlags flags) throws Exception {
        return new BundleCleanup(posix.get(), cleanupReaper).run(flags.bundle(), flags.namespace(), flags.id());
    }

    static String implementationVersion() {
        String v = RuncRuntime.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
