// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import hydrapi.io.LittleEndian;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An inode's data and the blocks that map it: content copied into new extents, a minimal extent tree with i_blocks
 * recomputed, a directory grown by one block, the inode itself written with its checksum (e2fsprogs fileio.c,
 * extent.c; ext4-and-fat.md §9).
 */
final class InodeData {

    /** Pieces a file's content is copied in: bounded memory for any file size. */
    private static final int COPY_BYTES = 1 << 20;

    private final Ext4Volume vol;
    private final Allocator alloc;

    InodeData(Ext4Volume vol, Allocator alloc) {
        this.vol = vol;
        this.alloc = alloc;
    }

    /** Copies {@code content} into new blocks near {@code goal}; sets size and extents, writes the inode. */
    void writeContent(Inode ino, FileContent content, long goal) throws IOException {
        int bs = vol.superblock().blockSize();
        long size = content.sizeBytes();
        long nblocks = (size + bs - 1) / bs;
        List<Extent> extents = new ArrayList<>();
        if (nblocks > 0) {
            extents = ExtentWriter.fromRuns(alloc.allocBlocks(nblocks, goal), 0);
            byte[] piece = new byte[(int) Math.min(COPY_BYTES, nblocks * bs)];
            for (Extent e : extents) {
                long from = e.logicalBlock() * bs;
                long end = Math.min(e.logicalEnd() * bs, size);
                for (long at = from; at < end; at += piece.length) {
                    int n = (int) Math.min(piece.length, end - at);
                    content.read(at, piece, 0, n);
                    // The last block of the file is padded with zeros to its end.
                    int padded = (n + bs - 1) / bs * bs;
                    Arrays.fill(piece, n, padded, (byte) 0);
                    vol.device().write((e.physicalBlock() + (at - from) / bs) * bs, piece, 0, padded);
                }
            }
        }
        ino.setSizeBytes(size);
        setExtents(ino, extents);
        writeInode(ino);
    }

    /** Adds one block at the end of a directory; returns its physical number. Writes the inode. */
    long appendBlock(Inode dir) throws IOException {
        int bs = vol.superblock().blockSize();
        ExtentTree t = vol.extentTree(dir);
        List<Extent> ex = t.extents();
        long lblk = dir.sizeBytes() / bs;
        long goal = ex.isEmpty() ? 0 : ex.get(ex.size() - 1).physicalBlock() + ex.get(ex.size() - 1).length();
        long p = alloc.allocBlock(goal);
        alloc.freeTreeBlocks(t);
        Inode d = new Inode(dir.inodeNo(), dir.bytes());
        setExtents(d, ExtentWriter.append(ex, lblk, p));
        d.setSizeBytes(dir.sizeBytes() + bs);
        writeInode(d);
        return p;
    }

    /** Writes a minimal tree for the extents (old tree blocks already freed) and recomputes i_blocks. */
    void setExtents(Inode ino, List<Extent> extents) throws IOException {
        int bs = vol.superblock().blockSize();
        int leaves = ExtentWriter.treeBlocksNeeded(extents.size(), bs);
        List<Long> treeBlocks = new ArrayList<>();
        long goal = extents.isEmpty() ? 0 : extents.get(0).physicalBlock();
        for (int i = 0; i < leaves; i++) {
            treeBlocks.add(alloc.allocBlock(goal));
        }
        ExtentWriter.write(vol, ino, extents, treeBlocks);
        long blocks = leaves + (ino.fileAclBlock() != 0 ? 1 : 0);
        for (Extent e : extents) {
            blocks += e.length();
        }
        byte[] b = ino.bytes();
        LittleEndian.put32(b, Inode.I_BLOCKS_LO, blocks * (bs / 512));
        LittleEndian.put16(b, Inode.L_I_BLOCKS_HI, 0);
        LittleEndian.put32(b, Inode.I_FLAGS, ino.flags() | Inode.EXTENTS_FL);
    }

    /** Writes the inode to its table slot with its checksum updated. */
    void writeInode(Inode ino) throws IOException {
        ino.updateChecksum(vol.csumSeed());
        vol.device().write(vol.inodeOffsetBytes(ino.inodeNo()), ino.bytes());
    }
}
