// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import hydrapi.io.Crc32c;
import hydrapi.io.LittleEndian;

/**
 * One on-disk inode (s_inode_size bytes). Layout: e2fsprogs ext2_fs.h struct ext2_inode_large; checksum rule:
 * csum.c ext2fs_inode_csum (ext4-and-fat.md §8). A mutable view over a copy of its bytes.
 */
public final class Inode {

    static final int I_MODE = 0x00;
    static final int I_UID = 0x02;
    static final int I_SIZE_LO = 0x04;
    static final int I_ATIME = 0x08;
    static final int I_CTIME = 0x0C;
    static final int I_MTIME = 0x10;
    static final int I_DTIME = 0x14;
    static final int I_GID = 0x18;
    static final int I_LINKS_COUNT = 0x1A;
    static final int I_BLOCKS_LO = 0x1C;
    static final int I_FLAGS = 0x20;
    static final int I_BLOCK = 0x28;
    static final int I_BLOCK_BYTES = 60;
    static final int I_GENERATION = 0x64;
    static final int I_FILE_ACL_LO = 0x68;
    static final int I_SIZE_HIGH = 0x6C;
    static final int L_I_BLOCKS_HI = 0x74;
    static final int L_I_FILE_ACL_HIGH = 0x76;
    static final int L_I_UID_HIGH = 0x78;
    static final int L_I_GID_HIGH = 0x7A;
    static final int L_I_CHECKSUM_LO = 0x7C;
    static final int I_EXTRA_ISIZE = 0x80;
    static final int I_CHECKSUM_HI = 0x82;
    static final int I_CTIME_EXTRA = 0x84;
    static final int I_MTIME_EXTRA = 0x88;
    static final int I_ATIME_EXTRA = 0x8C;
    static final int I_CRTIME = 0x90;
    static final int I_CRTIME_EXTRA = 0x94;

    public static final int S_IFMT = 0xF000;
    public static final int S_IFREG = 0x8000;
    public static final int S_IFDIR = 0x4000;
    public static final int S_IFLNK = 0xA000;

    public static final int INDEX_FL = 0x1000;
    public static final int HUGE_FILE_FL = 0x40000;
    public static final int EXTENTS_FL = 0x80000;
    public static final int INLINE_DATA_FL = 0x10000000;

    private final long inodeNo;
    private final byte[] b;

    public Inode(long inodeNo, byte[] bytes) {
        this.inodeNo = inodeNo;
        this.b = bytes;
    }

    public long inodeNo() {
        return inodeNo;
    }

    public byte[] bytes() {
        return b;
    }

    public int mode() {
        return LittleEndian.u16(b, I_MODE);
    }

    public int fileType() {
        return mode() & S_IFMT;
    }

    public boolean isDirectory() {
        return fileType() == S_IFDIR;
    }

    public boolean isRegularFile() {
        return fileType() == S_IFREG;
    }

    public boolean isSymlink() {
        return fileType() == S_IFLNK;
    }

    public int uid() {
        return LittleEndian.u16(b, I_UID) | LittleEndian.u16(b, L_I_UID_HIGH) << 16;
    }

    public int gid() {
        return LittleEndian.u16(b, I_GID) | LittleEndian.u16(b, L_I_GID_HIGH) << 16;
    }

    public long sizeBytes() {
        return LittleEndian.u32(b, I_SIZE_LO) | LittleEndian.u32(b, I_SIZE_HIGH) << 32;
    }

    public void setSizeBytes(long size) {
        LittleEndian.put32(b, I_SIZE_LO, size);
        LittleEndian.put32(b, I_SIZE_HIGH, size >>> 32);
    }

    /** Seconds (low 32 bits) plus extra = nsec << 2 | epoch bits (ext2fs.h __encode_extra_time). */
    static void putTime(byte[] b, int secOff, int extraOff, java.time.Instant t) {
        long s = t.getEpochSecond();
        LittleEndian.put32(b, secOff, s);
        long epoch = ((s - (int) s) >> 32) & 3;
        LittleEndian.put32(b, extraOff, ((long) t.getNano() << 2) | epoch);
    }

