// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import hydrapi.CorruptImageException;
import hydrapi.UnsupportedImageException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A whole directory read from its inode: leaf blocks by logical block number and, for an INDEX_FL directory, its
 * htree index blocks. Every checksum is verified on the way (e2fsprogs dirblock.c, csum.c); lookups scan the
 * leaves, which is valid for linear and htree directories alike (ext4-and-fat.md §17).
 */
final class Directory {

    private final Inode inode;
    private final TreeMap<Long, DirectoryBlock> leaves;
    private final TreeMap<Long, Htree.DxBlock> indexBlocks;
    private final byte[] rootBlock;
    private final int blockCount;

    private Directory(Inode inode, TreeMap<Long, DirectoryBlock> leaves, TreeMap<Long, Htree.DxBlock> indexBlocks,
            byte[] rootBlock, int blockCount) {
        this.inode = inode;
        this.leaves = leaves;
        this.indexBlocks = indexBlocks;
        this.rootBlock = rootBlock;
        this.blockCount = blockCount;
    }

    /** 256 MiB of entries at 4 KiB blocks; the largest directory of a Raspberry Pi OS root is a few hundred KiB. */
    static final long MAX_BLOCKS = 1 << 16;

    /** How messages name a directory. */
    static String where(Inode dir) {
        return "ext4: directory inode " + dir.inodeNo();
    }

    /**
     * The directory's size in bytes, refused unless it holds blocks (inline_data is not supported) and is a positive
     * multiple of the block size no larger than the filesystem: a damaged or hostile inode must not decide reads.
     */
    static long checkedSize(Superblock sb, Inode dir) throws IOException {
        if (dir.hasFlag(Inode.INLINE_DATA_FL)) {
            throw new UnsupportedImageException(where(dir) + " stores its entries inline (inline_data), which is"
                    + " not supported");
        }
        long size = dir.sizeBytes();
        int bs = sb.blockSize();
        if (size % bs != 0 || size <= 0 || size / bs > sb.blocksCount()) {
            throw new CorruptImageException(where(dir) + ": size " + size + " is not a positive multiple of the"
                    + " block size; run e2fsck");
        }
        return size;
    }

    static Directory read(Ext4Volume vol, Inode dir) throws IOException {
        Superblock sb = vol.superblock();
        int bs = sb.blockSize();
        String where = where(dir);
        long size = checkedSize(sb, dir);
        if (size / bs > MAX_BLOCKS) {
            // Read whole into memory: a size from a damaged or hostile inode must not decide how much.
            throw new UnsupportedImageException(where + ": " + size / bs + " blocks is larger than the " + MAX_BLOCKS
                    + " blocks of directory hydrapi reads");
        }
        int n = (int) (size / bs);
        ExtentTree tree = vol.extentTree(dir);
        boolean csum = sb.features().metadataCsum();
        int seed = csum ? vol.inodeSeed(dir) : 0;
        byte[][] blocks = new byte[n][];
        for (int l = 0; l < n; l++) {
            long p = tree.physicalBlock(l);
            if (p < 0) {
                throw new CorruptImageException(where + ": logical block " + l + " is a hole; run e2fsck");
            }
            blocks[l] = vol.readBlock(p);
        }
        TreeMap<Long, Htree.DxBlock> index = new TreeMap<>();
        byte[] root = null;
        if (dir.hasFlag(Inode.INDEX_FL)) {
            root = blocks[0];
            String w = where + " block 0";
            Htree.DxBlock dx = Htree.parseRoot(root, csum,
                    (sb.features().incompat() & Features.INCOMPAT_LARGEDIR) != 0, w);
            if (csum) {
                Htree.verifyChecksum(seed, root, Htree.ROOT_COUNT_OFFSET, w);
            }
            index.put(0L, dx);
            List<Htree.DxBlock> level = List.of(dx);
            for (int depth = 0; depth < Htree.rootIndirectLevels(root); depth++) {
                List<Htree.DxBlock> next = new ArrayList<>();
                for (Htree.DxBlock parent : level) {
                    for (Htree.DxEntry e : parent.entries()) {
                        long l = e.logicalBlock();
                        String wl = where + " block " + l;
                        if (l >= n || index.containsKey(l)) {
                            throw new CorruptImageException(wl + ": htree index points outside the directory or"
                                    + " twice to one block; run e2fsck");
                        }
                        Htree.DxBlock node = Htree.parseNode(blocks[(int) l], csum, wl);
                        if (csum) {
                            Htree.verifyChecksum(seed, blocks[(int) l], Htree.NODE_COUNT_OFFSET, wl);
                        }
                        index.put(l, node);
                        next.add(node);
                    }
                }
                level = next;
            }
        }
        TreeMap<Long, DirectoryBlock> leaves = new TreeMap<>();
        for (int l = 0; l < n; l++) {
            if (index.containsKey((long) l)) {
                continue;
            }
            String w = where + " block " + l;
            DirectoryBlock db = DirectoryBlock.parse(blocks[l], csum, sb.inodesCount(), w);
            if (csum) {
                DirectoryBlock.verifyChecksum(seed, blocks[l], w);
            }
            leaves.put((long) l, db);
        }
        return new Directory(dir, leaves, index, root, n);
    }

    Inode inode() {
        return inode;
    }

    Map<Long, DirectoryBlock> leaves() {
        return Collections.unmodifiableMap(leaves);
    }

    Map<Long, Htree.DxBlock> indexBlocks() {
        return Collections.unmodifiableMap(indexBlocks);
    }

    boolean indexed() {
        return rootBlock != null;
    }

    byte[] rootBlock() {
        return rootBlock;
    }

    int blockCount() {
        return blockCount;
    }

    /** Live entries (inode ≠ 0) in on-disk order; for an htree directory "." and ".." come from the dx_root. */
    List<DirEntry> entries() throws CorruptImageException {
        List<DirEntry> out = new ArrayList<>();
        if (rootBlock != null) {
            out.add(new DirEntry(hydrapi.io.LittleEndian.u32(rootBlock, 0), 12, rootBlock[7] & 0xFF,
                    new byte[] {'.'}, 0));
            out.add(new DirEntry(hydrapi.io.LittleEndian.u32(rootBlock, 12), rootBlock.length - 12,
                    rootBlock[12 + 7] & 0xFF, new byte[] {'.', '.'}, 12));
        }
        for (DirectoryBlock db : leaves.values()) {
            for (DirEntry e : db.entries()) {
                if (e.inodeNo() != 0) {
                    out.add(e);
                }
            }
        }
        return out;
    }

    DirEntry lookup(byte[] name) throws CorruptImageException {
        for (DirEntry e : entries()) {
            if (java.util.Arrays.equals(e.name(), name)) {
                return e;
            }
        }
        return null;
    }
}
