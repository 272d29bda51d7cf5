// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import hydrapi.CorruptImageException;
import java.io.IOException;
import java.util.Arrays;

/**
 * Finds one name in a directory, reading only the blocks it must: in an htree directory the dx_root, the dx_node
 * below it and the one leaf the name's hash points to (kernel fs/ext4/namei.c dx_probe and ext4_dx_find_entry;
 * shared docs ext4-and-fat.md §10.3 step 1), in a linear one the blocks up to the one holding the name. Each block
 * read is checked as {@link Directory#read} checks it. Reading a whole directory per lookup made an overlay into
 * big directories cost (files × directory size) block reads (issue 14).
 */
final class DirectoryLookup {

    private DirectoryLookup() {
    }

    /** The live entry named {@code name} in directory {@code dir}, or null. */
    static DirEntry find(Ext4Volume vol, Inode dir, byte[] name) throws IOException {
        Superblock sb = vol.superblock();
        int bs = sb.blockSize();
        String where = Directory.where(dir);
        long size = Directory.checkedSize(sb, dir);
        boolean dots = name.length >= 1 && name.length <= 2 && name[0] == '.' && (name.length == 1 || name[1] == '.');
        if (dots) {
            // "." and ".." live in block 0, which in an htree directory is the dx_root, not a leaf.
            return Directory.read(vol, dir).lookup(name);
        }
        Blocks blocks = new Blocks(vol, dir, size / bs, where);
        if (!dir.hasFlag(Inode.INDEX_FL)) {
            for (long l = 0; l < blocks.count; l++) {
                DirEntry e = find(blocks.leaf(l), name);
                if (e != null) {
                    return e;
                }
            }
            return null;
        }
        return findIndexed(vol, blocks, name, where);
    }

    private static DirEntry findIndexed(Ext4Volume vol, Blocks blocks, byte[] name, String where)
            throws IOException {
        Superblock sb = vol.superblock();
        boolean csum = sb.features().metadataCsum();
        byte[] root = blocks.read(0);
        Htree.DxBlock rootDx = Htree.parseRoot(root, csum, (sb.features().incompat() & Features.INCOMPAT_LARGEDIR)
                != 0, where + " block 0");
        if (csum) {
            Htree.verifyChecksum(blocks.seed, root, Htree.ROOT_COUNT_OFFSET, where + " block 0");
        }
        int levels = Htree.rootIndirectLevels(root);
        int version = Htree.rootHashVersion(root) + (sb.unsignedDirHash() ? 3 : 0);
        int hash = DirHash.hash(version, sb.hashSeed(), name);
        // One frame per index level: the block and the entry followed (dx_probe's frames).
        Htree.DxBlock[] frames = new Htree.DxBlock[levels + 1];
        int[] at = new int[levels + 1];
        frames[0] = rootDx;
        at[0] = position(rootDx, hash);
        for (int level = 1; level <= levels; level++) {
            frames[level] = node(blocks, frames[level - 1].entries().get(at[level - 1]).logicalBlock(), csum, where);
            at[level] = position(frames[level], hash);
        }
        while (true) {
            DirEntry e = find(blocks.leaf(frames[levels].entries().get(at[levels]).logicalBlock()), name);
            if (e != null) {
                return e;
            }
            // The next leaf can hold the name only if its index entry continues our hash: equal major hash with
            // the collision bit set (kernel ext4_htree_next_block, e2fsprogs link.c dx_split_leaf).
            int p = levels;
            while (++at[p] >= frames[p].entries().size()) {
                if (p == 0) {
                    return null;
                }
                p--;
            }
            if ((frames[p].entries().get(at[p]).hash() & ~1) != hash) {
                return null;
            }
            for (int q = p + 1; q <= levels; q++) {
                frames[q] = node(blocks, frames[q - 1].entries().get(at[q - 1]).logicalBlock(), csum, where);
                at[q] = 0;
            }
        }
    }

    private static Htree.DxBlock node(Blocks blocks, long lblk, boolean csum, String where) throws IOException {
        if (lblk == 0 || lblk >= blocks.count) {
            throw new CorruptImageException(where + ": htree index points to block " + lblk + ", outside the"
                    + " directory; run e2fsck");
        }
        byte[] b = blocks.read(lblk);
        Htree.DxBlock dx = Htree.parseNode(b, csum, where + " block " + lblk);
        if (csum) {
            Htree.verifyChecksum(blocks.seed, b, Htree.NODE_COUNT_OFFSET, where + " block " + lblk);
        }
        return dx;
    }

    /** The last entry whose hash is ≤ ours, unsigned; entry 0 stands for −∞ (dx_probe's binary search). */
    static int position(Htree.DxBlock dx, int hash) {
        int lo = 1;
        int hi = dx.entries().size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Integer.compareUnsigned(dx.entries().get(mid).hash(), hash) <= 0) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return lo - 1;
    }

    private static DirEntry find(DirectoryBlock leaf, byte[] name) {
        for (DirEntry e : leaf.entries()) {
            if (e.inodeNo() != 0 && e.nameLen() == name.length && Arrays.equals(e.name(), name)) {
                return e;
            }
        }
        return null;
    }

    /** A directory's blocks by logical number, read and checked one at a time. */
    private static final class Blocks {
        final Ext4Volume vol;
        final ExtentTree tree;
        final long count;
        final int seed;
        final String where;

        Blocks(Ext4Volume vol, Inode dir, long count, String where) throws IOException {
            this.vol = vol;
            this.tree = vol.extentTree(dir);
            this.count = count;
            this.seed = vol.superblock().features().metadataCsum() ? vol.inodeSeed(dir) : 0;
            this.where = where;
        }

        byte[] read(long lblk) throws IOException {
            long p = tree.physicalBlock(lblk);
            if (p < 0) {
                throw new CorruptImageException(where + ": logical block " + lblk + " is a hole; run e2fsck");
            }
            return vol.readBlock(p);
        }

        DirectoryBlock leaf(long lblk) throws IOException {
            if (lblk >= count) {
                throw new CorruptImageException(where + ": htree index points to block " + lblk + ", outside the"
                        + " directory; run e2fsck");
            }
            boolean csum = vol.superblock().features().metadataCsum();
            String w = where + " block " + lblk;
            byte[] b = read(lblk);
            DirectoryBlock db = DirectoryBlock.parse(b, csum, vol.superblock().inodesCount(), w);
            if (csum) {
                DirectoryBlock.verifyChecksum(seed, b, w);
            }
            return db;
        }
    }
}
