package io.jrunc.it.terminal;

import io.jrunc.it.harness.BusyboxRootfs;
import io.jrunc.it.harness.Ctr;
import io.jrunc.it.harness.Leftovers;
import io.jrunc.it.harness.PrivateContainerd;
import io.jrunc.it.harness.ShimScenario;
import io.jrunc.it.harness.ShimUnderTest;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A {@link ShimScenario} whose containers are started by command lines this package builds (ctr on a
 * terminal, ctr with piped stdin). On close it ends the terminals, removes those containers, closes the
 * scenario and checks that they left nothing behind either.
 */
final class TerminalScenario implements AutoCloseable {
    private final ShimScenario scenario;
    private final BusyboxRootfs rootfs;
    private final Leftovers leftovers;
    private final Set<String> ids = new LinkedHashSet<>();
    private final List<PtySession> sessions = new ArrayList<>();

    private TerminalScenario(ShimScenario scenario, PrivateContainerd containerd, BusyboxRootfs rootfs) {
        this.scenario = scenario;
        this.rootfs = rootfs;
        this.leftovers = Leftovers.snapshot(containerd, scenario.namespace(), rootfs.path());
    }

    static TerminalScenario begin(PrivateContainerd containerd, BusyboxRootfs rootfs, ShimUnderTest shim) {
        return new TerminalScenario(ShimScenario.begin(containerd, rootfs, shim), containerd, rootfs);
    }

    ShimScenario scenario() {
        return scenario;
    }

    /** A full ctr command line for this scenario's containerd and namespace. */
    List<String> ctr(String... args) {
        Ctr ctr = scenario.ctr();
        List<String> command = new ArrayList<>(List.of(Ctr.BINARY, "--address", ctr.address().toString(),
                "-n", ctr.namespace()));
        command.addAll(List.of(args));
        return command;
    }

    /**
     * {@code ctr run <flags> --runtime <shim> --env PATH=/bin --rootfs <busybox> <id> <command>}, with the
     * scenario's FIFO dir; the container is removed on close.
     */
    List<String> run(List<String> flags, String id, String... command) {
        ids.add(id);
        List<String> args = new ArrayList<>(List.of("run"));
        args.addAll(flags);
        // --rootfs is a switch whose rootfs path is the first argument: every flag must come before it.
        args.addAll(List.of("--fifo-dir", scenario.containerd().fifoDir().toString(),
                "--runtime", scenario.shim().runtime(), "--env", BusyboxRootfs.PATH_ENV,
                "--rootfs", rootfs.path().toString(), id));
        args.addAll(List.of(command));
        return ctr(args.toArray(String[]::new));
    }

    /** {@code ctr task exec <flags> --exec-id <execId> <id> <command>} with the scenario's FIFO dir. */
    List<String> exec(List<String> flags, String execId, String id, String... command) {
        List<String> args = new ArrayList<>(List.of("task", "exec"));
        args.addAll(flags);
        args.addAll(List.of("--fifo-dir", scenario.containerd().fifoDir().toString(), "--exec-id", execId, id));
        args.addAll(List.of(command));
        return ctr(args.toArray(String[]::new));
    }

    /** Runs {@code command} on a new terminal of {@code rows} x {@code cols}, ended on close. */
    PtySession onTerminal(List<String> command, int rows, int cols) {
        PtySession session = PtySession.start(command, rows, cols);
        sessions.add(session);
        return session;
    }

    @Override
    public void close() {
        Throwable failure = null;
        for (PtySession session : sessions) {
            session.close();
        }
        for (String id : ids) {
            try {
                scenario.remove(id);
            } catch (RuntimeException | AssertionError e) {
                failure = add(failure, e);
            }
        }
        try {
            scenario.close();
        } catch (RuntimeException | AssertionError e) {
            failure = add(failure, e);
        }
        try {
            leftovers.assertNone(ShimScenario.LEFTOVER_GRACE, ids.toArray(String[]::new));
        } catch (AssertionError e) {
            failure = add(failure, e);
        }
        if (failure instanceof RuntimeException r) {
            throw r;
        }
        if (failure instanceof AssertionError a) {
            throw a;
        }
    }

    private static Throwable add(Throwable first, Throwable next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }
}
