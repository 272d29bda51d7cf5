// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import hydrapi.CorruptImageException;
import hydrapi.UnsupportedImageException;
import hydrapi.ext4.DirectoryBlock.Named;
import hydrapi.io.LittleEndian;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Adds one entry to a directory: into a linear leaf with room, else a new block appended (linear directories), or
 * through the htree to its leaf, splitting the leaf when full (e2fsprogs link.c, kernel namei.c add_dirent_to_buf;
 * ext4-and-fat.md §10). A full dx_node is split, a full one-level dx_root grows a second level; a
 * full two-level tree is refused (a third level needs large_dir).
 */
final class DirectoryWriter {

    private final Ext4Writer w;
    private final Ext4Volume vol;
    private final int bs;
    private final boolean csum;

    DirectoryWriter(Ext4Writer writer) {
        this.w = writer;
        this.vol = writer.volume();
        this.bs = vol.superblock().blockSize();
        this.csum = vol.superblock().features().metadataCsum();
    }

    /** Links {@code name} → {@code inodeNo} into directory {@code dirNo}; returns nothing, writes all it changes. */
    void link(long dirNo, byte[] name, long inodeNo, int fileType) throws IOException {
        Inode dir = vol.inode(dirNo);
        if (dir.hasFlag(Inode.INDEX_FL)) {
            linkIndexed(dir, name, inodeNo, fileType);
        } else {
            linkLinear(dir, name, inodeNo, fileType);
        }
        vol.lookupChanged(dirNo, name, inodeNo);
    }

    /**
     * Removes the live entry {@code name} from directory {@code dirNo} and returns it, or null when there is none.
     * Like the kernel's ext4_generic_delete_entry: the previous entry in the block absorbs the rec_len, and a
     * block's first entry only gets inode 0. Works for linear blocks and htree leaves alike (the index keeps its
     * hash ranges; an empty leaf stays in place, as in the kernel).
     */
    DirEntry unlink(long dirNo, byte[] name) throws IOException {
        Inode dir = vol.inode(dirNo);
        Directory d = Directory.read(vol, dir);
        for (Map.Entry<Long, DirectoryBlock> leaf : d.leaves().entrySet()) {
            DirEntry prev = null;
            for (DirEntry e : leaf.getValue().entries()) {
                if (e.inodeNo() != 0 && Arrays.equals(e.name(), name) && !e.isDot() && !e.isDotDot()) {
                    byte[] block = leaf.getValue().bytes().clone();
                    DirectoryBlock.remove(block, prev, e);
                    writeLeaf(dir, leaf.getKey(), block);
                    vol.lookupChanged(dirNo, name, 0);
                    return e;
                }
                prev = e;
            }
        }
        return null;
    }

    private void linkLinear(Inode dir, byte[] name, long inodeNo, int fileType) throws IOException {
        ExtentTree tree = vol.extentTree(dir);
        long n = dir.sizeBytes() / bs;
        for (long l = 0; l < n; l++) {
            byte[] block = vol.readBlock(tree.physicalBlock(l));
            if (DirectoryBlock.insert(block, bs, csum, name, inodeNo, fileType)) {
                writeLeaf(dir, l, block);
                return;
            }
        }
        if (n >= 2 && (vol.superblock().features().compat() & Features.COMPAT_DIR_INDEX) != 0) {
            // A third block would make e2fsck -fD/-fy index the directory anyway (pass1.c dirs_to_hash,
            // ext4-and-fat.md §10.1): index it now, as the kernel's make_indexed_dir does for one full block.
            index(dir, tree, n, name, inodeNo, fileType);
            return;
        }
        w.appendBlock(dir);
        byte[] block = DirectoryBlock.emptyLeaf(bs, csum);
        DirectoryBlock.insert(block, bs, csum, name, inodeNo, fileType);
        writeLeaf(dir, n, block);
    }

    /** Sets a leaf's checksum (metadata_csum) and writes it as logical block {@code lblk} of the directory. */
    private void writeLeaf(Inode dir, long lblk, byte[] block) throws IOException {
        if (csum) {
            LittleEndian.put32(block, bs - 4, DirectoryBlock.checksum(vol.inodeSeed(dir), block));
        }
        w.writeDirectoryBlock(dir.inodeNo(), lblk, block);
    }

