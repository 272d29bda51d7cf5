// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import hydrapi.io.Crc16;
import hydrapi.io.Crc32c;
import hydrapi.io.LittleEndian;

/**
 * One ext4 group descriptor (32 bytes, or s_desc_size with 64bit), a view into its table's bytes. Layout: kernel
 * docs "Block Group Descriptors", e2fsprogs ext2_fs.h struct ext4_group_desc; lo/hi joined here as blknum.c does;
 * checksum rule: csum.c ext2fs_group_desc_csum (ext4-and-fat.md §6).
 */
public final class GroupDescriptor {

    static final int BG_BLOCK_BITMAP_LO = 0x00;
    static final int BG_INODE_BITMAP_LO = 0x04;
    static final int BG_INODE_TABLE_LO = 0x08;
    static final int BG_FREE_BLOCKS_COUNT_LO = 0x0C;
    static final int BG_FREE_INODES_COUNT_LO = 0x0E;
    static final int BG_USED_DIRS_COUNT_LO = 0x10;
    static final int BG_FLAGS = 0x12;
    static final int BG_BLOCK_BITMAP_CSUM_LO = 0x18;
    static final int BG_INODE_BITMAP_CSUM_LO = 0x1A;
    static final int BG_ITABLE_UNUSED_LO = 0x1C;
    static final int BG_CHECKSUM = 0x1E;
    static final int BG_BLOCK_BITMAP_HI = 0x20;
    static final int BG_INODE_BITMAP_HI = 0x24;
    static final int BG_INODE_TABLE_HI = 0x28;
    static final int BG_FREE_BLOCKS_COUNT_HI = 0x2C;
    static final int BG_FREE_INODES_COUNT_HI = 0x2E;
    static final int BG_USED_DIRS_COUNT_HI = 0x30;
    static final int BG_ITABLE_UNUSED_HI = 0x32;
    static final int BG_BLOCK_BITMAP_CSUM_HI = 0x38;
    static final int BG_INODE_BITMAP_CSUM_HI = 0x3A;

    public static final int INODE_UNINIT = 0x1;
    public static final int BLOCK_UNINIT = 0x2;
    public static final int ITABLE_ZEROED = 0x4;

    private final byte[] t;
    private final int off;
    private final int size;
    private final int group;

    GroupDescriptor(byte[] table, int offsetBytes, int sizeBytes, int group) {
        this.t = table;
        this.off = offsetBytes;
        this.size = sizeBytes;
        this.group = group;
    }

    public int group() {
        return group;
    }

    private boolean wide() {
        return size >= 64;
    }

    private long lohi32(int lo, int hi) {
        long v = LittleEndian.u32(t, off + lo);
        return wide() ? v | LittleEndian.u32(t, off + hi) << 32 : v;
    }

    private long lohi16(int lo, int hi) {
        long v = LittleEndian.u16(t, off + lo);
        return wide() ? v | (long) LittleEndian.u16(t, off + hi) << 16 : v;
    }

    private void setLohi16(int lo, int hi, long v) {
        LittleEndian.put16(t, off + lo, (int) v);
        if (wide()) {
            LittleEndian.put16(t, off + hi, (int) (v >>> 16));
        }
    }

    public long blockBitmapBlock() {
        return lohi32(BG_BLOCK_BITMAP_LO, BG_BLOCK_BITMAP_HI);
    }

    public long inodeBitmapBlock() {
        return lohi32(BG_INODE_BITMAP_LO, BG_INODE_BITMAP_HI);
    }

    public long inodeTableBlock() {
        return lohi32(BG_INODE_TABLE_LO, BG_INODE_TABLE_HI);
    }

    public long freeBlocksCount() {
        return lohi16(BG_FREE_BLOCKS_COUNT_LO, BG_FREE_BLOCKS_COUNT_HI);
    }

    public void setFreeBlocksCount(long v) {
        setLohi16(BG_FREE_BLOCKS_COUNT_LO, BG_FREE_BLOCKS_COUNT_HI, v);
    }

