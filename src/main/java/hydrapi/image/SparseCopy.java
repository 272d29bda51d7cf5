// SPDX-License-Identifier: Apache-2.0
package hydrapi.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.LongConsumer;

/** Copies a stream into a new file leaving all-zero 64 KiB runs as holes: images are mostly zeros. */
public final class SparseCopy {

    private static final int CHUNK = 64 * 1024;

    private SparseCopy() {
    }

    /** Writes all of {@code in} to the existing empty {@code file}; returns the byte count. */
    public static long copy(InputStream in, Path file, LongConsumer progress) throws IOException {
        byte[] buf = new byte[CHUNK];
        byte[] zeros = new byte[CHUNK];
        long pos = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            while (true) {
                int n = in.readNBytes(buf, 0, CHUNK);
                if (n == 0) {
                    break;
                }
                if (!java.util.Arrays.equals(buf, 0, n, zeros, 0, n)) {
                    ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                    long p = pos;
                    while (bb.hasRemaining()) {
                        p += ch.write(bb, p);
                    }
                }
                pos += n;
                if (progress != null) {
                    progress.accept(pos);
                }
            }
            if (ch.size() < pos) {
                // Extend over a trailing hole: write the last byte (a zero).
                ch.write(ByteBuffer.wrap(new byte[1]), pos - 1);
            }
        }
        return pos;
    }
}
