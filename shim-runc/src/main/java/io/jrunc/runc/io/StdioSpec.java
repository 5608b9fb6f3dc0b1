package io.jrunc.runc.io;

/**
 * Where a process's stdio goes, as containerd names it: FIFO paths, {@code file://} or {@code binary://}
 * URIs; an empty string means that stream is not wired.
 */
public record StdioSpec(String stdin, String stdout, String stderr, boolean terminal) {

    /** Nothing wired at all: runc gets /dev/null. */
    public boolean isNull() {
        return stdin.isEmpty() && stdout.isEmpty() && stderr.isEmpty();
    }

    /**
     * The scheme of the stdout URI ("fifo" when there is none, as for plain FIFO paths). Like Go's url.Parse,
     * a scheme is letters, digits, '+', '-' or '.' before the first ':', starting with a letter.
     */
    public String scheme() {
        int colon = stdout.indexOf(':');
        if (colon <= 0) {
            return "fifo";
        }
        String candidate = stdout.substring(0, colon);
        if (!Character.isLetter(candidate.charAt(0))) {
            return "fifo";
        }
        for (char c : candidate.toCharArray()) {
            if (!(Character.isLetterOrDigit(c) || c == '+' || c == '-' || c == '.')) {
                return "fifo";
            }
        }
        return candidate.toLowerCase(java.util.Locale.ROOT);
    }
}
