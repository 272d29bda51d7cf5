// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import hydrapi.CorruptImageException;
import java.io.IOException;

/**
 * Writes a directory's blocks where they cost least: a block outside the writer's preferred ranges moves into them
 * when they have a free block. The new place gets the bytes, the extent tree maps the logical block there, the old
 * block is freed. Directory checksums depend on the inode, not on where a block lies, so the bytes are written as
 * given. Changing one entry of a directory whose block lies in an otherwise untouched compressed block of the base
 * then costs no recompression of that block (issue 14); the filesystem is as valid either way (e2fsck does not ask
 * directories to be contiguous).
 */
final class DirectoryMover {

    /**
     * Most extents a directory may reach by blocks moving (one extent-tree leaf block at 4 KiB); past it, blocks
     * are written where they are.
     */
    static final int MAX_MOVED_EXTENTS = 340;

    private final Ext4Writer w;
    private final Ext4Volume vol;

    DirectoryMover(Ext4Writer writer) {
        this.w = writer;
        this.vol = writer.volume();
    }

    /** Writes logical block {@code lblk} of directory {@code dirNo}: a leaf or an htree index block, checksum set. */
    void write(long dirNo, long lblk, byte[] block) throws IOException {
        int bs = vol.superblock().blockSize();
        Inode dir = vol.inode(dirNo);
        ExtentTree tree = vol.extentTree(dir);
        long p = tree.physicalBlock(lblk);
        if (p < 0) {
            throw new CorruptImageException("ext4: directory inode " + dirNo + " logical block " + lblk
                    + " is a hole; run e2fsck");
        }
        Allocator alloc = w.allocator();
        long q = -1;
        if (tree.extents().size() + 2 <= MAX_MOVED_EXTENTS && !alloc.isPreferred(p)) {
            q = alloc.allocPreferredBlock();
        }
        if (q < 0) {
            vol.device().write(p * bs, block);
            return;
        }
        vol.device().write(q * bs, block);
        alloc.freeTreeBlocks(tree);
        Inode moved = new Inode(dir.inodeNo(), dir.bytes());
        w.setExtents(moved, ExtentWriter.remap(tree.extents(), lblk, q));
        w.writeInode(moved);
        alloc.freeBlocks(p, 1);
    }
}
