// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

/**
 * htree directory name hashes: legacy, half_md4 and TEA, each with signed or unsigned chars. Behaviour of
 * e2fsprogs lib/ext2fs/dirhash.c and the kernel's fs/ext4/hash.c, written from the description in
 * ext4-and-fat.md §13.3 (no code copied); golden vectors from {@code debugfs dx_hash} in DirHashTest.
 */
public final class DirHash {

    public static final int LEGACY = 0;
    public static final int HALF_MD4 = 1;
    public static final int TEA = 2;
    public static final int LEGACY_UNSIGNED = 3;
    public static final int HALF_MD4_UNSIGNED = 4;
    public static final int TEA_UNSIGNED = 5;

    private static final int[] DEFAULT_SEED = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};

    private DirHash() {
    }

    /**
     * The major hash of {@code name} (low bit clear) for a hash version 0..5. {@code seed} is s_hash_seed; all zeros
     * means the MD4 initial values.
     */
    public static int hash(int version, int[] seed, byte[] name) {
        boolean unsigned = version >= LEGACY_UNSIGNED;
        int h = switch (version) {
            case LEGACY, LEGACY_UNSIGNED -> legacy(name, unsigned);
            case HALF_MD4, HALF_MD4_UNSIGNED -> halfMd4(initialBuffer(seed), name, unsigned);
            case TEA, TEA_UNSIGNED -> tea(initialBuffer(seed), name, unsigned);
            default -> throw new IllegalArgumentException("hash version " + version);
        };
        h &= ~1;
        // The kernel keeps 0xFFFFFFFE free as its end-of-directory cookie (fs/ext4/hash.c); e2fsprogs does not.
        if (h == 0xFFFFFFFE) {
            h = 0xFFFFFFFC;
        }
        return h;
    }

    private static int[] initialBuffer(int[] seed) {
        if (seed != null) {
            for (int s : seed) {
                if (s != 0) {
                    return seed.clone();
                }
            }
        }
        return DEFAULT_SEED.clone();
    }

    private static int legacy(byte[] name, boolean unsigned) {
        int hash0 = 0x12a3fe2d;
        int hash1 = 0x37abe8f9;
        for (byte b : name) {
            int c = unsigned ? b & 0xFF : b;
            int hash = hash1 + (hash0 ^ (c * 7152373));
            if ((hash & 0x80000000) != 0) {
                hash -= 0x7fffffff;
            }
            hash1 = hash0;
            hash0 = hash;
        }
        return hash0 << 1;
    }

    /** Packs up to 4×num bytes of name[off..] into words, padded with the remaining length (str2hashbuf). */
    private static int[] str2hashbuf(byte[] name, int off, int num, boolean unsigned) {
        int len = name.length - off;
        int pad = len | len << 8;
        pad |= pad << 16;
        int[] out = new int[num];
        int o = 0;
        int val = pad;
        int n = Math.min(len, 4 * num);
        for (int i = 0; i < n; i++) {
            int c = unsigned ? name[off + i] & 0xFF : name[off + i];
            val = c + (val << 8);
            if (i % 4 == 3) {
                out[o++] = val;
                val = pad;
            }
        }
        if (o < num) {
            out[o++] = val;
        }
        while (o < num) {
            out[o++] = pad;
        }
        return out;
    }

    private static int halfMd4(int[] buf, byte[] name, boolean unsigned) {
        int off = 0;
        do {
            halfMd4Transform(buf, str2hashbuf(name, off, 8, unsigned));
            off += 32;
        } while (off < name.length);
        return buf[1];
    }

    private static int f(int x, int y, int z) {
        return z ^ (x & (y ^ z));
    }

    private static int g(int x, int y, int z) {
        return (x & y) + ((x ^ y) & z);
    }

    private static int h(int x, int y, int z) {
        return x ^ y ^ z;
    }

    private static final int K2 = 0x5A827999;
    private static final int K3 = 0x6ED9EBA1;

    private static void halfMd4Transform(int[] buf, int[] in) {
        int a = buf[0];
        int b = buf[1];
        int c = buf[2];
        int d = buf[3];
        // Round 1: F, words 0..7, shifts 3, 7, 11, 19
        a = Integer.rotateLeft(a + f(b, c, d) + in[0], 3);
        d = Integer.rotateLeft(d + f(a, b, c) + in[1], 7);
        c = Integer.rotateLeft(c + f(d, a, b) + in[2], 11);
        b = Integer.rotateLeft(b + f(c, d, a) + in[3], 19);
        a = Integer.rotateLeft(a + f(b, c, d) + in[4], 3);
        d = Integer.rotateLeft(d + f(a, b, c) + in[5], 7);
        c = Integer.rotateLeft(c + f(d, a, b) + in[6], 11);
        b = Integer.rotateLeft(b + f(c, d, a) + in[7], 19);
        // Round 2: G, words 1,3,5,7,0,2,4,6, shifts 3, 5, 9, 13
        a = Integer.rotateLeft(a + g(b, c, d) + in[1] + K2, 3);
        d = Integer.rotateLeft(d + g(a, b, c) + in[3] + K2, 5);
        c = Integer.rotateLeft(c + g(d, a, b) + in[5] + K2, 9);
        b = Integer.rotateLeft(b + g(c, d, a) + in[7] + K2, 13);
        a = Integer.rotateLeft(a + g(b, c, d) + in[0] + K2, 3);
        d = Integer.rotateLeft(d + g(a, b, c) + in[2] + K2, 5);
        c = Integer.rotateLeft(c + g(d, a, b) + in[4] + K2, 9);
        b = Integer.rotateLeft(b + g(c, d, a) + in[6] + K2, 13);
        // Round 3: H, words 3,7,2,6,1,5,0,4, shifts 3, 9, 11, 15
        a = Integer.rotateLeft(a + h(b, c, d) + in[3] + K3, 3);
        d = Integer.rotateLeft(d + h(a, b, c) + in[7] + K3, 9);
        c = Integer.rotateLeft(c + h(d, a, b) + in[2] + K3, 11);
        b = Integer.rotateLeft(b + h(c, d, a) + in[6] + K3, 15);
        a = Integer.rotateLeft(a + h(b, c, d) + in[1] + K3, 3);
        d = Integer.rotateLeft(d + h(a, b, c) + in[5] + K3, 9);
        c = Integer.rotateLeft(c + h(d, a, b) + in[0] + K3, 11);
        b = Integer.rotateLeft(b + h(c, d, a) + in[4] + K3, 15);
        buf[0] += a;
        buf[1] += b;
        buf[2] += c;
        buf[3] += d;
    }

    private static int tea(int[] buf, byte[] name, boolean unsigned) {
        int off = 0;
        do {
            teaTransform(buf, str2hashbuf(name, off, 4, unsigned));
            off += 16;
        } while (off < name.length);
        return buf[0];
    }

    private static void teaTransform(int[] buf, int[] in) {
        int sum = 0;
        int b0 = buf[0];
        int b1 = buf[1];
        for (int n = 0; n < 16; n++) {
            sum += 0x9E3779B9;
            b0 += ((b1 << 4) + in[0]) ^ (b1 + sum) ^ ((b1 >>> 5) + in[1]);
            b1 += ((b0 << 4) + in[2]) ^ (b0 + sum) ^ ((b0 >>> 5) + in[3]);
        }
        buf[0] += b0;
        buf[1] += b1;
    }
}
