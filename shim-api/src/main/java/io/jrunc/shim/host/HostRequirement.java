package io.jrunc.shim.host;

/**
 * One thing the shim needs from the host (a kernel call, a mounted filesystem, a binary, a capability)
 * and what this host has: when met, what was found; when not, what is wrong, in words that say what to fix.
 */
public record HostRequirement(String name, boolean met, String detail) {

    public static HostRequirement met(String name, String found) {
        return new HostRequirement(name, true, found);
    }

    public static HostRequirement missing(String name, String problem) {
        return new HostRequirement(name, false, problem);
    }
}
