package io.jrunc.it.harness;

import java.util.List;

/** What an external command did: its exit code and everything it printed. */
public record CommandResult(List<String> command, int exitCode, String stdout, String stderr) {

    public boolean ok() {
        return exitCode == 0;
    }

    /** Returns this result, or throws with the full output if the command failed. */
    public CommandResult orThrow() {
        if (!ok()) {
            throw new IllegalStateException(describe());
        }
        return this;
    }

    public String describe() {
        return String.join(" ", command) + " -> exit " + exitCode
                + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
    }
}