    public int linksCount() {
        return LittleEndian.u16(b, I_LINKS_COUNT);
    }

    public int flags() {
        return LittleEndian.s32(b, I_FLAGS);
    }

    public boolean hasFlag(int flag) {
        return (flags() & flag) != 0;
    }

    public long dtime() {
        return LittleEndian.u32(b, I_DTIME);
    }

    public long generation() {
        return LittleEndian.u32(b, I_GENERATION);
    }

    public long fileAclBlock() {
        return LittleEndian.u32(b, I_FILE_ACL_LO) | (long) LittleEndian.u16(b, L_I_FILE_ACL_HIGH) << 32;
    }

    /** i_blocks in 512-byte units (in filesystem blocks with huge_file and HUGE_FILE_FL). */
    public long blocksRaw(boolean hugeFile) {
        long lo = LittleEndian.u32(b, I_BLOCKS_LO);
        return hugeFile ? lo | (long) LittleEndian.u16(b, L_I_BLOCKS_HI) << 32 : lo;
    }

    public int extraIsize() {
        return b.length > 128 ? LittleEndian.u16(b, I_EXTRA_ISIZE) : 0;
    }

    /** i_mtime in seconds, with the epoch bits of i_mtime_extra when present (ext2fs.h __decode_extra_sec). */
    public long mtimeSeconds() {
        long sec = LittleEndian.s32(b, I_MTIME);
        if (extraIsize() >= I_MTIME_EXTRA + 4 - 128) {
            sec += (LittleEndian.u32(b, I_MTIME_EXTRA) & 3L) << 32;
        }
        return sec;
    }

    /** The 60 bytes of i_block: extent root, or a fast symlink's target. */
    public byte[] iBlock() {
        byte[] r = new byte[I_BLOCK_BYTES];
        System.arraycopy(b, I_BLOCK, r, 0, I_BLOCK_BYTES);
        return r;
    }

    private boolean hasChecksumHi() {
        return b.length > 128 && extraIsize() >= I_CHECKSUM_HI + 2 - 128;
    }

    /** crc32c_raw(seed, le32 inum, le32 generation, inode with both checksum fields zeroed). */
    public int checksum(int csumSeed) {
        int crc = Crc32c.updateLe32(csumSeed, inodeNo);
        crc = Crc32c.update(crc, b, I_GENERATION, 4);
        crc = Crc32c.update(crc, b, 0, L_I_CHECKSUM_LO);
        crc = Crc32c.updateZeros(crc, 2);
        if (b.length > 128) {
            crc = Crc32c.update(crc, b, L_I_CHECKSUM_LO + 2, I_CHECKSUM_HI - L_I_CHECKSUM_LO - 2);
            if (hasChecksumHi()) {
                crc = Crc32c.updateZeros(crc, 2);
                crc = Crc32c.update(crc, b, I_CHECKSUM_HI + 2, b.length - I_CHECKSUM_HI - 2);
            } else {
                crc = Crc32c.update(crc, b, I_CHECKSUM_HI, b.length - I_CHECKSUM_HI);
            }
        } else {
            crc = Crc32c.update(crc, b, L_I_CHECKSUM_LO + 2, b.length - L_I_CHECKSUM_LO - 2);
        }
        return crc;
    }

    public long storedChecksum() {
        long lo = LittleEndian.u16(b, L_I_CHECKSUM_LO);
        return hasChecksumHi() ? lo | (long) LittleEndian.u16(b, I_CHECKSUM_HI) << 16 : lo;
    }

    /** Whether the stored checksum matches; an all-zero inode counts as valid, as in csum.c. */
    public boolean verifyChecksum(int csumSeed) {
        long mask = hasChecksumHi() ? 0xFFFFFFFFL : 0xFFFFL;
        if ((checksum(csumSeed) & mask) == storedChecksum()) {
            return true;
        }
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    public void updateChecksum(int csumSeed) {
        int crc = checksum(csumSeed);
        LittleEndian.put16(b, L_I_CHECKSUM_LO, crc);
        if (hasChecksumHi()) {
            LittleEndian.put16(b, I_CHECKSUM_HI, crc >>> 16);
        }
    }
}
