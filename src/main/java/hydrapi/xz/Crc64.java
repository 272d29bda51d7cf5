// SPDX-License-Identifier: Apache-2.0
package hydrapi.xz;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * CRC64 of the .xz check field: ECMA-182 polynomial, reflected (0xC96C5795D7870F42), initial value and final
 * xor all ones (xz-file-format.txt §6, "CRC64"). Own tables so that no non-exported xz-java package is needed.
 * Eight bytes a step ("slicing-by-8": table k holds the CRC of a byte followed by k zero bytes), several times
 * faster than a byte a step: every byte of a build's output is checked, and every byte of a decoded base block.
 */
final class Crc64 {

    private static final long POLY = 0xC96C5795D7870F42L;
    private static final long[][] T = new long[8][256];
    private static final VarHandle LE_LONG = MethodHandles.byteArrayViewVarHandle(long[].class,
            ByteOrder.LITTLE_ENDIAN);

    static {
        for (int i = 0; i < 256; i++) {
            long r = i;
            for (int k = 0; k < 8; k++) {
                r = (r & 1) != 0 ? (r >>> 1) ^ POLY : r >>> 1;
            }
            T[0][i] = r;
        }
        for (int k = 1; k < 8; k++) {
            for (int i = 0; i < 256; i++) {
                long prev = T[k - 1][i];
                T[k][i] = (prev >>> 8) ^ T[0][(int) prev & 0xFF];
            }
        }
    }

    private long crc = -1L;

    void update(byte[] b, int off, int len) {
        long c = crc;
        int i = off;
        int end = off + len;
        long[] t0 = T[0];
        long[] t1 = T[1];
        long[] t2 = T[2];
        long[] t3 = T[3];
        long[] t4 = T[4];
        long[] t5 = T[5];
        long[] t6 = T[6];
        long[] t7 = T[7];
        for (; end - i >= 8; i += 8) {
            long v = c ^ (long) LE_LONG.get(b, i);
            c = t7[(int) v & 0xFF] ^ t6[(int) (v >>> 8) & 0xFF] ^ t5[(int) (v >>> 16) & 0xFF]
                    ^ t4[(int) (v >>> 24) & 0xFF] ^ t3[(int) (v >>> 32) & 0xFF] ^ t2[(int) (v >>> 40) & 0xFF]
                    ^ t1[(int) (v >>> 48) & 0xFF] ^ t0[(int) (v >>> 56)];
        }
        for (; i < end; i++) {
            c = t0[(int) (c ^ b[i]) & 0xFF] ^ (c >>> 8);
        }
        crc = c;
    }

    long value() {
        return ~crc;
    }
}
