// SPDX-License-Identifier: Apache-2.0
package hydrapi.io;

/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) from an arbitrary starting value and without pre- or
 * post-inversion: Linux {@code crc32c_le}, which ext4 chains from {@code s_checksum_seed} (metadata_csum_seed).
 * {@link java.util.zip.CRC32C} cannot start from a given state; {@code update(~0, x) == ~CRC32C(x)}.
 */
public final class Crc32c {

    private static final int[] TABLE = new int[256];

    static {
        for (int n = 0; n < 256; n++) {
            int c = n;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) != 0 ? (c >>> 1) ^ 0x82F63B78 : c >>> 1;
            }
            TABLE[n] = c;
        }
    }

    private Crc32c() {
    }

    public static int update(int crc, byte[] b, int off, int len) {
        int c = crc;
        for (int i = off, end = off + len; i < end; i++) {
            c = TABLE[(c ^ b[i]) & 0xFF] ^ (c >>> 8);
        }
        return c;
    }

    public static int update(int crc, byte[] b) {
        return update(crc, b, 0, b.length);
    }

    /** Feeds {@code value} as a little-endian u32, as ext4 feeds group and inode numbers. */
    public static int updateLe32(int crc, long value) {
        int c = crc;
        for (int i = 0; i < 4; i++) {
            c = TABLE[(c ^ (int) (value >>> (8 * i))) & 0xFF] ^ (c >>> 8);
        }
        return c;
    }

    /** Feeds {@code count} zero bytes. */
    public static int updateZeros(int crc, int count) {
        int c = crc;
        for (int i = 0; i < count; i++) {
            c = TABLE[c & 0xFF] ^ (c >>> 8);
        }
        return c;
    }
}
