// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * The bytes of a regular file to write, read in order, piece by piece: a file of the overlay is copied into the image
 * without ever being whole in memory (issue 14: no unbounded buffers).
 */
public interface FileContent {

    long sizeBytes();

    /** Reads exactly {@code len} bytes at {@code offset}. */
    void read(long offset, byte[] buf, int off, int len) throws IOException;

    static FileContent of(byte[] bytes) {
        return new FileContent() {
            @Override
            public long sizeBytes() {
                return bytes.length;
            }

            @Override
            public void read(long offset, byte[] buf, int off, int len) {
                System.arraycopy(bytes, (int) offset, buf, off, len);
            }
        };
    }

    /** {@code size} bytes of an open channel (a host file), which must not change meanwhile. */
    static FileContent of(FileChannel channel, long size) {
        return new FileContent() {
            @Override
            public long sizeBytes() {
                return size;
            }

            @Override
            public void read(long offset, byte[] buf, int off, int len) throws IOException {
                ByteBuffer bb = ByteBuffer.wrap(buf, off, len);
                while (bb.hasRemaining()) {
                    if (channel.read(bb, offset + bb.position() - off) < 0) {
                        throw new EOFException("a file of the overlay got shorter while it was copied (at byte "
                                + (offset + bb.position() - off) + " of " + size + ")");
                    }
                }
            }
        };
    }
}
