// SPDX-License-Identifier: Apache-2.0
package hydrapi.xz;

import hydrapi.io.LittleEndian;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The Index field (xz-file-format.txt §4): Index Indicator 0x00, Number of Records, records of (Unpadded Size,
 * Uncompressed Size), Index Padding to a multiple of 4, CRC32.
 */
final class XzIndex {

    /** One Index record. Unpadded Size = Block Header + Compressed Data + Check, without Block Padding. */
    record Entry(long unpaddedSize, long uncompressedSize) {
        long paddedSize() {
            return (unpaddedSize + 3) & ~3L;
        }
    }

    /** Smallest Unpadded Size liblzma accepts (src/liblzma/common/index.h UNPADDED_SIZE_MIN). */
    private static final long MIN_UNPADDED = 5;

    private XzIndex() {
    }

    static byte[] encode(List<Entry> entries) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(16 + entries.size() * 8);
        b.write(0); // Index Indicator
        Vli.write(b, entries.size());
        for (Entry e : entries) {
            Vli.write(b, e.unpaddedSize());
            Vli.write(b, e.uncompressedSize());
        }
        while ((b.size() & 3) != 0) {
            b.write(0); // Index Padding
        }
        byte[] body = b.toByteArray();
        byte[] index = new byte[body.length + 4];
        System.arraycopy(body, 0, index, 0, body.length);
        LittleEndian.put32(index, body.length, XzStreamFlags.crc32(body, 0, body.length));
        return index;
    }

    /** Parses a whole Index field of {@code index.length} bytes (the length the Stream Footer gave). */
    static List<Entry> parse(byte[] index) throws Vli.FormatError {
        int crcPos = index.length - 4;
        if (LittleEndian.u32(index, crcPos) != XzStreamFlags.crc32(index, 0, crcPos)) {
            throw new Vli.FormatError("Index CRC32 mismatch");
        }
        Vli.Reader r = new Vli.Reader(index, 0, crcPos);
        if (r.u8() != 0) {
            throw new Vli.FormatError("no Index Indicator");
        }
        long count = r.vli();
        // each record takes at least 2 bytes, so a count beyond that is corrupt, not an allocation request
        if (count > crcPos / 2) {
            throw new Vli.FormatError("Index claims " + count + " records in " + index.length + " bytes");
        }
        List<Entry> entries = new ArrayList<>((int) count);
        long totalUnpadded = 0;
        long totalUncompressed = 0;
        for (long i = 0; i < count; i++) {
            long unpadded = r.vli();
            long uncompressed = r.vli();
            if (unpadded < MIN_UNPADDED || unpadded > Vli.MAX - 3) {
                throw new Vli.FormatError("Index record " + i + " has invalid Unpadded Size " + unpadded);
            }
            Entry e = new Entry(unpadded, uncompressed);
            totalUnpadded += e.paddedSize();
            totalUncompressed += uncompressed;
            if (totalUnpadded < 0 || totalUncompressed < 0) {
                throw new Vli.FormatError("Index sizes overflow");
            }
            entries.add(e);
        }
        while ((r.pos() & 3) != 0) {
            if (r.u8() != 0) {
                throw new Vli.FormatError("Index Padding is not zero");
            }
        }
        if (r.hasMore()) {
            throw new Vli.FormatError("Index has " + (crcPos - r.pos()) + " bytes after its records");
        }
        return entries;
    }
}
