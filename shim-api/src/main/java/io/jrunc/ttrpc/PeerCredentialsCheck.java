package io.jrunc.ttrpc;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.unix.PeerCredentials;
import java.io.IOException;
import java.lang.System.Logger.Level;

/**
 * Closes an accepted connection unless its peer (SO_PEERCRED) runs as our effective uid and gid,
 * as the Go shim's {@code UnixSocketRequireSameUser} does; then gets out of the way.
 */
final class PeerCredentialsCheck extends ChannelInboundHandlerAdapter {

    private static final System.Logger LOG = System.getLogger(PeerCredentialsCheck.class.getName());

    private final ProcessCredentials required;

    PeerCredentialsCheck(ProcessCredentials required) {
        this.required = required;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        String refusal = refusal(ctx);
        if (refusal != null) {
            LOG.log(Level.WARNING, "ttrpc: refusing connection: {0}", refusal);
            ctx.close();
            return;
        }
        ctx.pipeline().remove(this);
        ctx.fireChannelActive();
    }

    private String refusal(ChannelHandlerContext ctx) {
        if (!(ctx.channel() instanceof EpollDomainSocketChannel channel)) {
            return "not a unix socket: " + ctx.channel();
        }
        PeerCredentials peer;
        try {
            peer = channel.peerCredentials();
        } catch (IOException e) {
            return "cannot read SO_PEERCRED: " + e.getMessage();
        }
        int[] gids = peer.gids();
        int gid = gids.length == 0 ? -1 : gids[0];
        if (peer.uid() != required.uid() || gid != required.gid()) {
            return "peer pid " + peer.pid() + " runs as uid " + peer.uid() + " gid " + gid
                    + ", only uid " + required.uid() + " gid " + required.gid() + " may connect";
        }
        return null;
    }
}
