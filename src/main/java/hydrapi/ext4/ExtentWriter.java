// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import hydrapi.UnsupportedImageException;
import hydrapi.io.LittleEndian;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds minimal extent trees: up to 4 extents in the inode (depth 0), else as many index levels as needed, every
 * node full except the last of its level, as e2fsck wants (ext4-and-fat.md §9: "could be
 * narrower/shorter" otherwise; e2fsck/extents.c e2fsck_should_rebuild_extents).
 */
final class ExtentWriter {

    static final int ROOT_MAX = 4;

    private ExtentWriter() {
    }

    /** Turns allocated runs into extents from {@code firstLogical} on, splitting runs over 32768 blocks. */
    static List<Extent> fromRuns(List<long[]> runs, long firstLogical) {
        List<Extent> out = new ArrayList<>();
        long l = firstLogical;
        for (long[] r : runs) {
            long start = r[0];
            long left = r[1];
            while (left > 0) {
                int len = (int) Math.min(left, Extent.MAX_INIT_LENGTH);
                out.add(new Extent(l, start, len, false));
                l += len;
                start += len;
                left -= len;
            }
        }
        return out;
    }

    /** Appends one block at the end, merging with the last extent when physically contiguous. */
    static List<Extent> append(List<Extent> extents, long logical, long physical) {
        List<Extent> out = new ArrayList<>(extents);
        if (!out.isEmpty()) {
            Extent last = out.get(out.size() - 1);
            if (!last.unwritten() && last.logicalEnd() == logical && last.physicalBlock() + last.length() == physical
                    && last.length() < Extent.MAX_INIT_LENGTH) {
                out.set(out.size() - 1, new Extent(last.logicalBlock(), last.physicalBlock(), last.length() + 1,
                        false));
                return out;
            }
        }
        out.add(new Extent(logical, physical, 1, false));
        return out;
    }

    /**
     * The extents with logical block {@code logical} (which they map) moved to {@code physical}: the extent holding
     * it split around it, and the pieces merged again with their neighbours where they are contiguous.
     */
    static List<Extent> remap(List<Extent> extents, long logical, long physical) {
        List<Extent> split = new ArrayList<>();
        for (Extent e : extents) {
            if (logical < e.logicalBlock() || logical >= e.logicalEnd()) {
                split.add(e);
                continue;
            }
            int before = (int) (logical - e.logicalBlock());
            if (before > 0) {
                split.add(new Extent(e.logicalBlock(), e.physicalBlock(), before, e.unwritten()));
            }
            split.add(new Extent(logical, physical, 1, false));
            int after = e.length() - before - 1;
            if (after > 0) {
                split.add(new Extent(logical + 1, e.physicalBlock() + before + 1, after, e.unwritten()));
            }
        }
        List<Extent> out = new ArrayList<>();
        for (Extent e : split) {
            Extent last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && last.unwritten() == e.unwritten() && last.logicalEnd() == e.logicalBlock()
                    && last.physicalBlock() + last.length() == e.physicalBlock()
                    && last.length() + e.length() <= Extent.MAX_INIT_LENGTH) {
                out.set(out.size() - 1, new Extent(last.logicalBlock(), last.physicalBlock(),
                        last.length() + e.length(), last.unwritten()));
            } else {
                out.add(e);
            }
        }
        return out;
    }

    /**
     * Tree blocks (all levels below the inode) that {@code n} extents need when every node is full except the last
     * of its level: 0 when they fit in the inode. The depth is the smallest that holds them (at most 5, the
     * kernel's EXT4_MAX_EXTENT_DEPTH).
     */
    static int treeBlocksNeeded(int n, int blockSize) throws UnsupportedImageException {
        int total = 0;
        for (int count : levelSizes(n, blockSize)) {
            total += count;
        }
        return total;
    }

    /** Node counts per level, leaves first; empty when the extents fit in i_block. */
    private static List<Integer> levelSizes(int n, int blockSize) throws UnsupportedImageException {
        int perBlock = (blockSize - ExtentTree.HEADER_BYTES) / ExtentTree.ENTRY_BYTES;
        List<Integer> levels = new ArrayList<>();
        int count = n;
        while (count > ROOT_MAX) {
            count = (count + perBlock - 1) / perBlock;
            levels.add(count);
            if (levels.size() > ExtentTree.MAX_DEPTH) {
                throw new UnsupportedImageException("ext4: a file of " + n + " extents would need an extent tree"
                        + " deeper than " + ExtentTree.MAX_DEPTH + "; the filesystem is too fragmented");
            }
        }
        return levels;
    }

    /**
     * Writes the tree into the inode's i_block and the given tree blocks (each with its checksum tail), leaves
     * first, level by level. {@code treeBlocks} has exactly {@link #treeBlocksNeeded} entries.
     */
    static void write(Ext4Volume vol, Inode inode, List<Extent> extents, List<Long> treeBlocks) throws IOException {
        byte[] ib = inode.bytes();
        int root = Inode.I_BLOCK;
        java.util.Arrays.fill(ib, root, root + Inode.I_BLOCK_BYTES, (byte) 0);
        int bs = vol.superblock().blockSize();
        int perBlock = (bs - ExtentTree.HEADER_BYTES) / ExtentTree.ENTRY_BYTES;
        boolean csum = vol.superblock().features().metadataCsum();
        // Current level: {first logical block, leaf-or-child} per entry, as 12-byte records.
        List<byte[]> entries = new ArrayList<>();
        for (Extent x : extents) {
            byte[] e = new byte[ExtentTree.ENTRY_BYTES];
            leaf(e, 0, x);
            entries.add(e);
        }
        int depth = 0;
        int used = 0;
        while (entries.size() > ROOT_MAX) {
            List<byte[]> parents = new ArrayList<>();
            for (int from = 0; from < entries.size(); from += perBlock) {
                List<byte[]> part = entries.subList(from, Math.min(entries.size(), from + perBlock));
                long blockNo = treeBlocks.get(used++);
                byte[] block = new byte[bs];
                header(block, 0, part.size(), perBlock, depth);
                for (int i = 0; i < part.size(); i++) {
                    System.arraycopy(part.get(i), 0, block, ExtentTree.HEADER_BYTES + i * ExtentTree.ENTRY_BYTES,
                            ExtentTree.ENTRY_BYTES);
                }
                if (csum) {
                    LittleEndian.put32(block, ExtentTree.HEADER_BYTES + perBlock * ExtentTree.ENTRY_BYTES,
                            ExtentTree.checksum(vol.inodeSeed(inode), block));
                }
                vol.device().write(blockNo * bs, block);
                // Index entry: ei_block, ei_leaf_lo, ei_leaf_hi, unused.
                byte[] idx = new byte[ExtentTree.ENTRY_BYTES];
                System.arraycopy(part.get(0), 0, idx, 0, 4);
                LittleEndian.put32(idx, 4, blockNo);
                LittleEndian.put16(idx, 8, (int) (blockNo >>> 32));
                parents.add(idx);
            }
            entries = parents;
            depth++;
        }
        if (used != treeBlocks.size()) {
            throw new IllegalStateException("extent tree used " + used + " of " + treeBlocks.size() + " blocks");
        }
        header(ib, root, entries.size(), ROOT_MAX, depth);
        for (int i = 0; i < entries.size(); i++) {
            System.arraycopy(entries.get(i), 0, ib, root + ExtentTree.HEADER_BYTES + i * ExtentTree.ENTRY_BYTES,
                    ExtentTree.ENTRY_BYTES);
        }
    }

    private static void header(byte[] b, int off, int entries, int max, int depth) {
        LittleEndian.put16(b, off, ExtentTree.EH_MAGIC);
        LittleEndian.put16(b, off + 2, entries);
        LittleEndian.put16(b, off + 4, max);
        LittleEndian.put16(b, off + 6, depth);
        LittleEndian.put32(b, off + 8, 0);
    }

    private static void leaf(byte[] b, int off, Extent x) {
        LittleEndian.put32(b, off, x.logicalBlock());
        LittleEndian.put16(b, off + 4, x.length());
        LittleEndian.put16(b, off + 6, (int) (x.physicalBlock() >>> 32));
        LittleEndian.put32(b, off + 8, x.physicalBlock());
    }
}
