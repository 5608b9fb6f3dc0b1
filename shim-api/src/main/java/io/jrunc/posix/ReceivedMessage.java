package io.jrunc.posix;

import java.util.List;

/**
 * One message read by {@link Posix#receiveWithFds}.
 *
 * @param length bytes placed in the caller's buffer (0 at end of stream)
 * @param fds the fds that came with it, in order; the receiver owns them
 * @param fdsTruncated the sender attached more fds than there was room for (the kernel closed the rest)
 */
public record ReceivedMessage(int length, List<Integer> fds, boolean fdsTruncated) {
    public ReceivedMessage {
        fds = List.copyOf(fds);
    }
}
