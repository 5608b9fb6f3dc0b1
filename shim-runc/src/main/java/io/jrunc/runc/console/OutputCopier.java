package io.jrunc.runc.console;

import io.jrunc.posix.Posix;
import io.jrunc.posix.PosixException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;

/**
 * Copies the pty master to the client's stdout until the terminal's slave side is closed by everyone (the
 * master's read fails with EIO: end of file) or the console is shut down (its wake pipe hangs up). Polls
 * both, so a shutdown never waits for output that does not come. Owns the target and the wake pipe's read end.
 */
final class OutputCopier implements Runnable {
    private static final Logger LOG = System.getLogger(OutputCopier.class.getName());
    private static final int EIO = 5;
    private static final int EAGAIN = 11;
    static final int BUFFER_SIZE = 32 * 1024;

    private final Posix posix;
    private final String name;
    private final MasterFd master;
    private final int wake;
    private final int target;
    private final Runnable onDone;

    /**
     * @param master already acquired for this copier; released at the end
     * @param target where the output goes; -1 to read and drop it (so the process never blocks on a full pty)
     */
    OutputCopier(Posix posix, String name, MasterFd master, int wake, int target, Runnable onDone) {
        this.posix = posix;
        this.name = name;
        this.master = master;
        this.wake = wake;
        this.target = target;
        this.onDone = onDone;
    }

    @Override
    public void run() {
        int[] fds = {master.fd(), wake};
        short[] events = {Posix.POLLIN, Posix.POLLIN};
        short[] revents = new short[2];
        byte[] buffer = new byte[BUFFER_SIZE];
        boolean writing = target >= 0;
        try {
            while (true) {
                posix.poll(fds, events, revents, -1);
                if (revents[1] != 0 || (revents[0] & Posix.POLLNVAL) != 0) {
                    break;
                }
                if (revents[0] == 0) {
                    continue;
                }
                int n;
                try {
                    n = posix.read(master.fd(), buffer, 0, buffer.length);
                } catch (PosixException e) {
                    if (e.errno() == EIO) {
                        break; // every holder of the slave closed it: end of file
                    }
                    if (e.errno() == EAGAIN) {
                        continue;
                    }
                    throw e;
                }
                if (n == 0) {
                    break;
                }
                if (writing) {
                    try {
                        posix.write(target, buffer, 0, n);
                    } catch (PosixException e) {
                        // Keep draining: a process writing to a full pty would block forever.
                        LOG.log(Level.WARNING, "copying " + name + " console output stopped: " + e.getMessage());
                        writing = false;
                    }
                }
            }
        } catch (PosixException e) {
            LOG.log(Level.WARNING, "reading " + name + " console failed: " + e.getMessage());
        } finally {
            posix.close(wake);
            if (target >= 0) {
                posix.close(target);
            }
            master.release();
            onDone.run();
        }
    }
}
