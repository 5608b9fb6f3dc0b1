package io.jrunc.it.reliability;

import io.jrunc.it.harness.ItPaths;
import io.jrunc.it.harness.ShimUnderTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;

/**
 * What a fault looked like to the user, one line per fault and shim, printed and appended to
 * {@code target/it-logs/fault-table.txt}: the raw material of the fault table in docs/reliability.md.
 */
final class FaultLog {
    private FaultLog() {
    }

    static synchronized void record(String fault, ShimUnderTest shim, String outcome) {
        String line = "FAULT " + fault + " shim=" + shim + ": " + outcome.strip().replace("\n", " | ");
        System.out.println(line);
        try {
            Files.writeString(ItPaths.logDir().resolve("fault-table.txt"), line + "\n",
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
