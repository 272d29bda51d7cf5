// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import hydrapi.CorruptImageException;
import hydrapi.InvalidInputException;
import hydrapi.UnsupportedImageException;
import hydrapi.io.BlockDevice;
import hydrapi.io.Crc32c;
import hydrapi.io.LittleEndian;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * An ext4 filesystem on a partition, opened the way e2fsprogs openfs.c opens one: superblock and every group
 * descriptor verified, unknown incompat features refused by name. Reading is strict: every inode, extent block and
 * directory block read is checked against its checksum (ext4-and-fat.md §17, "Reading").
 */
public final class Ext4Volume implements Closeable {

    /** Symlink hops allowed in one lookup (Linux MAXSYMLINKS). */
    static final int MAX_SYMLINK_HOPS = 40;
    static final long ROOT_INODE = 2;

    private final BlockDevice dev;
    private final Superblock sb;
    private final GroupDescriptorTable gdt;
    private final int csumSeed;
    private final LookupCache lookups = new LookupCache();

    private Ext4Volume(BlockDevice dev, Superblock sb, GroupDescriptorTable gdt) {
        this.dev = dev;
        this.sb = sb;
        this.gdt = gdt;
        this.csumSeed = sb.csumSeed();
    }

    public static Ext4Volume open(BlockDevice partition) throws IOException {
        if (partition.sizeBytes() < Superblock.OFFSET_BYTES + Superblock.SIZE_BYTES) {
            throw new CorruptImageException("ext4: partition of " + partition.sizeBytes()
                    + " bytes is too small for a superblock");
        }
        byte[] raw = partition.read(Superblock.OFFSET_BYTES, Superblock.SIZE_BYTES);
        if (LittleEndian.u16(raw, Superblock.S_MAGIC) == Superblock.MAGIC) {
            new Features(LittleEndian.u32(raw, Superblock.S_FEATURE_COMPAT),
                    LittleEndian.u32(raw, Superblock.S_FEATURE_INCOMPAT),
                    LittleEndian.u32(raw, Superblock.S_FEATURE_RO_COMPAT)).checkReadable("ext4");
        }
        Superblock sb = Superblock.parse(raw, partition.sizeBytes());
        GroupDescriptorTable gdt = GroupDescriptorTable.read(partition, sb);
        return new Ext4Volume(partition, sb, gdt);
    }

    public String label() {
        return sb.volumeName();
    }

    public UUID uuid() {
        return sb.uuid();
    }

    public Superblock superblock() {
        return sb;
    }

    public GroupDescriptorTable groupDescriptors() {
        return gdt;
    }

    /**
     * Whether the journal holds transactions not yet replayed: INCOMPAT_RECOVER, or a jbd2 superblock with
     * s_start ≠ 0. Reading such a filesystem shows pre-crash metadata; writing it must be refused
     * (ext4-and-fat.md §3).
     */
    public boolean journalNeedsRecovery() throws IOException {
        return Journal.needsRecovery(this);
    }

    // ---- blocks, inodes, extents ------------------------------------------------------------------------

    byte[] readBlock(long blockNo) throws IOException {
        if (blockNo < 0 || blockNo >= sb.blocksCount()) {
            throw new CorruptImageException("ext4: block " + blockNo + " is outside the filesystem; run e2fsck");
        }
        int bs = sb.blockSize();
        return dev.read(blockNo * bs, bs);
    }

    /** Data or tree blocks must lie past the primary superblock and GDT and inside the filesystem. */
    void checkDataBlocks(long start, long count, String where) throws CorruptImageException {
        if (start <= sb.firstDataBlock() || count < 0 || start > sb.blocksCount() - count) {
            throw new CorruptImageException(where + ": blocks " + start + "+" + count
                    + " lie outside the filesystem; run e2fsck");
        }
    }

    int csumSeed() {
        return csumSeed;
    }

    /** crc32c_raw(seed, le32 inum, le32 i_generation): the start of every per-inode checksum. */
    int inodeSeed(Inode inode) {
        int crc = Crc32c.updateLe32(csumSeed, inode.inodeNo());
        return Crc32c.updateLe32(crc, inode.generation());
    }

