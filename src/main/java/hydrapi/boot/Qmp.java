// SPDX-License-Identifier: Apache-2.0
package hydrapi.boot;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A minimal client of the QEMU Machine Protocol over a unix socket (qemu docs "QEMU QMP Reference Manual" and
 * interop/qmp-spec: a greeting, then qmp_capabilities, then one JSON command per line). Only sends commands that
 * need no answer beyond "return"; never parses more JSON than that.
 */
final class Qmp implements AutoCloseable {

    private final SocketChannel channel;
    private final StringBuilder pending = new StringBuilder();

    private Qmp(SocketChannel channel) {
        this.channel = channel;
    }

    /** Connects and leaves capabilities negotiation mode. */
    static Qmp connect(Path socket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
            Qmp q = new Qmp(ch);
            q.readLineContaining("\"QMP\"");
            q.execute("qmp_capabilities");
            return q;
        } catch (IOException e) {
            ch.close();
            throw e;
        }
    }

    /** Sends {@code {"execute": command}} and waits for its return (events in between are skipped). */
    void execute(String command) throws IOException {
        byte[] line = ("{\"execute\": \"" + command + "\"}\n").getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.wrap(line);
        while (b.hasRemaining()) {
            channel.write(b);
        }
        String reply = readLineContaining("\"return\"", "\"error\"");
        if (reply.contains("\"error\"")) {
            throw new IOException("QMP " + command + ": " + reply);
        }
    }

    private String readLineContaining(String... any) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(4096);
        while (true) {
            int nl;
            while ((nl = pending.indexOf("\n")) >= 0) {
                String line = pending.substring(0, nl);
                pending.delete(0, nl + 1);
                for (String s : any) {
                    if (line.contains(s)) {
                        return line;
                    }
                }
            }
            buf.clear();
            if (channel.read(buf) < 0) {
                throw new IOException("QMP socket closed by QEMU");
            }
            pending.append(new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8));
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
