package io.jrunc.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ResultTableTest {
    private static final String CTR_FAILURE = """
            java.lang.IllegalStateException: /usr/bin/ctr --address /tmp/x/containerd.sock -n ns run -d c1 /bin/sleep 3600 -> exit 1
            --- stdout

            --- stderr
            ctr: failed to start shim: start failed: Unrecognized VM option 'Bogus'
            """;

    @Test
    void failedCellShowsWhatCtrSaid() {
        String cell = new Measurement.Failed(CTR_FAILURE).cell();
        assertTrue(cell.startsWith("error: ctr: failed to start shim: start failed: Unrecognized"), cell);
        assertTrue(cell.length() <= "error: ".length() + 80, "cells stay short: " + cell);
        assertEquals("error: no container started", new Measurement.Failed("java.lang.IllegalStateException: no container started").cell());
    }

    @Test
    void oneErrorSpoilingSeveralRowsIsListedOnce() {
        ResultTable table = new ResultTable();
        Measurement go = Measurement.Value.single(13.5, "");
        table.add(new ResultRow("RSS", go, new Measurement.Failed(CTR_FAILURE)));
        table.add(new ResultRow("PSS", go, new Measurement.Failed(CTR_FAILURE)));
        table.add(new ResultRow("exec", go, new Measurement.NotAvailable("UNIMPLEMENTED")));
        String md = table.toMarkdown();
        assertEquals(1, md.split("--- stderr", -1).length - 1, "the full error once:\n" + md);
        assertTrue(md.contains("- RSS, Java; PSS, Java:\n"), md);
        assertTrue(md.contains("n/a (UNIMPLEMENTED)"), md);
        assertTrue(table.hasFailures());
    }

    @Test
    void notAvailableIsNoFailure() {
        ResultTable table = new ResultTable();
        table.add(new ResultRow("exec", Measurement.Value.single(45, ""), new Measurement.NotAvailable("UNIMPLEMENTED")));
        assertTrue(!table.hasFailures());
    }
}
