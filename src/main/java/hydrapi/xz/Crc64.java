// SPDX-License-Identifier: Apache-2.0
package hydrapi.xz;

/**
 * CRC64 of the .xz check field: ECMA-182 polynomial, reflected (0xC96C5795D7870F42), initial value and final
 * xor all ones (xz-file-format.txt §6, "CRC64"). Own table so that no non-exported xz-java package is needed.
 */
final class Crc64 {

    private static final long POLY = 0xC96C5795D7870F42L;
    private static final long[] TABLE = new long[256];

    static {
        for (int i = 0; i < 256; i++) {
            long r = i;
            for (int k = 0; k < 8; k++) {
                r = (r & 1) != 0 ? (r >>> 1) ^ POLY : r >>> 1;
            }
            TABLE[i] = r;
        }
    }

    private long crc = -1L;

    void update(byte[] b, int off, int len) {
        long c = crc;
        for (int i = off, end = off + len; i < end; i++) {
            c = TABLE[(int) (c ^ b[i]) & 0xFF] ^ (c >>> 8);
        }
        crc = c;
    }

    long value() {
        return ~crc;
    }
}
