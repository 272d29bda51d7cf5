// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import hydrapi.io.LittleEndian;
import java.time.Instant;
import java.util.Arrays;

/**
 * The inode fields the writer sets, each in one place: mode and owner, a new inode's defaults, a fast symlink's
 * target, a released inode's state (ext4-and-fat.md §8; e2fsprogs mkdir.c, symlink.c, debugfs kill_file).
 */
final class InodeFields {

    private InodeFields() {
    }

    /** Sets the fields every new or replaced inode gets; a new ({@code fresh}) inode starts from zeros. */
    static void init(Inode ino, Superblock sb, int mode, int uid, int gid, Instant t, int links, boolean fresh) {
        byte[] b = ino.bytes();
        LittleEndian.put16(b, Inode.I_MODE, mode);
        setOwner(b, uid, gid);
        LittleEndian.put16(b, Inode.I_LINKS_COUNT, links);
        Inode.putTime(b, Inode.I_MTIME, Inode.I_MTIME_EXTRA, t);
        Inode.putTime(b, Inode.I_CTIME, Inode.I_CTIME_EXTRA, t);
        if (fresh) {
            int want = LittleEndian.u16(sb.bytes(), 0x15E);
            int extra = want >= 32 && want <= b.length - 128 ? want : 32;
            LittleEndian.put16(b, Inode.I_EXTRA_ISIZE, extra);
            Inode.putTime(b, Inode.I_ATIME, Inode.I_ATIME_EXTRA, t);
            Inode.putTime(b, Inode.I_CRTIME, Inode.I_CRTIME_EXTRA, t);
        }
    }

    /** Sets uid and gid, low and high 16 bits. */
    static void setOwner(byte[] b, int uid, int gid) {
        LittleEndian.put16(b, Inode.I_UID, uid);
        LittleEndian.put16(b, Inode.L_I_UID_HIGH, uid >>> 16);
        LittleEndian.put16(b, Inode.I_GID, gid);
        LittleEndian.put16(b, Inode.L_I_GID_HIGH, gid >>> 16);
    }

    /**
     * Stores a target under 60 bytes in i_block itself: no EXTENTS_FL, i_blocks only an xattr block's
     * (lib/ext2fs/symlink.c).
     */
    static void setFastSymlink(Inode ino, byte[] target, int blockSize) {
        byte[] b = ino.bytes();
        Arrays.fill(b, Inode.I_BLOCK, Inode.I_BLOCK + Inode.I_BLOCK_BYTES, (byte) 0);
        System.arraycopy(target, 0, b, Inode.I_BLOCK, target.length);
        LittleEndian.put32(b, Inode.I_FLAGS, ino.flags() & ~Inode.EXTENTS_FL);
        LittleEndian.put32(b, Inode.I_BLOCKS_LO, (ino.fileAclBlock() != 0 ? 1 : 0) * (blockSize / 512));
        ino.setSizeBytes(target.length);
    }

    /** Clears a fast symlink's target out of i_block. */
    static void clearBlockMap(Inode ino) {
        Arrays.fill(ino.bytes(), Inode.I_BLOCK, Inode.I_BLOCK + Inode.I_BLOCK_BYTES, (byte) 0);
    }

    /**
     * Leaves a freed inode as the kernel's ext4_evict_inode does: no links, i_dtime set, size 0, no htree flag.
     * A dtime below s_inodes_count reads as an orphan-list link to e2fsck (pass1.c PR_1_LOW_DTIME), so it is at
     * least that.
     */
    static void release(Inode ino, Superblock sb, Instant now) {
        byte[] b = ino.bytes();
        LittleEndian.put16(b, Inode.I_LINKS_COUNT, 0);
        long dtime = Math.max(now.getEpochSecond(), sb.inodesCount());
        LittleEndian.put32(b, Inode.I_DTIME, dtime);
        ino.setSizeBytes(0);
        LittleEndian.put32(b, Inode.I_FLAGS, ino.flags() & ~Inode.INDEX_FL);
    }
}
