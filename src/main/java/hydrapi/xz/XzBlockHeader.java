// SPDX-License-Identifier: Apache-2.0
package hydrapi.xz;

import hydrapi.io.LittleEndian;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Block Header (xz-file-format.txt §3.1): size byte, Block Flags, optional Compressed and Uncompressed Size, 1-4
 * Filter Flags, zero padding to a multiple of 4, CRC32. Sizes are -1 when absent.
 */
record XzBlockHeader(int headerSize, long compressedSize, long uncompressedSize, List<XzFilter> filters) {

    static final int FLAG_COMPRESSED_SIZE = 0x40;
    static final int FLAG_UNCOMPRESSED_SIZE = 0x80;
    static final int MAX_SIZE = 1024;

    XzBlockHeader {
        filters = List.copyOf(filters);
    }

    boolean sizesInHeader() {
        return compressedSize >= 0 && uncompressedSize >= 0;
    }

    /** The header xz -T writes: both sizes present (flags 0xC0), one LZMA2 filter with its dictionary byte. */
    static byte[] encodeLzma2(long compressedSize, long uncompressedSize, int dictProp) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(32);
        b.write(0); // Block Header Size, patched below
        b.write(FLAG_COMPRESSED_SIZE | FLAG_UNCOMPRESSED_SIZE); // one filter: bits 0-1 = 0
        Vli.write(b, compressedSize);
        Vli.write(b, uncompressedSize);
        Vli.write(b, XzFilter.LZMA2);
        Vli.write(b, 1);
        b.write(dictProp);
        while ((b.size() & 3) != 0) {
            b.write(0); // Header Padding
        }
        byte[] h = new byte[b.size() + 4];
        System.arraycopy(b.toByteArray(), 0, h, 0, b.size());
        h[0] = (byte) (h.length / 4 - 1);
        LittleEndian.put32(h, h.length - 4, XzStreamFlags.crc32(h, 0, h.length - 4));
        return h;
    }

    /** Real header size from its first byte; 0 means "this is the Index Indicator, not a Block". */
    static int sizeFromFirstByte(int firstByte) {
        return firstByte == 0 ? 0 : (firstByte + 1) * 4;
    }

    /** Parses a complete header of {@code sizeFromFirstByte(h[0])} bytes at h[0]. */
    static XzBlockHeader parse(byte[] h) throws Vli.FormatError {
        int size = sizeFromFirstByte(h[0] & 0xFF);
        if (size == 0 || h.length < size) {
            throw new Vli.FormatError("Block Header size byte invalid");
        }
        if (LittleEndian.u32(h, size - 4) != XzStreamFlags.crc32(h, 0, size - 4)) {
            throw new Vli.FormatError("Block Header CRC32 mismatch");
        }
        Vli.Reader r = new Vli.Reader(h, 1, size - 4);
        int flags = r.u8();
        if ((flags & 0x3C) != 0) {
            throw new Vli.FormatError("reserved Block Flags bits set (newer xz format?)");
        }
        long compressed = -1;
        long uncompressed = -1;
        if ((flags & FLAG_COMPRESSED_SIZE) != 0) {
            compressed = r.vli();
            if (compressed == 0) {
                throw new Vli.FormatError("Block Header Compressed Size is zero");
            }
        }
        if ((flags & FLAG_UNCOMPRESSED_SIZE) != 0) {
            uncompressed = r.vli();
        }
        int count = (flags & 3) + 1;
        List<XzFilter> filters = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long id = r.vli();
            long propsSize = r.vli();
            if (propsSize > size) {
                throw new Vli.FormatError("Filter Properties larger than the header");
            }
            byte[] props = new byte[(int) propsSize];
            for (int k = 0; k < props.length; k++) {
                props[k] = (byte) r.u8();
            }
            filters.add(new XzFilter(id, props));
        }
        while (r.hasMore()) {
            if (r.u8() != 0) {
                throw new Vli.FormatError("Block Header Padding is not zero");
            }
        }
        return new XzBlockHeader(size, compressed, uncompressed, filters);
    }
}