    /** Byte offset of inode n in its group's inode table. */
    long inodeOffsetBytes(long inodeNo) throws CorruptImageException {
        if (inodeNo < 1 || inodeNo > sb.inodesCount()) {
            throw new CorruptImageException("ext4: inode " + inodeNo + " is outside 1.." + sb.inodesCount()
                    + "; run e2fsck");
        }
        long ipg = sb.inodesPerGroup();
        GroupDescriptor gd = gdt.get((int) ((inodeNo - 1) / ipg));
        return gd.inodeTableBlock() * sb.blockSize() + ((inodeNo - 1) % ipg) * sb.inodeSize();
    }

    /** Reads inode n without checking its checksum (for the consistency walk). */
    Inode rawInode(long inodeNo) throws IOException {
        return new Inode(inodeNo, dev.read(inodeOffsetBytes(inodeNo), sb.inodeSize()));
    }

    /** Reads inode n and verifies its checksum (metadata_csum). */
    Inode inode(long inodeNo) throws IOException {
        Inode ino = rawInode(inodeNo);
        if (sb.features().metadataCsum() && !ino.verifyChecksum(csumSeed)) {
            throw new CorruptImageException(String.format("ext4: inode %d checksum 0x%x != computed 0x%x; run"
                    + " e2fsck", inodeNo, ino.storedChecksum(), ino.checksum(csumSeed)
                    & (ino.storedChecksum() > 0xFFFF ? 0xFFFFFFFFL : 0xFFFFL)));
        }
        return ino;
    }

    ExtentTree extentTree(Inode inode) throws IOException {
        if (!inode.hasFlag(Inode.EXTENTS_FL)) {
            throw new UnsupportedImageException("ext4: inode " + inode.inodeNo() + " uses block maps (ext2/ext3"
                    + " style), which are not supported; only extent-mapped files are");
        }
        return ExtentTree.read(this, inode);
    }

    // ---- paths ------------------------------------------------------------------------------------------

    /** A resolved path: the inode and the name it was reached by. */
    record Resolved(String name, Inode inode) {
    }

    Optional<Resolved> resolve(String path, boolean followFinal) throws IOException {
        if (path == null || !path.startsWith("/")) {
            throw new InvalidInputException("ext4: path '" + path + "' is not absolute");
        }
        Deque<String> todo = new ArrayDeque<>();
        pushComponents(todo, path);
        Inode cur = inode(ROOT_INODE);
        String name = "/";
        int hops = 0;
        while (!todo.isEmpty()) {
            String c = todo.pop();
            if (!cur.isDirectory()) {
                return Optional.empty();
            }
            long no = lookup(cur, c.getBytes(StandardCharsets.UTF_8));
            if (no == 0) {
                return Optional.empty();
            }
            Inode next = inode(no);
            if (next.isSymlink() && (!todo.isEmpty() || followFinal)) {
                if (++hops > MAX_SYMLINK_HOPS) {
                    throw new InvalidInputException("ext4: " + path + ": more than " + MAX_SYMLINK_HOPS
                            + " symbolic links; check the image's links");
                }
                String target = readLink(next);
                pushComponents(todo, target);
                if (target.startsWith("/")) {
                    cur = inode(ROOT_INODE);
                    name = "/";
                }
                continue;
            }
            cur = next;
            name = c;
        }
        return Optional.of(new Resolved(name, cur));
    }

    /**
     * The inode {@code name} names in directory {@code dir}, or 0 when it is absent: through the lookup cache, else
     * reading only the blocks the name can be in ({@link DirectoryLookup}).
     */
    long lookup(Inode dir, byte[] name) throws IOException {
        Long cached = lookups.get(dir.inodeNo(), name);
        if (cached != null) {
            return cached;
        }
        DirEntry e = DirectoryLookup.find(this, dir, name);
        long no = e == null ? 0 : e.inodeNo();
        lookups.put(dir.inodeNo(), name, no);
        return no;
    }

    /** The writer's hook: what a name in a directory now names (0: removed). */
    void lookupChanged(long dirNo, byte[] name, long inodeNo) {
        lookups.put(dirNo, name, inodeNo);
    }

    /** The writer's hook after a rollback: anything cached may describe undone writes. */
    void forgetLookups() {
        lookups.clear();
    }

    private static void pushComponents(Deque<String> todo, String path) {
        String[] parts = path.split("/");
        for (int i = parts.length - 1; i >= 0; i--) {
            if (!parts[i].isEmpty() && !parts[i].equals(".")) {
                todo.push(parts[i]);
            }
        }
    }

    private Resolved require(String path, boolean followFinal) throws IOException {
        return resolve(path, followFinal).orElseThrow(() -> new InvalidInputException("ext4: " + path
                + ": no such file or directory in the image"));
    }

