package io.jrunc.it.cri;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The client end of a CRI Exec: connects to the URL the Exec call returned (the streaming server containerd's
 * CRI plugin runs, the same code as the kubelet's) with a WebSocket upgrade and the Kubernetes
 * {@code v4.channel.k8s.io} subprotocol, as {@code kubectl exec} over WebSockets does. Every binary message
 * starts with a channel byte: 0 stdin, 1 stdout, 2 stderr, 3 error (in v4: a JSON metav1.Status whose
 * details carry the exit code), 4 resize. The server runs the exec when the connection opens and closes it
 * after writing the status. Uses only the JDK's WebSocket client.
 */
final class ExecStream {
    static final String PROTOCOL = "v4.channel.k8s.io";
    private static final int STDIN = 0;
    private static final int STDOUT = 1;
    private static final int STDERR = 2;
    private static final int ERROR = 3;
    private static final Pattern EXIT_CODE = Pattern.compile("\"reason\":\"ExitCode\",\"message\":\"(\\d+)\"");

    /** What came back: the negotiated subprotocol, the output streams, the exit code and the raw status. */
    record Result(String protocol, String stdout, String stderr, int exitCode, String status) {
    }

    private ExecStream() {
    }

    /**
     * Runs the exec behind {@code url}; {@code stdin} (may be empty) is sent on channel 0 right after the
     * upgrade. Fails if the connection is not closed by the server within {@code timeout}.
     */
    static Result run(String url, byte[] stdin, Duration timeout) throws Exception {
        URI uri = URI.create(url.replaceFirst("^http", "ws"));
        Collector collector = new Collector();
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(timeout).build()) {
            WebSocket ws = http.newWebSocketBuilder()
                    .subprotocols(PROTOCOL)
                    .connectTimeout(timeout)
                    .buildAsync(uri, collector)
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            try {
                if (stdin.length > 0) {
                    ByteBuffer frame = ByteBuffer.allocate(stdin.length + 1).put((byte) STDIN).put(stdin).flip();
                    ws.sendBinary(frame, true).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                }
                collector.closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                ws.abort();
                throw new AssertionError("exec stream " + url + " still open after " + timeout + "; so far: stdout="
                        + collector.text(STDOUT) + " stderr=" + collector.text(STDERR) + " error=" + collector.text(ERROR), e);
            } catch (ExecutionException e) {
                throw new AssertionError("exec stream " + url + " failed", e.getCause());
            }
            String status = collector.text(ERROR);
            return new Result(ws.getSubprotocol(), collector.text(STDOUT), collector.text(STDERR), exitCode(status), status);
        }
    }

    /** v4 status: "Success" is exit 0; a failure names the exit code as a cause with reason ExitCode. */
    static int exitCode(String status) {
        if (status.contains("\"status\":\"Success\"")) {
            return 0;
        }
        Matcher m = EXIT_CODE.matcher(status);
        if (m.find()) {
            return Integer.parseInt(m.group(1));
        }
        throw new AssertionError("exec stream status without an exit code: '" + status + "'");
    }

    /** Gathers each channel's bytes; callbacks come one at a time, results are read after {@code closed}. */
    private static final class Collector implements WebSocket.Listener {
        private final ByteArrayOutputStream[] channels = new ByteArrayOutputStream[5];
        private final ByteArrayOutputStream message = new ByteArrayOutputStream();
        final CompletableFuture<Void> closed = new CompletableFuture<>();

        Collector() {
            for (int i = 0; i < channels.length; i++) {
                channels[i] = new ByteArrayOutputStream();
            }
        }

        @Override
        public void onOpen(WebSocket ws) {
            ws.request(1);
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            message.writeBytes(bytes);
            if (last) {
                byte[] whole = message.toByteArray();
                message.reset();
                // The server opens each channel with an empty message (just the channel byte).
                if (whole.length > 0 && whole[0] >= 0 && whole[0] < channels.length) {
                    channels[whole[0]].write(whole, 1, whole.length - 1);
                } else if (whole.length > 0) {
                    closed.completeExceptionally(new AssertionError("message on unknown channel " + whole[0]));
                }
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            closed.completeExceptionally(new AssertionError("text frame in a binary channel protocol: " + data));
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closed.complete(null);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closed.completeExceptionally(error);
        }

        String text(int channel) {
            return channels[channel].toString(StandardCharsets.UTF_8);
        }
    }
}
