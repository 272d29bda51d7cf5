// SPDX-License-Identifier: Apache-2.0
package hydrapi.xz;

import java.util.zip.Deflater;

/**
 * Tells whether a Block's bytes will not compress, cheaply, before the LZMA2 encoder spends seconds finding it out:
 * the bytes are fed to a Deflate level 1 compressor (zlib, hundreds of MB/s), its first {@link #SAMPLE_BYTES} as a
 * sample that ends the probe at once when it compresses, the rest only when it does not. Overlays often carry
 * compressed files (tarballs, packages, archives) whose LZMA2 encoding costs as much as any data and saves nothing
 * (issue 14). A deterministic function of the bytes, so a Block stored rather than compressed is the same on
 * every build; part of the encoder's identity in the block cache.
 */
final class IncompressibleProbe {

    /** Names this rule in the encoder identity: change it when the rule changes. */
    static final String IDENTITY = "stored-if-deflate1>=" + 99 + "%";
    static final int SAMPLE_BYTES = 256 << 10;

    private final Deflater deflater = new Deflater(1, true);
    private final byte[] out = new byte[64 << 10];
    private long in;
    private long deflated;
    private boolean compressible;

    /** Starts a new Block. */
    void reset() {
        deflater.reset();
        in = 0;
        deflated = 0;
        compressible = false;
    }

    /** The Block's next bytes, in order. */
    void update(byte[] b, int off, int len) {
        if (compressible) {
            return;
        }
        deflater.setInput(b, off, len);
        while (!deflater.needsInput()) {
            deflated += deflater.deflate(out, 0, out.length, Deflater.NO_FLUSH);
        }
        long before = in;
        in += len;
        if (before < SAMPLE_BYTES && in >= SAMPLE_BYTES) {
            compressible = !stillIncompressible();
        }
    }

    /** After the whole Block: true when Deflate kept at least 99 % of it. */
    boolean incompressible() {
        if (compressible || in == 0) {
            return false;
        }
        deflater.finish();
        while (!deflater.finished()) {
            deflated += deflater.deflate(out, 0, out.length, Deflater.NO_FLUSH);
        }
        return deflated * 100 >= in * 99;
    }

    /** A sync flush shows what the sample compressed to so far. */
    private boolean stillIncompressible() {
        int n;
        do {
            n = deflater.deflate(out, 0, out.length, Deflater.SYNC_FLUSH);
            deflated += n;
        } while (n == out.length);
        return deflated * 100 >= in * 99;
    }
}
