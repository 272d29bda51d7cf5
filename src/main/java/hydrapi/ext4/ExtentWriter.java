// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import hydrapi.UnsupportedImageException;
import hydrapi.io.LittleEndian;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds minimal extent trees: up to 4 extents in the inode (depth 0), else one index level with full leaves
 * except the last (depth 1), as e2fsck wants (shared docs ext4-and-fat.md §9: "could be narrower/shorter" otherwise).
 * Depth 2 is refused.
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

    /** Leaf blocks a tree of {@code n} extents needs (0 when they fit in the inode). */
    static int leafBlocksNeeded(int n, int blockSize) throws UnsupportedImageException {
        if (n <= ROOT_MAX) {
            return 0;
        }
        int perLeaf = (blockSize - ExtentTree.HEADER_BYTES) / ExtentTree.ENTRY_BYTES;
        int leaves = (n + perLeaf - 1) / perLeaf;
        if (leaves > ROOT_MAX) {
            throw new UnsupportedImageException("ext4: a file of " + n + " extents would need an extent tree of depth"
                    + " 2, which is not supported");
        }
        return leaves;
    }

    /**
     * Writes the tree into the inode's i_block and the given leaf blocks (with their checksum tails).
     * {@code leafBlocks} has exactly {@link #leafBlocksNeeded} entries.
     */
    static void write(Ext4Volume vol, Inode inode, List<Extent> extents, List<Long> leafBlocks) throws IOException {
        byte[] ib = inode.bytes();
        int root = Inode.I_BLOCK;
        java.util.Arrays.fill(ib, root, root + Inode.I_BLOCK_BYTES, (byte) 0);
        int bs = vol.superblock().blockSize();
        if (leafBlocks.isEmpty()) {
            header(ib, root, extents.size(), ROOT_MAX, 0);
            for (int i = 0; i < extents.size(); i++) {
                leaf(ib, root + ExtentTree.HEADER_BYTES + i * ExtentTree.ENTRY_BYTES, extents.get(i));
            }
            return;
        }
        int perLeaf = (bs - ExtentTree.HEADER_BYTES) / ExtentTree.ENTRY_BYTES;
        header(ib, root, leafBlocks.size(), ROOT_MAX, 1);
        for (int k = 0; k < leafBlocks.size(); k++) {
            List<Extent> part = extents.subList(k * perLeaf, Math.min(extents.size(), (k + 1) * perLeaf));
            byte[] block = new byte[bs];
            header(block, 0, part.size(), perLeaf, 0);
            for (int i = 0; i < part.size(); i++) {
                leaf(block, ExtentTree.HEADER_BYTES + i * ExtentTree.ENTRY_BYTES, part.get(i));
            }
            if (vol.superblock().features().metadataCsum()) {
                LittleEndian.put32(block, ExtentTree.HEADER_BYTES + perLeaf * ExtentTree.ENTRY_BYTES,
                        ExtentTree.checksum(vol.inodeSeed(inode), block));
            }
            vol.device().write(leafBlocks.get(k) * bs, block);
            // Index entry: ei_block, ei_leaf_lo, ei_leaf_hi, unused.
            int e = root + ExtentTree.HEADER_BYTES + k * ExtentTree.ENTRY_BYTES;
            LittleEndian.put32(ib, e, part.get(0).logicalBlock());
            LittleEndian.put32(ib, e + 4, leafBlocks.get(k));
            LittleEndian.put16(ib, e + 8, (int) (leafBlocks.get(k) >>> 32));
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
