// SPDX-License-Identifier: Apache-2.0
package hydrapi.xz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.tukaani.xz.ArrayCache;
import org.tukaani.xz.BasicArrayCache;
import org.tukaani.xz.FinishableOutputStream;
import org.tukaani.xz.FinishableWrapperOutputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.UnsupportedOptionsException;

/**
 * Compresses one Block's data with xz-java's raw LZMA2 encoder (whose output is exactly a Block's Compressed Data
 * for a single-LZMA2 filter chain) and computes its Check (CRC64 unless the Stream has another type). One instance per worker thread: its ArrayCache
 * recycles the ~95 MiB of match-finder arrays a preset 6 encoder allocates for every Block.
 */
final class Lzma2BlockEncoder {

    private record ZeroKey(int sizeBytes, int preset, int checkType) {
    }

    /** All-zero Blocks are common in images (free space); encoding one costs ~1 s at preset 6, so do it once. */
    private static final Map<ZeroKey, EncodedBlock> ZERO_BLOCKS = new ConcurrentHashMap<>();

    private final LZMA2Options options;
    private final int preset;
    private final ArrayCache cache = new BasicArrayCache();

    Lzma2BlockEncoder(int preset) {
        this.preset = preset;
        this.options = options(preset);
    }

    static LZMA2Options options(int preset) {
        try {
            return new LZMA2Options(preset);
        } catch (UnsupportedOptionsException e) {
            throw new IllegalArgumentException("xz preset " + preset + " is not 0-9", e);
        }
    }

    EncodedBlock encode(byte[] data, int length) throws IOException {
        return encode(data, length, XzCheck.CRC64);
    }

    /** @param checkType a supported Check ID ({@link XzCheck#isSupported}) */
    EncodedBlock encode(byte[] data, int length, int checkType) throws IOException {
        ExposedBuffer buf = new ExposedBuffer(Math.max(4096, length / 4));
        FinishableOutputStream lzma2 = options.getOutputStream(new FinishableWrapperOutputStream(buf), cache);
        lzma2.write(data, 0, length);
        lzma2.finish();
        XzCheck check = XzCheck.create(checkType, "new block");
        check.update(data, 0, length);
        return new EncodedBlock(buf.array(), buf.size(), length, check.finish(), false);
    }

    EncodedBlock encodeZeros(int length) {
        return encodeZeros(length, XzCheck.CRC64);
    }

    /** The encoding of {@code length} zero bytes, computed on first use; identical to {@code encode(zeros)}. */
    EncodedBlock encodeZeros(int length, int checkType) {
        return ZERO_BLOCKS.computeIfAbsent(new ZeroKey(length, preset, checkType), k -> {
            try {
                EncodedBlock b = encode(new byte[length], length, checkType);
                byte[] exact = Arrays.copyOf(b.data(), b.dataLength());
                return new EncodedBlock(exact, exact.length, length, b.check(), true);
            } catch (IOException e) {
                throw new IllegalStateException("LZMA2 encoding to memory failed", e);
            }
        });
    }

    static boolean isAllZero(byte[] data, int length) {
        for (int off = 0; off < length; off += ZEROS.length) {
            int n = Math.min(ZEROS.length, length - off);
            if (Arrays.mismatch(data, off, off + n, ZEROS, 0, n) >= 0) {
                return false;
            }
        }
        return true;
    }

    private static final byte[] ZEROS = new byte[64 << 10];

    /** A ByteArrayOutputStream whose array is handed over without the copy toByteArray() makes. */
    private static final class ExposedBuffer extends ByteArrayOutputStream {
        ExposedBuffer(int initial) {
            super(initial);
        }

        byte[] array() {
            return buf;
        }
    }
}