    Ext4Entry entry(String name, Inode inode) throws IOException {
        return new Ext4Entry(name, inode.inodeNo(), inode.mode(), inode.uid(), inode.gid(), inode.sizeBytes(),
                inode.mtimeSeconds(), inode.linksCount(), inode.isSymlink() ? readLink(inode) : null);
    }

    // ---- public reading API -----------------------------------------------------------------------------

    public Optional<Ext4Entry> stat(String path) throws IOException {
        Optional<Resolved> r = resolve(path, false);
        if (r.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(entry(r.get().name(), r.get().inode()));
    }

    public List<Ext4Entry> list(String dirPath) throws IOException {
        Resolved r = require(dirPath, true);
        if (!r.inode().isDirectory()) {
            throw new InvalidInputException("ext4: " + dirPath + " is not a directory");
        }
        List<Ext4Entry> out = new ArrayList<>();
        for (DirEntry e : Directory.read(this, r.inode()).entries()) {
            if (!e.isDot() && !e.isDotDot()) {
                out.add(entry(e.nameString(), inode(e.inodeNo())));
            }
        }
        out.sort(Comparator.comparing(Ext4Entry::name));
        return out;
    }

    /**
     * The most {@link #readFile} reads into memory. A sparse file in a hostile image may claim gigabytes at no cost
     * to its maker; configuration files, kernels and initramfs images are far smaller.
     */
    public static final long MAX_READ_BYTES = 256L << 20;

    public byte[] readFile(String path) throws IOException {
        Inode f = regularFile(path);
        if (f.sizeBytes() > MAX_READ_BYTES) {
            throw new UnsupportedImageException("ext4: " + path + " is " + f.sizeBytes() + " bytes, more than the "
                    + (MAX_READ_BYTES >> 20) + " MiB hydrapi reads into memory");
        }
        try (InputStream in = new FileStream(this, f)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) f.sizeBytes());
            in.transferTo(out);
            return out.toByteArray();
        }
    }

    public InputStream openFile(String path) throws IOException {
        return new FileStream(this, regularFile(path));
    }

    private Inode regularFile(String path) throws IOException {
        Inode f = require(path, true).inode();
        if (!f.isRegularFile()) {
            throw new InvalidInputException("ext4: " + path + " is not a regular file");
        }
        if (f.hasFlag(Inode.INLINE_DATA_FL)) {
            throw new UnsupportedImageException("ext4: " + path + " is stored as inline data (inline_data), which"
                    + " is not supported");
        }
        return f;
    }

    public String readLink(String path) throws IOException {
        Inode l = require(path, false).inode();
        if (!l.isSymlink()) {
            throw new InvalidInputException("ext4: " + path + " is not a symbolic link");
        }
        return readLink(l);
    }

    /** Fast symlinks keep the target in i_block; slow ones in one extent-mapped block (lib/ext2fs/symlink.c). */
    String readLink(Inode l) throws IOException {
        long size = l.sizeBytes();
        String where = "ext4: symlink inode " + l.inodeNo();
        if (l.hasFlag(Inode.INLINE_DATA_FL)) {
            throw new UnsupportedImageException(where + " is stored as inline data, which is not supported");
        }
        // A target is 1 to blocksize-1 bytes; i_size from a damaged inode may be anything, negative included.
        if (size <= 0 || size >= sb.blockSize()) {
            throw new CorruptImageException(where + ": size " + size + " is invalid for a symlink; run e2fsck");
        }
        byte[] target;
        if (!l.hasFlag(Inode.EXTENTS_FL) && size < Inode.I_BLOCK_BYTES) {
            target = java.util.Arrays.copyOf(l.iBlock(), (int) size);
        } else {
            long p = extentTree(l).physicalBlock(0);
            if (p < 0) {
                throw new CorruptImageException(where + ": slow symlink has no data block; run e2fsck");
            }
            target = java.util.Arrays.copyOf(readBlock(p), (int) size);
        }
        for (byte c : target) {
            if (c == 0) {
                throw new CorruptImageException(where + ": target is shorter than i_size " + size + "; run e2fsck");
            }
        }
        return new String(target, StandardCharsets.UTF_8);
    }

    /** Our own consistency walk for {@code verify}: problems found, one line each; empty if clean. */
    public List<String> check() throws IOException {
        return new ConsistencyCheck(this).run();
    }

    BlockDevice device() {
        return dev;
    }

    @Override
    public void close() throws IOException {
        dev.close();
    }
}