    /** Rewrites a linear directory of n blocks as a one-level htree: dx_root in block 0, leaves in hash order. */
    private void index(Inode dir, ExtentTree tree, long n, byte[] name, long inodeNo, int fileType)
            throws IOException {
        Superblock sb = vol.superblock();
        String where = "ext4: directory inode " + dir.inodeNo();
        int hashVersion = sb.defHashVersion();
        if (hashVersion > DirHash.TEA) {
            throw new UnsupportedImageException(where + ": default hash version " + hashVersion + " is unknown");
        }
        int version = hashVersion + (sb.unsignedDirHash() ? 3 : 0);
        long self = -1;
        long parent = -1;
        List<Named> all = new ArrayList<>();
        for (long l = 0; l < n; l++) {
            for (DirEntry e : DirectoryBlock.parse(vol.readBlock(tree.physicalBlock(l)), csum, sb.inodesCount(),
                    where + " block " + l).entries()) {
                if (e.inodeNo() == 0) {
                    continue;
                }
                if (l == 0 && e.isDot()) {
                    self = e.inodeNo();
                } else if (l == 0 && e.isDotDot()) {
                    parent = e.inodeNo();
                } else {
                    all.add(new Named(e.name(), e.inodeNo(), e.fileType(), DirHash.hash(version, sb.hashSeed(),
                            e.name())));
                }
            }
        }
        if (self != dir.inodeNo() || parent < 0) {
            throw new CorruptImageException(where + " does not start with '.' and '..'; run e2fsck");
        }
        all.add(new Named(name, inodeNo, fileType, DirHash.hash(version, sb.hashSeed(), name)));
        all.sort(Comparator.comparing((Named x) -> Integer.toUnsignedLong(x.hash())));
        int capacity = csum ? bs - DirectoryBlock.TAIL_BYTES : bs;
        int limit = Htree.expectedLimit(bs, Htree.ROOT_COUNT_OFFSET, csum);
        List<Integer> cuts = null;
        for (int leaves = (int) n; leaves <= Math.min(all.size(), limit) && cuts == null; leaves++) {
            cuts = cuts(all, leaves, capacity);
        }
        if (cuts == null) {
            throw new UnsupportedImageException(where + ": entries do not fit a one-level htree; not supported");
        }
        int leaves = cuts.size() - 1;
        for (long have = n; have < 1 + leaves; have++) {
            w.appendBlock(vol.inode(dir.inodeNo()));
        }
        Inode d = vol.inode(dir.inodeNo());
        LittleEndian.put32(d.bytes(), Inode.I_FLAGS, d.flags() | Inode.INDEX_FL);
        w.writeInode(d);
        ExtentTree grown = vol.extentTree(d);
        byte[] root = Htree.newRoot(bs, self, parent, hashVersion, limit, leaves);
        for (int k = 0; k < leaves; k++) {
            List<Named> part = all.subList(cuts.get(k), cuts.get(k + 1));
            int at = Htree.ROOT_COUNT_OFFSET + k * Htree.ENTRY_BYTES;
            if (k > 0) {
                int h = part.get(0).hash();
                boolean continued = h == all.get(cuts.get(k) - 1).hash();
                LittleEndian.put32(root, at, (h | (continued ? 1 : 0)) & 0xFFFFFFFFL);
            }
            LittleEndian.put32(root, at + 4, k + 1);
            writeLeaf(d, k + 1, DirectoryBlock.pack(part, bs, csum));
        }
        if (csum) {
            Htree.setChecksum(root, Htree.ROOT_COUNT_OFFSET, limit, vol.inodeSeed(d));
        }
        w.writeDirectoryBlock(d.inodeNo(), 0, root);
    }

    /** Split points giving {@code leaves} non-empty leaves of about equal bytes, or null if one overflows. */
    private static List<Integer> cuts(List<Named> all, int leaves, int capacity) {
        int total = all.stream().mapToInt(Named::size).sum();
        List<Integer> cuts = new ArrayList<>(List.of(0));
        int i = 0;
        long cum = 0;
        for (int k = 1; k < leaves; k++) {
            long goal = (long) total * k / leaves;
            int start = i;
            while (i < all.size() - (leaves - k) && (i == start || cum + all.get(i).size() <= goal)) {
                cum += all.get(i).size();
                i++;
            }
            cuts.add(i);
        }
        cuts.add(all.size());
        for (int k = 0; k < leaves; k++) {
            int bytes = 0;
            for (Named x : all.subList(cuts.get(k), cuts.get(k + 1))) {
                bytes += x.size();
            }
            if (bytes > capacity || cuts.get(k).equals(cuts.get(k + 1))) {
                return null;
            }
        }
        return cuts;
    }

    // ---- htree ----------------------------------------------------------------------------------------------

