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

    private record ZeroKey(int sizeBytes, int preset, int dictBytes, int checkType) {
    }

    /** All-zero Blocks are common in images (free space); encoding one costs ~1 s at preset 6, so do it once. */
    private static final Map<ZeroKey, EncodedBlock> ZERO_BLOCKS = new ConcurrentHashMap<>();

    private final LZMA2Options options;
    /** The same dictionary, MODE_UNCOMPRESSED: LZMA2 uncompressed chunks (xz-java 1.11 fixed this mode). */
    private final LZMA2Options uncompressed;
    private final int preset;
    private final ArrayCache cache = new BasicArrayCache();

    Lzma2BlockEncoder(int preset) {
        this(preset, options(preset).getDictSize());
    }

    Lzma2BlockEncoder(int preset, int dictBytes) {
        this.preset = preset;
        this.options = options(preset, dictBytes);
        this.uncompressed = options(preset, dictBytes);
        try {
            uncompressed.setMode(LZMA2Options.MODE_UNCOMPRESSED);
        } catch (UnsupportedOptionsException e) {
            throw new IllegalStateException("xz-java has MODE_UNCOMPRESSED", e);
        }
    }

    static LZMA2Options options(int preset) {
        try {
            return new LZMA2Options(preset);
        } catch (UnsupportedOptionsException e) {
            throw new IllegalArgumentException("xz preset " + preset + " is not 0-9", e);
        }
    }

    /** The preset's options with another dictionary size (the match finder's tables scale with it). */
    static LZMA2Options options(int preset, int dictBytes) {
        LZMA2Options o = options(preset);
        try {
            o.setDictSize(dictBytes);
        } catch (UnsupportedOptionsException e) {
            throw new IllegalArgumentException("LZMA2 dictionary of " + dictBytes + " bytes", e);
        }
        return o;
    }

    /**
     * The dictionary for Blocks of at most {@code blockBytes}: the preset's, or the smallest power of two that holds
     * a whole Block when that is smaller. A match never reaches before its Block's start, so a larger dictionary
     * only costs memory (about 11 bytes of match-finder tables per dictionary byte) and cache misses.
     */
    static int dictBytesFor(int preset, int blockBytes) {
        int presetDict = options(preset).getDictSize();
        int fit = Integer.highestOneBit(Math.max(LZMA2Options.DICT_SIZE_MIN, blockBytes) - 1) << 1;
        return Math.min(presetDict, Math.max(LZMA2Options.DICT_SIZE_MIN, fit));
    }

    /** What shapes this encoder's output: with the input bytes, the whole key of a cached Block. */
    String identity() {
        return "xz-java " + XZ_JAVA_VERSION + " lzma2 preset " + preset + " dict " + options.getDictSize()
                + " lc " + options.getLc() + " lp " + options.getLp() + " pb " + options.getPb() + " mode "
                + options.getMode() + " nice " + options.getNiceLen() + " mf " + options.getMatchFinder()
                + " depth " + options.getDepthLimit() + " " + IncompressibleProbe.IDENTITY;
    }

    /** The xz-java release in the pom; a test holds it to the jar on the class path. */
    static final String XZ_JAVA_VERSION = "1.12";

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

    /**
     * Compresses [offset, offset+length) of {@code source}, fed to the encoder through {@code chunk}; the Check,
     * {@code checkValue}, was computed by the caller over the same bytes. {@code stored}: the bytes are known not to
     * compress (see {@link IncompressibleProbe}), so they go into uncompressed LZMA2 chunks at once, which is what
     * the encoder would end up writing after trying for seconds.
     */
    EncodedBlock encode(hydrapi.io.BlockDevice source, long offset, int length, byte[] chunk, byte[] checkValue,
            boolean stored) throws IOException {
        ExposedBuffer buf = new ExposedBuffer(Math.max(4096, stored ? length + length / 1024 + 16 : length / 4));
        FinishableOutputStream lzma2 = (stored ? uncompressed : options).getOutputStream(
                new FinishableWrapperOutputStream(buf), cache);
        for (int done = 0; done < length; ) {
            int n = Math.min(chunk.length, length - done);
            source.read(offset + done, chunk, 0, n);
            lzma2.write(chunk, 0, n);
            done += n;
        }
        lzma2.finish();
        return new EncodedBlock(buf.array(), buf.size(), length, checkValue, false);
    }

    EncodedBlock encodeZeros(int length) {
        return encodeZeros(length, XzCheck.CRC64);
    }

    /** The encoding of {@code length} zero bytes, computed on first use; identical to {@code encode(zeros)}. */
    EncodedBlock encodeZeros(int length, int checkType) {
        return ZERO_BLOCKS.computeIfAbsent(new ZeroKey(length, preset, options.getDictSize(), checkType), k -> {
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
