package io.jrunc.runc.process;

import io.jrunc.runc.cli.CriuOptions;
import io.jrunc.runc.cli.Runc;
import io.jrunc.runc.cli.RuncException;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * One {@code runc checkpoint} as the Go shim runs it.
 *
 * @param criu image path (the request's path), work path and criu flags
 * @param exit stop the container after the checkpoint (no {@code --leave-running})
 * @param removeWorkDir the work path is the shim's default one, removed afterwards; a client's is kept
 * @param dumpLogCopy where criu's {@code dump.log} is copied when the checkpoint fails ({@code <bundle>/criu-dump.log})
 */
public record CheckpointPlan(CriuOptions criu, boolean exit, boolean removeWorkDir, Path dumpLogCopy) {
    private static final Logger LOG = System.getLogger(CheckpointPlan.class.getName());

    void run(Runc runc, String id) throws InterruptedException {
        try {
            runc.checkpoint(id, criu, !exit);
        } catch (RuncException e) {
            copyDumpLog();
            String firstLine = e.getMessage().lines().findFirst().orElse("");
            throw TaskErrors.unknown(firstLine + " path= " + dumpLogCopy);
        } finally {
            if (removeWorkDir) {
                deleteTree(Path.of(criu.workPath()));
            }
        }
    }

    private void copyDumpLog() {
        Path dumpLog = Path.of(criu.workPath()).resolve("dump.log");
        try {
            Files.copy(dumpLog, dumpLogCopy, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            LOG.log(Level.ERROR, "failed to copy dump.log to criu-dump.log: " + e);
        }
    }

    private static void deleteTree(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (NoSuchFileException e) {
            // runc never made it
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot remove criu work directory " + root + ": " + e);
        }
    }
}
