// SPDX-License-Identifier: Apache-2.0
package hydrapi.xz;

import hydrapi.UnsupportedImageException;
import hydrapi.io.LittleEndian;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.tukaani.xz.ARM64Options;
import org.tukaani.xz.ARMOptions;
import org.tukaani.xz.ARMThumbOptions;
import org.tukaani.xz.ArrayCache;
import org.tukaani.xz.DeltaOptions;
import org.tukaani.xz.FilterOptions;
import org.tukaani.xz.IA64Options;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.PowerPCOptions;
import org.tukaani.xz.RISCVOptions;
import org.tukaani.xz.SPARCOptions;
import org.tukaani.xz.UnsupportedOptionsException;
import org.tukaani.xz.X86Options;

/**
 * Builds the decoder for a Block's filter chain from its Filter Flags (xz-file-format.txt §5.3): LZMA2 last,
 * optionally preceded by Delta or BCJ filters, using xz-java's public raw filter streams.
 */
final class XzFilterChain {

    private XzFilterChain() {
    }

    /**
     * @param uncompressedSize the Block's size from the Index: the LZMA2 dictionary never needs to be larger,
     *     since a Block starts with an empty dictionary, so a huge Dictionary Size property costs no memory
     */
    static InputStream decoder(List<XzFilter> filters, InputStream compressed, long uncompressedSize,
            ArrayCache cache, String where) throws IOException {
        XzFilter last = filters.get(filters.size() - 1);
        if (last.id() != XzFilter.LZMA2) {
            throw unsupported(where, "filter chain does not end in LZMA2 (last filter ID 0x"
                    + Long.toHexString(last.id()) + ")");
        }
        InputStream in = lzma2(last.props(), compressed, uncompressedSize, cache, where);
        for (int i = filters.size() - 2; i >= 0; i--) {
            in = options(filters.get(i), where).getInputStream(in, cache);
        }
        return in;
    }

    private static InputStream lzma2(byte[] props, InputStream compressed, long uncompressedSize, ArrayCache cache,
            String where) throws IOException {
        if (props.length != 1 || (props[0] & 0xFF) > 40) {
            throw new hydrapi.CorruptImageException(where + ": invalid LZMA2 Filter Properties");
        }
        long dict = Math.min(XzFilter.lzma2DictSize(props[0] & 0xFF), Math.max(uncompressedSize, 4096));
        if (dict > LZMA2Options.DICT_SIZE_MAX) {
            throw unsupported(where, "LZMA2 dictionary of " + (dict >> 20) + " MiB is over xz-java's "
                    + (LZMA2Options.DICT_SIZE_MAX >> 20) + " MiB limit");
        }
        LZMA2Options o = new LZMA2Options();
        try {
            o.setDictSize((int) dict);
        } catch (UnsupportedOptionsException e) {
            throw new IllegalStateException("dictionary size was range-checked", e);
        }
        return o.getInputStream(compressed, cache);
    }

    private static FilterOptions options(XzFilter f, String where) throws IOException {
        byte[] p = f.props();
        try {
            if (f.id() == XzFilter.DELTA) {
                if (p.length != 1) {
                    throw new hydrapi.CorruptImageException(where + ": invalid Delta Filter Properties");
                }
                return new DeltaOptions((p[0] & 0xFF) + 1);
            }
            if (p.length != 0 && p.length != 4) {
                throw unsupported(where, "filter ID 0x" + Long.toHexString(f.id()) + " with " + p.length
                        + " property bytes");
            }
            int start = p.length == 4 ? LittleEndian.s32(p, 0) : 0;
            switch ((int) f.id()) {
                case 0x04: { X86Options o = new X86Options(); o.setStartOffset(start); return o; }
                case 0x05: { PowerPCOptions o = new PowerPCOptions(); o.setStartOffset(start); return o; }
                case 0x06: { IA64Options o = new IA64Options(); o.setStartOffset(start); return o; }
                case 0x07: { ARMOptions o = new ARMOptions(); o.setStartOffset(start); return o; }
                case 0x08: { ARMThumbOptions o = new ARMThumbOptions(); o.setStartOffset(start); return o; }
                case 0x09: { SPARCOptions o = new SPARCOptions(); o.setStartOffset(start); return o; }
                case 0x0A: { ARM64Options o = new ARM64Options(); o.setStartOffset(start); return o; }
                case 0x0B: { RISCVOptions o = new RISCVOptions(); o.setStartOffset(start); return o; }
                default:
                    throw unsupported(where, "filter ID 0x" + Long.toHexString(f.id()) + " is not supported");
            }
        } catch (UnsupportedOptionsException e) {
            throw unsupported(where, "filter ID 0x" + Long.toHexString(f.id()) + ": " + e.getMessage());
        }
    }

    private static UnsupportedImageException unsupported(String where, String what) {
        return new UnsupportedImageException(where + ": " + what + "; recompress it with plain xz -6");
    }
}
