// SPDX-License-Identifier: Apache-2.0
package hydrapi.io;

import java.io.Closeable;
import java.io.IOException;

/**
 * A byte-addressed random-access device: a whole disk image, a partition window or an overlay.
 * The role of e2fsprogs' struct_io_manager (lib/ext2fs/ext2_io.h): filesystem code never knows what lies below.
 */
public interface BlockDevice extends Closeable {

    long sizeBytes();

    /** Reads exactly {@code len} bytes at {@code offsetBytes}; reading past the end is an {@link java.io.EOFException}. */
    void read(long offsetBytes, byte[] buf, int off, int len) throws IOException;

    /** Writes exactly {@code len} bytes at {@code offsetBytes}; a read-only device throws. */
    void write(long offsetBytes, byte[] buf, int off, int len) throws IOException;

    default byte[] read(long offsetBytes, int len) throws IOException {
        byte[] b = new byte[len];
        read(offsetBytes, b, 0, len);
        return b;
    }

    default void write(long offsetBytes, byte[] buf) throws IOException {
        write(offsetBytes, buf, 0, buf.length);
    }

    @Override
    default void close() throws IOException {
    }

    /** Checks that [offsetBytes, offsetBytes+len) lies inside a device of {@code sizeBytes}. */
    static void checkRange(long offsetBytes, long len, long sizeBytes) throws java.io.EOFException {
        if (offsetBytes < 0 || len < 0 || offsetBytes > sizeBytes - len) {
            throw new java.io.EOFException("access at byte " + offsetBytes + " (+" + len
                    + ") is outside a device of " + sizeBytes + " bytes");
        }
    }
}
