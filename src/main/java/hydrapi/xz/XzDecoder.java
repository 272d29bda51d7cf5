// SPDX-License-Identifier: Apache-2.0
package hydrapi.xz;

import hydrapi.CorruptImageException;
import hydrapi.UnsupportedImageException;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.function.LongConsumer;
import org.tukaani.xz.CorruptedInputException;
import org.tukaani.xz.MemoryLimitException;
import org.tukaani.xz.UnsupportedOptionsException;
import org.tukaani.xz.XZFormatException;
import org.tukaani.xz.XZIOException;
import org.tukaani.xz.XZInputStream;

/**
 * Decodes a whole .xz file, concatenated Streams and Stream Padding included (xz-java XZInputStream; not
 * commons-compress's default reader, which stops after the first Stream), into a sparse file: 4 KiB pages that
 * decode to zeros are skipped rather than written, so an image's free space takes no disk.
 */
public final class XzDecoder {

    private static final int PAGE = 4096;
    /** 1 GiB: any LZMA2 dictionary xz -9 or --lzma2=dict=1GiB asks for; a corrupt header asks for up to 4 GiB. */
    private static final int MEMORY_LIMIT_KIB = 1 << 20;

    private XzDecoder() {
    }

    public static long decodeToSparseFile(Path xz, Path out, LongConsumer progress) throws IOException {
        String name = xz.getFileName().toString();
        try (CountingInputStream counted = new CountingInputStream(
                     new BufferedInputStream(Files.newInputStream(xz), 1 << 16));
             FileChannel dst = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     StandardOpenOption.TRUNCATE_EXISTING)) {
            long size;
            try (InputStream in = new XZInputStream(counted, MEMORY_LIMIT_KIB)) {
                size = copySparse(in, dst, progress);
            } catch (MemoryLimitException e) {
                throw new UnsupportedImageException(name + ": decoding needs " + (e.getMemoryNeeded() >> 10)
                        + " MiB, over the " + (MEMORY_LIMIT_KIB >> 10) + " MiB limit; recompress with xz -6");
            } catch (UnsupportedOptionsException e) {
                throw new UnsupportedImageException(name + ": " + e.getMessage()
                        + " near compressed offset " + counted.count + "; recompress with plain xz -6");
            } catch (XZFormatException e) {
                throw new CorruptImageException(name + ": not an .xz file (no xz magic at byte 0);"
                        + " give an .img.xz file");
            } catch (EOFException e) {
                throw new CorruptImageException(name + ": truncated: the .xz data ends unexpectedly at offset "
                        + counted.count + "; fetch or write the file again");
            } catch (XZIOException e) {
                // xz-java reports malformed input as an XZIOException subclass (CorruptedInputException)
                throw new CorruptImageException(name + ": corrupt .xz data (" + describe(e)
                        + ") near compressed offset " + counted.count + "; fetch or write the file again");
            }
            // the file ends in a hole when the image ends in zeros: give it its full length
            if (dst.size() < size) {
                dst.write(ByteBuffer.wrap(new byte[1]), size - 1);
            }
            return size;
        }
    }

    private static String describe(Exception e) {
        String m = e.getMessage();
        return m == null || m.isEmpty() ? e.getClass().getSimpleName() : m;
    }

    private static long copySparse(InputStream in, FileChannel dst, LongConsumer progress) throws IOException {
        byte[] buf = new byte[1 << 20];
        long written = 0;
        while (true) {
            int filled = readFully(in, buf);
            if (filled == 0) {
                return written;
            }
            // runs of non-zero pages are written with one call; zero pages become holes
            int runStart = -1;
            for (int p = 0; p < filled; p += PAGE) {
                int len = Math.min(PAGE, filled - p);
                boolean zero = Arrays.mismatch(buf, p, p + len, ZERO_PAGE, 0, len) < 0;
                if (!zero && runStart < 0) {
                    runStart = p;
                } else if (zero && runStart >= 0) {
                    writeAt(dst, buf, runStart, p - runStart, written + runStart);
                    runStart = -1;
                }
            }
            if (runStart >= 0) {
                writeAt(dst, buf, runStart, filled - runStart, written + runStart);
            }
            written += filled;
            if (progress != null) {
                progress.accept(written);
            }
            if (filled < buf.length) {
                return written;
            }
        }
    }

    private static final byte[] ZERO_PAGE = new byte[PAGE];

    private static int readFully(InputStream in, byte[] buf) throws IOException {
        int filled = 0;
        while (filled < buf.length) {
            int n;
            try {
                n = in.read(buf, filled, buf.length - filled);
            } catch (RuntimeException e) {
                // a decoder that trips over malformed input is still malformed input, not a hydrapi bug
                throw new CorruptedInputException(e.toString());
            }
            if (n < 0) {
                break;
            }
            filled += n;
        }
        return filled;
    }

    private static void writeAt(FileChannel dst, byte[] buf, int off, int len, long pos) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(buf, off, len);
        long p = pos;
        while (bb.hasRemaining()) {
            p += dst.write(bb, p);
        }
    }

    /** Counts bytes the decoder consumed, to say where in the compressed file a failure was found. */
    private static final class CountingInputStream extends FilterInputStream {
        long count;

        CountingInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long s = super.skip(n);
            count += s;
            return s;
        }
    }
}
