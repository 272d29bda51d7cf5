// SPDX-License-Identifier: Apache-2.0
package hydrapi.xz;

import hydrapi.io.LittleEndian;
import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * Stream Header and Stream Footer, 12 bytes each (xz-file-format.txt §2.1.1 and §2.1.2). Both carry the same
 * Stream Flags: a zero byte, then the Check ID in the low nibble of the second byte.
 */
final class XzStreamFlags {

    static final int SIZE = 12;
    static final byte[] HEADER_MAGIC = {(byte) 0xFD, '7', 'z', 'X', 'Z', 0};
    static final byte[] FOOTER_MAGIC = {'Y', 'Z'};

    private XzStreamFlags() {
    }

    static byte[] encodeHeader(int checkType) {
        byte[] h = new byte[SIZE];
        System.arraycopy(HEADER_MAGIC, 0, h, 0, 6);
        h[7] = (byte) checkType;
        LittleEndian.put32(h, 8, crc32(h, 6, 2));
        return h;
    }

    /** @param indexSize the whole Index field, a multiple of 4 */
    static byte[] encodeFooter(int checkType, long indexSize) {
        byte[] f = new byte[SIZE];
        LittleEndian.put32(f, 4, indexSize / 4 - 1);
        f[9] = (byte) checkType;
        f[10] = 'Y';
        f[11] = 'Z';
        LittleEndian.put32(f, 0, crc32(f, 4, 6));
        return f;
    }

    /** @return the Check ID */
    static int parseHeader(byte[] h) throws Vli.FormatError {
        if (!Arrays.equals(h, 0, 6, HEADER_MAGIC, 0, 6)) {
            throw new Vli.FormatError("no Stream Header magic FD 37 7A 58 5A 00");
        }
        if (LittleEndian.u32(h, 8) != crc32(h, 6, 2)) {
            throw new Vli.FormatError("Stream Header CRC32 mismatch");
        }
        return flags(h, 6);
    }

    /** @return {check ID, Index size in bytes} */
    static long[] parseFooter(byte[] f) throws Vli.FormatError {
        if (f[10] != 'Y' || f[11] != 'Z') {
            throw new Vli.FormatError("no Stream Footer magic 'YZ'");
        }
        if (LittleEndian.u32(f, 0) != crc32(f, 4, 6)) {
            throw new Vli.FormatError("Stream Footer CRC32 mismatch");
        }
        int check = flags(f, 8);
        long indexSize = (LittleEndian.u32(f, 4) + 1) * 4;
        return new long[] {check, indexSize};
    }

    private static int flags(byte[] b, int off) throws Vli.FormatError {
        if (b[off] != 0 || (b[off + 1] & 0xF0) != 0) {
            throw new Vli.FormatError("reserved Stream Flags bits set (newer xz format?)");
        }
        return b[off + 1] & 0x0F;
    }

    static long crc32(byte[] b, int off, int len) {
        CRC32 c = new CRC32();
        c.update(b, off, len);
        return c.getValue();
    }
}
