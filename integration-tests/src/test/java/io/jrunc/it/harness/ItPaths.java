package io.jrunc.it.harness;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where things are on disk for the integration tests: the project, the shim dist, the logs. */
public final class ItPaths {
    private ItPaths() {
    }

    /** The checkout's root (the directory with the parent pom and shim-launcher/). */
    public static Path projectRoot() {
        String configured = System.getProperty("jrunc.projectRoot");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        // Run from an IDE: walk up from the working directory.
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("shim-launcher")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the jrunc project root from " + Path.of("").toAbsolutePath()
                + "; set -Djrunc.projectRoot");
    }

    /** Directory the jrunc shim binary is linked into by shim-launcher's build; may not exist yet. */
    public static Path shimDistBin() {
        return projectRoot().resolve("shim-launcher/target/dist/bin");
    }

    /**
     * The release archive shim-launcher's {@code package} made (its path is in target/release-archive.txt).
     */
    public static Path releaseArchive() {
        Path pointer = projectRoot().resolve("shim-launcher/target/release-archive.txt");
        try {
            return Path.of(Files.readString(pointer).strip());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("no release archive: " + pointer + " is missing (run mvn package)", e);
        }
    }

    /** Diagnostics (containerd logs) kept after the run, under integration-tests/target. */
    public static Path logDir() {
        String configured = System.getProperty("jrunc.it.logDir");
        Path dir = configured != null && !configured.isBlank()
                ? Path.of(configured)
                : projectRoot().resolve("integration-tests/target/it-logs");
        try {
            return Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
