package io.jrunc.runc.console;

import io.jrunc.posix.Posix;
import io.jrunc.posix.PosixException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;

/**
 * Copies the client's stdin into the pty master until end of file, then runs {@code atEof} (the console
 * hangs up, as the Go shim closes the master when stdin ends). After a failed write (the process is gone)
 * it keeps reading and dropping, so the client never blocks on a full FIFO. Owns its source.
 */
final class InputCopier implements Runnable {
    private static final Logger LOG = System.getLogger(InputCopier.class.getName());

    private final Posix posix;
    private final String name;
    private final int source;
    private final MasterFd master;
    private final Runnable atEof;

    /** @param master already acquired for this copier; released at the end */
    InputCopier(Posix posix, String name, int source, MasterFd master, Runnable atEof) {
        this.posix = posix;
        this.name = name;
        this.source = source;
        this.master = master;
        this.atEof = atEof;
    }

    @Override
    public void run() {
        byte[] buffer = new byte[OutputCopier.BUFFER_SIZE];
        boolean writing = true;
        try {
            while (true) {
                int n = posix.read(source, buffer, 0, buffer.length);
                if (n <= 0) {
                    break;
                }
                if (writing) {
                    try {
                        posix.write(master.fd(), buffer, 0, n);
                    } catch (PosixException e) {
                        LOG.log(Level.DEBUG, "copying stdin into " + name + " console stopped: " + e.getMessage());
                        writing = false;
                    }
                }
            }
        } catch (PosixException e) {
            LOG.log(Level.WARNING, "reading " + name + " stdin failed: " + e.getMessage());
        } finally {
            posix.close(source);
            master.release();
            atEof.run();
        }
    }
}
