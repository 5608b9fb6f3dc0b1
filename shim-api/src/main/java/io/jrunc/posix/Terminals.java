package io.jrunc.posix;

import java.nio.file.Path;

/** Pseudo-terminals and their window sizes. Part of {@link Posix}. */
public interface Terminals {
    /** ioctl(TIOCSWINSZ): the terminal's size in character cells (pixels left 0). */
    void setWindowSize(int fd, int rows, int cols) throws PosixException;

    /** ioctl(TIOCGWINSZ): {rows, cols} of the terminal. */
    int[] windowSize(int fd) throws PosixException;

    /**
     * A new pseudo-terminal: its master, close-on-exec and not our controlling terminal, ready for the slave
     * ({@link #ptySlave}) to be opened.
     */
    int openPtyMaster() throws PosixException;

    /** The slave device of a pty master, e.g. /dev/pts/3. */
    Path ptySlave(int master) throws PosixException;
}
