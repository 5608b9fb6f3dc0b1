package io.jrunc.posix;

import java.io.File;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import jnr.constants.platform.Errno;
import jnr.posix.POSIXHandler;

/**
 * jnr-posix's callbacks, minus its habit of printing warnings: during {@code start} and
 * {@code delete} anything on stdout/stderr corrupts what containerd reads.
 */
final class QuietPosixHandler implements POSIXHandler {
    private static final PrintStream NOWHERE = new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8);

    @Override
    public void error(Errno error, String extraData) {
        throw new IllegalStateException("native call failed: " + error + " " + extraData);
    }

    @Override
    public void error(Errno error, String methodName, String extraData) {
        throw new IllegalStateException(methodName + " failed: " + error + " " + extraData);
    }

    @Override
    public void unimplementedError(String methodName) {
        throw new UnsupportedOperationException(methodName + " is not available");
    }

    @Override
    public void warn(WARNING_ID id, String message, Object... data) {}

    @Override
    public boolean isVerbose() {
        return false;
    }

    @Override
    public File getCurrentWorkingDirectory() {
        return new File(System.getProperty("user.dir"));
    }

    @Override
    public String[] getEnv() {
        return System.getenv().entrySet().stream()
                .map(Map.Entry::toString)
                .toArray(String[]::new);
    }

    @Override
    public InputStream getInputStream() {
        return InputStream.nullInputStream();
    }

    @Override
    public PrintStream getOutputStream() {
        return NOWHERE;
    }

    @Override
    public int getPID() {
        return (int) ProcessHandle.current().pid();
    }

    @Override
    public PrintStream getErrorStream() {
        return NOWHERE;
    }
}