    private void linkIndexed(Inode dir, byte[] name, long inodeNo, int fileType) throws IOException {
        Superblock sb = vol.superblock();
        ExtentTree tree = vol.extentTree(dir);
        byte[] root = vol.readBlock(tree.physicalBlock(0));
        String where = "ext4: directory inode " + dir.inodeNo();
        Htree.DxBlock rootDx = Htree.parseRoot(root, csum, false, where + " block 0");
        int version = Htree.rootHashVersion(root) + (sb.unsignedDirHash() ? 3 : 0);
        int hash = DirHash.hash(version, sb.hashSeed(), name);
        // Descend: at each level the last entry whose hash ≤ ours (entry 0 stands for −∞).
        long indexLblk = 0;
        byte[] indexBlock = root;
        Htree.DxBlock dx = rootDx;
        int pos = Htree.position(dx, hash);
        if (Htree.rootIndirectLevels(root) == 1) {
            indexLblk = dx.entries().get(pos).logicalBlock();
            indexBlock = vol.readBlock(tree.physicalBlock(indexLblk));
            dx = Htree.parseNode(indexBlock, csum, where + " block " + indexLblk);
            pos = Htree.position(dx, hash);
        } else if (Htree.rootIndirectLevels(root) > 1) {
            throw new UnsupportedImageException(where + " has a 3-level htree (large_dir), which is not supported");
        }
        long leafLblk = dx.entries().get(pos).logicalBlock();
        long leafPhys = tree.physicalBlock(leafLblk);
        if (leafPhys < 0) {
            throw new CorruptImageException(where + ": htree leaf " + leafLblk + " is a hole; run e2fsck");
        }
        byte[] leaf = vol.readBlock(leafPhys);
        if (DirectoryBlock.insert(leaf, bs, csum, name, inodeNo, fileType)) {
            writeLeaf(dir, leafLblk, leaf);
            return;
        }
        if (dx.entries().size() >= dx.limit()) {
            if (indexLblk != 0 && rootDx.entries().size() < rootDx.limit()) {
                splitNode(dir, root, rootDx, Htree.position(rootDx, hash), indexLblk, dx);
                link(dir.inodeNo(), name, inodeNo, fileType);
                return;
            }
            if (indexLblk == 0) {
                addLevel(dir, root, rootDx);
                link(dir.inodeNo(), name, inodeNo, fileType);
                return;
            }
            throw new UnsupportedImageException(where + ": htree is full at two levels; a third level needs"
                    + " large_dir, which is not supported");
        }
        split(dir, version, leaf, leafLblk, indexLblk, indexBlock, dx, pos, name, inodeNo, fileType);
    }

    /**
     * Moves the upper half of a full dx_node into a new node appended to the directory and indexes it from the
     * root (link.c dx_split_node behaviour, one level deep).
     */
    private void splitNode(Inode dir, byte[] root, Htree.DxBlock rootDx, int rootPos, long nodeLblk,
            Htree.DxBlock node) throws IOException {
        List<Htree.DxEntry> es = node.entries();
        int half = es.size() / 2;
        long newLblk = dir.sizeBytes() / bs;
        w.appendBlock(dir);
        Inode grown = vol.inode(dir.inodeNo());
        int seed = vol.inodeSeed(grown);
        w.writeDirectoryBlock(dir.inodeNo(), nodeLblk, Htree.newNode(bs, es.subList(0, half), node.limit(), csum,
                seed));
        w.writeDirectoryBlock(dir.inodeNo(), newLblk, Htree.newNode(bs, es.subList(half, es.size()), node.limit(), csum,
                seed));
        int co = Htree.ROOT_COUNT_OFFSET;
        Htree.insertEntry(root, co, rootDx.entries().size(), rootPos, es.get(half).hash() & 0xFFFFFFFFL, newLblk);
        if (csum) {
            Htree.setChecksum(root, co, rootDx.limit(), seed);
        }
        w.writeDirectoryBlock(dir.inodeNo(), 0, root);
    }

