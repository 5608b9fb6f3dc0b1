package io.jrunc.shim;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What others can see of the containers a daemon serves: its {@link DaemonStatusFile} (for the
 * {@code status} command), rewritten on every Create and Delete, and its {@link DaemonSlots} when
 * {@code max-containers} bounds it (a deleted container's place is given back; places reserved for
 * containers that never came are swept on each Create).
 */
final class DaemonRoster implements ServedContainers {
    private static final System.Logger LOG = System.getLogger(DaemonRoster.class.getName());

    private final Optional<DaemonStatusFile> statusFile;
    private final DaemonStatusFile.Status identity;
    private final Optional<DaemonSlots> slots;
    private final Clock clock;
    private final Set<String> served = new TreeSet<>();

    DaemonRoster(Optional<DaemonStatusFile> statusFile, DaemonStatusFile.Status identity, Optional<DaemonSlots> slots, Clock clock) {
        this.statusFile = statusFile;
        this.identity = identity;
        this.slots = slots;
        this.clock = clock;
    }

    /** Writes the status file with no container yet (the daemon begins serving). */
    synchronized void publish() {
        write();
    }

    @Override
    public synchronized void created(String id, Path bundle) {
        served.add(id);
        slots.ifPresent(s -> s.releaseStale(Set.copyOf(served), DaemonSlots.STALE_RESERVATION, clock.instant()));
        write();
    }

    @Override
    public synchronized void deleted(String id) {
        served.remove(id);
        slots.ifPresent(s -> s.release(id));
        write();
    }

    /** The daemon exits: its files go (places still held belong to containers containerd will delete). */
    synchronized void withdraw() {
        statusFile.ifPresent(DaemonStatusFile::remove);
        slots.ifPresent(DaemonSlots::removeIfEmpty);
    }

    synchronized Set<String> served() {
        return Set.copyOf(served);
    }

    private void write() {
        if (statusFile.isEmpty()) {
            return;
        }
        try {
            statusFile.get().write(identity.withContainers(served));
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot write " + statusFile.get().path() + ": " + e.getMessage());
        }
    }
}
