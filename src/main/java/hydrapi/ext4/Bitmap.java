// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import hydrapi.io.Crc32c;

/**
 * One group's block or inode bitmap (one block). Checksum rule: csum.c ext2fs_{block,inode}_bitmap_csum — crc32c
 * over the first bpg/8 or ipg/8 bytes only, not the whole block (ext4-and-fat.md §7). Groups flagged
 * UNINIT are synthesised as the kernel's ext4_init_block_bitmap and e2fsprogs rw_bitmaps.c do (§6.3).
 */
public final class Bitmap {

    private final byte[] bits;

    public Bitmap(byte[] blockBytes) {
        this.bits = blockBytes;
    }

    public boolean get(long bit) {
        return (bits[(int) (bit >>> 3)] & (1 << (bit & 7))) != 0;
    }

    public void set(long bit, boolean value) {
        int i = (int) (bit >>> 3);
        if (value) {
            bits[i] |= (byte) (1 << (bit & 7));
        } else {
            bits[i] &= (byte) ~(1 << (bit & 7));
        }
    }

    /** Zero bits in [0, count). */
    public long countClear(long count) {
        long used = 0;
        int whole = (int) (count >>> 3);
        for (int i = 0; i < whole; i++) {
            used += Integer.bitCount(bits[i] & 0xFF);
        }
        for (long bit = (long) whole << 3; bit < count; bit++) {
            if (get(bit)) {
                used++;
            }
        }
        return count - used;
    }

    /** First set bit in [from, to), or -1. */
    public long firstSet(long from, long to) {
        for (long bit = from; bit < to; bit++) {
            if (get(bit)) {
                return bit;
            }
        }
        return -1;
    }

    /** First clear bit in [from, to), or -1. Full bytes are skipped whole: allocation scans long used stretches. */
    public long firstClear(long from, long to) {
        long bit = from;
        while (bit < to) {
            if ((bit & 7) == 0 && to - bit >= 8 && bits[(int) (bit >>> 3)] == (byte) 0xFF) {
                bit += 8;
            } else if (!get(bit)) {
                return bit;
            } else {
                bit++;
            }
        }
        return -1;
    }

    public int checksum(int csumSeed, int lengthBytes) {
        return Crc32c.update(csumSeed, bits, 0, lengthBytes);
    }

    public byte[] bytes() {
        return bits;
    }

    /** The inode bitmap of an INODE_UNINIT group: ipg clear bits, then padding bits set up to the block's end. */
    public static Bitmap uninitInodes(int blockSize, long inodesPerGroup) {
        Bitmap bm = new Bitmap(new byte[blockSize]);
        for (long bit = inodesPerGroup; bit < 8L * blockSize; bit++) {
            bm.set(bit, true);
        }
        return bm;
    }

    /**
     * The block bitmap of a BLOCK_UNINIT group: superblock backup, GDT and reserved GDT blocks if the group has a
     * backup, the group's own bitmaps and inode table where they fall inside it, and padding past the last block.
     */
    public static Bitmap uninitBlocks(Superblock sb, GroupDescriptor gd) {
        int bs = sb.blockSize();
        long g = gd.group();
        Bitmap bm = new Bitmap(new byte[bs]);
        long start = sb.firstDataBlock() + g * sb.blocksPerGroup();
        long inGroup = sb.blocksInGroup(g);
        if (sb.groupHasSuper(g)) {
            long meta = 1 + sb.gdtBlocks() + sb.reservedGdtBlocks();
            for (long k = 0; k < meta && k < inGroup; k++) {
                bm.set(k, true);
            }
        }
        long itableBlocks = (sb.inodesPerGroup() * sb.inodeSize() + bs - 1) / bs;
        markInside(bm, start, inGroup, gd.blockBitmapBlock(), 1);
        markInside(bm, start, inGroup, gd.inodeBitmapBlock(), 1);
        markInside(bm, start, inGroup, gd.inodeTableBlock(), itableBlocks);
        for (long bit = inGroup; bit < 8L * bs; bit++) {
            bm.set(bit, true);
        }
        return bm;
    }

    private static void markInside(Bitmap bm, long start, long inGroup, long blockNo, long count) {
        for (long b = blockNo; b < blockNo + count; b++) {
            if (b >= start && b < start + inGroup) {
                bm.set(b - start, true);
            }
        }
    }
}
