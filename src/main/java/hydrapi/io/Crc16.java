// SPDX-License-Identifier: Apache-2.0
package hydrapi.io;

/**
 * CRC-16 with the reflected polynomial 0xA001 and no final xor (the parameters of CRC-16/MODBUS when started from
 * 0xFFFF): ext4's gdt_csum group descriptor checksum (ext4-and-fat.md §6.1, e2fsprogs lib/ext2fs/crc16.c).
 */
public final class Crc16 {

    private static final int[] TABLE = new int[256];

    static {
        for (int n = 0; n < 256; n++) {
            int c = n;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) != 0 ? (c >>> 1) ^ 0xA001 : c >>> 1;
            }
            TABLE[n] = c;
        }
    }

    private Crc16() {
    }

    public static int update(int crc, byte[] b, int off, int len) {
        int c = crc & 0xFFFF;
        for (int i = off, end = off + len; i < end; i++) {
            c = TABLE[(c ^ b[i]) & 0xFF] ^ (c >>> 8);
        }
        return c;
    }

    public static int update(int crc, byte[] b) {
        return update(crc, b, 0, b.length);
    }

    public static int updateLe32(int crc, long value) {
        byte[] le = new byte[4];
        LittleEndian.put32(le, 0, value);
        return update(crc, le, 0, 4);
    }
}