    public long freeInodesCount() {
        return lohi16(BG_FREE_INODES_COUNT_LO, BG_FREE_INODES_COUNT_HI);
    }

    public void setFreeInodesCount(long v) {
        setLohi16(BG_FREE_INODES_COUNT_LO, BG_FREE_INODES_COUNT_HI, v);
    }

    public long usedDirsCount() {
        return lohi16(BG_USED_DIRS_COUNT_LO, BG_USED_DIRS_COUNT_HI);
    }

    public void setUsedDirsCount(long v) {
        setLohi16(BG_USED_DIRS_COUNT_LO, BG_USED_DIRS_COUNT_HI, v);
    }

    public long itableUnused() {
        return lohi16(BG_ITABLE_UNUSED_LO, BG_ITABLE_UNUSED_HI);
    }

    public void setItableUnused(long v) {
        setLohi16(BG_ITABLE_UNUSED_LO, BG_ITABLE_UNUSED_HI, v);
    }

    public int flags() {
        return LittleEndian.u16(t, off + BG_FLAGS);
    }

    public void setFlags(int flags) {
        LittleEndian.put16(t, off + BG_FLAGS, flags);
    }

    public boolean hasFlag(int flag) {
        return (flags() & flag) != 0;
    }

    /** Stored block bitmap checksum: 16 bits, or 32 with 64-byte descriptors. */
    public long blockBitmapChecksum() {
        return lohi16(BG_BLOCK_BITMAP_CSUM_LO, BG_BLOCK_BITMAP_CSUM_HI);
    }

    public void setBlockBitmapChecksum(int crc) {
        setLohi16(BG_BLOCK_BITMAP_CSUM_LO, BG_BLOCK_BITMAP_CSUM_HI, crc & 0xFFFFFFFFL);
    }

    public long inodeBitmapChecksum() {
        return lohi16(BG_INODE_BITMAP_CSUM_LO, BG_INODE_BITMAP_CSUM_HI);
    }

    public void setInodeBitmapChecksum(int crc) {
        setLohi16(BG_INODE_BITMAP_CSUM_LO, BG_INODE_BITMAP_CSUM_HI, crc & 0xFFFFFFFFL);
    }

    /** Masks a full crc32c to what this descriptor stores of a bitmap checksum. */
    public long bitmapChecksumMask() {
        return wide() ? 0xFFFFFFFFL : 0xFFFFL;
    }

    public int storedChecksum() {
        return LittleEndian.u16(t, off + BG_CHECKSUM);
    }

    /**
     * bg_checksum: metadata_csum: crc32c_raw(seed, le32 group, descriptor with bg_checksum zeroed) & 0xFFFF;
     * gdt_csum: crc16(0xFFFF, uuid, le32 group, desc[0..0x1E), desc[0x20..size)).
     */
    public int checksum(Features features, int csumSeed, byte[] uuid) {
        if (features.metadataCsum()) {
            int crc = Crc32c.updateLe32(csumSeed, group);
            crc = Crc32c.update(crc, t, off, BG_CHECKSUM);
            crc = Crc32c.updateZeros(crc, 2);
            crc = Crc32c.update(crc, t, off + BG_CHECKSUM + 2, size - BG_CHECKSUM - 2);
            return crc & 0xFFFF;
        }
        int crc = Crc16.update(0xFFFF, uuid);
        crc = Crc16.updateLe32(crc, group);
        crc = Crc16.update(crc, t, off, BG_CHECKSUM);
        if (size > BG_CHECKSUM + 2) {
            crc = Crc16.update(crc, t, off + BG_CHECKSUM + 2, size - BG_CHECKSUM - 2);
        }
        return crc;
    }

    public void updateChecksum(Features features, int csumSeed, byte[] uuid) {
        LittleEndian.put16(t, off + BG_CHECKSUM, checksum(features, csumSeed, uuid));
    }
}
