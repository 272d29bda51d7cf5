// SPDX-License-Identifier: Apache-2.0
package hydrapi.xz;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A window [start, start+length) of a file channel as a buffered stream, using positional reads so that several
 * threads can read one channel. The window bounds a corrupt Block: its decoder sees EOF, not the next Block.
 */
final class ChannelInputStream extends InputStream {

    private final FileChannel channel;
    private final ByteBuffer buf = ByteBuffer.allocate(64 << 10);
    private long pos;
    private final long end;

    ChannelInputStream(FileChannel channel, long start, long length) {
        this.channel = channel;
        this.pos = start;
        this.end = start + length;
        buf.limit(0);
    }

    /** Bytes of the window not yet returned. */
    long remaining() {
        return end - pos + buf.remaining();
    }

    private boolean fill() throws IOException {
        if (buf.hasRemaining()) {
            return true;
        }
        if (pos >= end) {
            return false;
        }
        buf.clear();
        buf.limit((int) Math.min(buf.capacity(), end - pos));
        while (buf.hasRemaining()) {
            int n = channel.read(buf, pos);
            if (n < 0) {
                throw new java.io.EOFException("file ends at byte " + pos);
            }
            pos += n;
        }
        buf.flip();
        return true;
    }

    @Override
    public int read() throws IOException {
        return fill() ? buf.get() & 0xFF : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (!fill()) {
            return -1;
        }
        int n = Math.min(len, buf.remaining());
        buf.get(b, off, n);
        return n;
    }
}
