// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import hydrapi.CorruptImageException;
import hydrapi.io.Crc32c;
import hydrapi.io.LittleEndian;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An inode's extent tree, read whole: the leaf extents in logical order and the tree blocks holding them. Layout:
 * e2fsprogs lib/ext2fs/ext3_extents.h (header, index, leaf); block tail checksum: csum.c ext2fs_extent_block_csum
 * (ext4-and-fat.md §9). Any depth is read; every node is checked for magic, counts, order and bounds.
 */
public final class ExtentTree {

    public static final int EH_MAGIC = 0xF30A;
    static final int HEADER_BYTES = 12;
    static final int ENTRY_BYTES = 12;
    /** ext4's deepest tree (kernel EXT4_MAX_EXTENT_DEPTH). */
    static final int MAX_DEPTH = 5;

    private final List<Extent> extents;
    private final List<Long> treeBlocks;

    private ExtentTree(List<Extent> extents, List<Long> treeBlocks) {
        this.extents = Collections.unmodifiableList(extents);
        this.treeBlocks = Collections.unmodifiableList(treeBlocks);
    }

    public List<Extent> extents() {
        return extents;
    }

    /** Index and leaf blocks below the in-inode root, in the order visited. */
    public List<Long> treeBlocks() {
        return treeBlocks;
    }

    /** Physical block for a logical one, or -1 for a hole or an unwritten extent (both read as zeros). */
    public long physicalBlock(long logicalBlock) {
        int lo = 0;
        int hi = extents.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            Extent e = extents.get(mid);
            if (logicalBlock < e.logicalBlock()) {
                hi = mid - 1;
            } else if (logicalBlock >= e.logicalEnd()) {
                lo = mid + 1;
            } else {
                return e.unwritten() ? -1 : e.physicalBlock() + (logicalBlock - e.logicalBlock());
            }
        }
        return -1;
    }

    static ExtentTree read(Ext4Volume vol, Inode inode) throws IOException {
        List<Extent> out = new ArrayList<>();
        List<Long> blocks = new ArrayList<>();
        String where = "ext4: inode " + inode.inodeNo() + " extent tree";
        byte[] root = inode.iBlock();
        int depth = header(root, 0, 4, where + " root");
        walk(vol, inode, root, depth, out, blocks, where, 0, 0xFFFFFFFFL + 1);
        return new ExtentTree(out, blocks);
    }

    /** Validates a node header and returns its depth. */
    private static int header(byte[] node, int off, int capacity, String where) throws CorruptImageException {
        if (LittleEndian.u16(node, off) != EH_MAGIC) {
            throw new CorruptImageException(String.format("%s: bad magic 0x%04x; run e2fsck", where,
                    LittleEndian.u16(node, off)));
        }
        int entries = LittleEndian.u16(node, off + 2);
        int max = LittleEndian.u16(node, off + 4);
        int depth = LittleEndian.u16(node, off + 6);
        if (max > capacity || entries > max || depth > MAX_DEPTH) {
            throw new CorruptImageException(where + ": header entries " + entries + ", max " + max + ", depth "
                    + depth + " do not fit; run e2fsck");
        }
        return depth;
    }

    private static void walk(Ext4Volume vol, Inode inode, byte[] node, int depth, List<Extent> out,
            List<Long> blocks, String where, long lowLogical, long highLogical) throws IOException {
        Superblock sb = vol.superblock();
        int entries = LittleEndian.u16(node, 2);
        long prevEnd = lowLogical;
        for (int i = 0; i < entries; i++) {
            int e = HEADER_BYTES + i * ENTRY_BYTES;
            long first = LittleEndian.u32(node, e);
            if (first < prevEnd || first >= highLogical) {
                throw new CorruptImageException(where + ": entry " + i + " at logical block " + first
                        + " is out of order; run e2fsck");
            }
            if (depth == 0) {
                int len = LittleEndian.u16(node, e + 4);
                boolean unwritten = len > Extent.MAX_INIT_LENGTH;
                if (unwritten) {
                    len -= Extent.MAX_INIT_LENGTH;
                }
                long start = LittleEndian.u32(node, e + 8) | (long) LittleEndian.u16(node, e + 6) << 32;
                if (len == 0 || first + len > highLogical) {
                    throw new CorruptImageException(where + ": extent " + i + " has length " + len + "; run e2fsck");
                }
                vol.checkDataBlocks(start, len, where);
                out.add(new Extent(first, start, len, unwritten));
                prevEnd = first + len;
            } else {
                long child = LittleEndian.u32(node, e + 4) | (long) LittleEndian.u16(node, e + 8) << 32;
                long next = i + 1 < entries ? LittleEndian.u32(node, e + ENTRY_BYTES) : highLogical;
                vol.checkDataBlocks(child, 1, where);
                if (blocks.size() > sb.blocksCount()) {
                    throw new CorruptImageException(where + ": more tree blocks than the filesystem has; run e2fsck");
                }
                byte[] block = vol.readBlock(child);
                String childWhere = where + " block " + child;
                int capacity = (sb.blockSize() - HEADER_BYTES) / ENTRY_BYTES;
                int childDepth = header(block, 0, capacity, childWhere);
                if (childDepth != depth - 1) {
                    throw new CorruptImageException(childWhere + ": depth " + childDepth + " under a node of depth "
                            + depth + "; run e2fsck");
                }
                if (sb.features().metadataCsum()) {
                    verifyChecksum(vol, inode, block, childWhere);
                }
                blocks.add(child);
                walk(vol, inode, block, childDepth, out, blocks, where, first, next);
                prevEnd = first;
            }
        }
    }

    /** crc32c_raw(iseed(inode), node[0 .. 12 + 12 × max)), stored right after. */
    static int checksum(int inodeSeed, byte[] block) {
        int max = LittleEndian.u16(block, 4);
        return Crc32c.update(inodeSeed, block, 0, HEADER_BYTES + ENTRY_BYTES * max);
    }

    private static void verifyChecksum(Ext4Volume vol, Inode inode, byte[] block, String where)
            throws CorruptImageException {
        int tail = HEADER_BYTES + ENTRY_BYTES * LittleEndian.u16(block, 4);
        int stored = LittleEndian.s32(block, tail);
        int computed = checksum(vol.inodeSeed(inode), block);
        if (stored != computed) {
            throw new CorruptImageException(String.format("%s: checksum 0x%08x != computed 0x%08x; run e2fsck",
                    where, stored, computed));
        }
    }
}