    /**
     * A full one-level dx_root gets a second level: its entries move, in two halves, into two new dx_nodes that
     * the root then indexes, and dx_root_info.indirect_levels becomes 1 (kernel namei.c dx_insert_block /
     * "add level" path; ext4-and-fat.md §10.3).
     */
    private void addLevel(Inode dir, byte[] root, Htree.DxBlock rootDx) throws IOException {
        List<Htree.DxEntry> es = rootDx.entries();
        int half = es.size() / 2;
        int nodeLimit = Htree.expectedLimit(bs, Htree.NODE_COUNT_OFFSET, csum);
        long lblkA = dir.sizeBytes() / bs;
        w.appendBlock(dir);
        Inode once = vol.inode(dir.inodeNo());
        long lblkB = once.sizeBytes() / bs;
        w.appendBlock(once);
        Inode grown = vol.inode(dir.inodeNo());
        int seed = vol.inodeSeed(grown);
        w.writeDirectoryBlock(dir.inodeNo(), lblkA, Htree.newNode(bs, es.subList(0, half), nodeLimit, csum, seed));
        w.writeDirectoryBlock(dir.inodeNo(), lblkB, Htree.newNode(bs, es.subList(half, es.size()), nodeLimit, csum,
                seed));
        int co = Htree.ROOT_COUNT_OFFSET;
        Arrays.fill(root, co + Htree.ENTRY_BYTES, co + rootDx.limit() * Htree.ENTRY_BYTES, (byte) 0);
        root[Htree.DX_ROOT_INFO + 6] = 1;
        LittleEndian.put16(root, co + 2, 2);
        LittleEndian.put32(root, co + 4, lblkA);
        LittleEndian.put32(root, co + Htree.ENTRY_BYTES, es.get(half).hash() & 0xFFFFFFFFL);
        LittleEndian.put32(root, co + Htree.ENTRY_BYTES + 4, lblkB);
        if (csum) {
            Htree.setChecksum(root, co, rootDx.limit(), seed);
        }
        w.writeDirectoryBlock(dir.inodeNo(), 0, root);
    }

    /** Moves the upper half (by bytes, in hash order) of a full leaf into a new block and indexes it. */
    private void split(Inode dir, int version, byte[] leaf, long leafLblk, long indexLblk, byte[] indexBlock,
            Htree.DxBlock dx, int pos, byte[] name, long inodeNo, int fileType) throws IOException {
        Superblock sb = vol.superblock();
        List<Named> all = new ArrayList<>();
        for (DirEntry e : DirectoryBlock.parse(leaf, csum, sb.inodesCount(), "ext4: directory inode "
                + dir.inodeNo() + " leaf").entries()) {
            if (e.inodeNo() != 0) {
                all.add(new Named(e.name(), e.inodeNo(), e.fileType(), DirHash.hash(version, sb.hashSeed(), e.name())));
            }
        }
        all.add(new Named(name, inodeNo, fileType, DirHash.hash(version, sb.hashSeed(), name)));
        all.sort(Comparator.comparing((Named x) -> Integer.toUnsignedLong(x.hash())));
        int total = all.stream().mapToInt(Named::size).sum();
        int capacity = csum ? bs - DirectoryBlock.TAIL_BYTES : bs;
        int kept = 0;
        int cut = 0;
        while (cut < all.size() && kept + all.get(cut).size() <= total / 2) {
            kept += all.get(cut).size();
            cut++;
        }
        // Never split between equal hashes when it can be avoided: move the boundary up past a run.
        while (cut > 0 && cut < all.size() && all.get(cut).hash() == all.get(cut - 1).hash()
                && kept + all.get(cut).size() <= capacity) {
            kept += all.get(cut).size();
            cut++;
        }
        if (cut == 0 || cut == all.size() || kept > capacity || total - kept > capacity) {
            throw new UnsupportedImageException("ext4: directory inode " + dir.inodeNo() + " leaf cannot be split"
                    + " (hash collisions); not supported");
        }
        int movedHash = all.get(cut).hash();
        boolean continued = movedHash == all.get(cut - 1).hash();
        long newLblk = dir.sizeBytes() / bs;
        w.appendBlock(dir);
        Inode grown = vol.inode(dir.inodeNo());
        writeLeaf(grown, leafLblk, DirectoryBlock.pack(all.subList(0, cut), bs, csum));
        writeLeaf(grown, newLblk, DirectoryBlock.pack(all.subList(cut, all.size()), bs, csum));
        // dx entry (hash | continued, new block) right after the one that led here.
        int co = dx.countOffset();
        Htree.insertEntry(indexBlock, co, dx.entries().size(), pos, (movedHash | (continued ? 1 : 0)) & 0xFFFFFFFFL,
                newLblk);
        if (csum) {
            LittleEndian.put32(indexBlock, co + dx.limit() * Htree.ENTRY_BYTES, 0);
            Htree.setChecksum(indexBlock, co, dx.limit(), vol.inodeSeed(grown));
        }
        w.writeDirectoryBlock(dir.inodeNo(), indexLblk, indexBlock);
    }


}
