import java.lang.reflect.Method;

/**
 * What binding native calls costs a fresh JVM (measurement tool, not part of the shim): the time from
 * the first use of a binding to its first call returning, in one JVM per run. Run it with a dist's jars
 * (and the launcher's flags, e.g. its AOT cache, to see what {@code start} pays):
 *
 * <pre>
 *   java -cp 'DIST/lib/*' shim-launcher/src/test/bench/BindCost.java MODE
 *   java -Djnr.ffi.asm.enabled=false -cp 'DIST/lib/*' shim-launcher/src/test/bench/BindCost.java MODE
 * </pre>
 *
 * MODE: {@code spawner} (io.jrunc.posix.Spawner: what {@code start} binds), {@code libc} (the daemon's
 * whole jnr-ffi interface, io.jrunc.posix.NativeLibc.Calls), {@code posix} (jnr-posix's POSIXFactory),
 * {@code ffm} (io.jrunc.posix.FfmSpawner, in dists that still have it); {@code percall}: not a binding but the
 * time of one call (fcntl) on the daemon's binding, after warming up. Prints one line: MODE and the figure.
 */
public class BindCost {
    public static void main(String[] args) throws Throwable {
        String mode = args.length > 0 ? args[0] : "spawner";
        long t0 = System.nanoTime();
        switch (mode) {
            case "spawner", "ffm" -> {
                Class<?> type = Class.forName(mode.equals("ffm") ? "io.jrunc.posix.FfmSpawner" : "io.jrunc.posix.Spawner");
                Object instance = type.getMethod("instance").invoke(null);
                Method close = type.getMethod("close", int.class);
                close.invoke(instance, -1);
            }
            case "libc" -> {
                Class<?> calls = Class.forName("io.jrunc.posix.NativeLibc$Calls");
                Object libc = jnr.ffi.LibraryLoader.create(calls).load(jnr.ffi.Platform.getNativePlatform().getStandardCLibraryName());
                calls.getMethod("listen", int.class, int.class).invoke(libc, -1, 1);
            }
            case "posix" -> jnr.posix.POSIXFactory.getNativePOSIX().getpid();
            case "percall" -> {
                // Not a binding: the cost of one call once bound (fcntl(0, F_GETFL) on the daemon's binding).
                Class<?> calls = Class.forName("io.jrunc.posix.NativeLibc$Calls");
                Object libc = jnr.ffi.LibraryLoader.create(calls).load(jnr.ffi.Platform.getNativePlatform().getStandardCLibraryName());
                java.lang.invoke.MethodHandle fcntl = java.lang.invoke.MethodHandles.publicLookup()
                        .findVirtual(calls, "fcntl", java.lang.invoke.MethodType.methodType(int.class, int.class, int.class, int.class))
                        .bindTo(libc);
                int rounds = 200_000;
                for (int i = 0; i < rounds; i++) {
                    int ignored = (int) fcntl.invoke(0, 3, 0);
                }
                long t1 = System.nanoTime();
                for (int i = 0; i < rounds; i++) {
                    int ignored = (int) fcntl.invoke(0, 3, 0);
                }
                System.out.printf("%s %.3f us/call%n", mode, (System.nanoTime() - t1) / 1e3 / rounds);
                return;
            }
            default -> throw new IllegalArgumentException("mode: spawner, libc, posix, ffm or percall");
        }
        System.out.printf("%s %.1f ms%n", mode, (System.nanoTime() - t0) / 1e6);
    }
}
