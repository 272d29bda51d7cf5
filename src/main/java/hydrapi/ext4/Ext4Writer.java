// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import hydrapi.InvalidInputException;
import hydrapi.UnsupportedImageException;
import hydrapi.io.LittleEndian;
import hydrapi.io.OverlayDevice;
import hydrapi.io.PreferredRanges;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Adds directories and files to an ext4 volume opened over an {@link OverlayDevice}. Each operation is all or
 * nothing (overlay checkpoint plus a snapshot of the in-memory bitmaps, descriptors and superblock); bitmaps,
 * descriptors and the superblock reach the device only in {@link #flush}, as in e2fsprogs closefs.c. Composite
 * steps follow mkdir.c / fileio.c (ext4-and-fat.md §17). Timestamps come from the caller.
 */
public final class Ext4Writer {

    /** Inode flags a file may carry and still be replaced: none of immutable, append, verity, inline data. */
    static final int REFUSED_FLAGS = 0x10 | 0x20 | 0x100000 | Inode.INLINE_DATA_FL;

    private final OverlayDevice dev;
    private final Ext4Volume vol;
    private final Allocator alloc;
    private final DirectoryWriter dirs;
    private final DirectoryMover mover;
    private final InodeData data;
    private long lastTimeSeconds;

    private Ext4Writer(OverlayDevice dev, Ext4Volume vol) {
        this.dev = dev;
        this.vol = vol;
        this.alloc = new Allocator(vol);
        this.data = new InodeData(vol, alloc);
        this.dirs = new DirectoryWriter(this);
        this.mover = new DirectoryMover(this);
        this.lastTimeSeconds = vol.superblock().writeTimeSeconds();
    }

    /** Opens the volume on {@code dev} and checks every precondition for writing (ext4-and-fat.md §3). */
    public static Ext4Writer open(OverlayDevice dev) throws IOException {
        Ext4Volume vol = Ext4Volume.open(dev);
        WriteSupport.check(vol);
        return new Ext4Writer(dev, vol);
    }

    public Ext4Volume volume() {
        return vol;
    }

    /**
     * New data and metadata blocks go first to free blocks inside {@code ranges} (this volume's byte offsets),
     * then where the usual first fit puts them. Placement only: the filesystem is as valid either way.
     */
    public void preferBlocksIn(PreferredRanges ranges) {
        alloc.prefer(ranges);
    }

    /** One all-or-nothing step. */
    private interface Step {
        void run() throws IOException;
    }

    private void atomically(Step step) throws IOException {
        Allocator.Snapshot snap = alloc.snapshot();
        dev.checkpoint();
        try {
            step.run();
            dev.commit();
        } catch (IOException | RuntimeException e) {
            dev.rollback();
            alloc.restore(snap);
            vol.forgetLookups();
            throw e;
        }
    }

    /** Creates every missing directory of an absolute path; existing directories are left as they are. */
    public void mkdirs(String path, int permissions, int uid, int gid, Instant now) throws IOException {
        atomically(() -> {
            String cur = "";
            for (String c : PathNames.components(path)) {
                String next = cur + "/" + c;
                Optional<Ext4Volume.Resolved> r = vol.resolve(next, true);
                if (r.isEmpty()) {
                    long parent = vol.resolve(cur.isEmpty() ? "/" : cur, true).orElseThrow().inode().inodeNo();
                    mkdir(parent, PathNames.name(c), permissions, uid, gid, now);
                } else if (!r.get().inode().isDirectory()) {
                    throw new InvalidInputException("ext4: " + next + " exists and is not a directory");
                }
                cur = next;
            }
        });
        note(now);
    }

    /** Creates or replaces a regular file (the replaced inode keeps its number, generation and xattrs). */
    public void writeFile(String path, byte[] content, int permissions, int uid, int gid, Instant mtime)
            throws IOException {
        writeFile(path, FileContent.of(content), permissions, uid, gid, mtime);
    }

    /** {@link #writeFile(String, byte[], int, int, int, Instant)} from content read piece by piece. */
    public void writeFile(String path, FileContent content, int permissions, int uid, int gid, Instant mtime)
            throws IOException {
        atomically(() -> {
            Entry at = entryAt(path, "write a file at");
            Ext4Volume.Resolved parent = at.parent();
            byte[] name = at.name();
            long existing = vol.lookup(parent.inode(), name);
            int mode = Inode.S_IFREG | (permissions & 07777);
            if (existing != 0) {
                Inode old = vol.inode(existing);
                if (!old.isRegularFile() || old.linksCount() != 1 || (old.flags() & REFUSED_FLAGS) != 0
                        || old.hasFlag(Inode.HUGE_FILE_FL)) {
                    throw new UnsupportedImageException("ext4: " + path + " exists and is not a plain single-link"
                            + " regular file; replacing it is not supported");
                }
                alloc.freeTree(vol.extentTree(old));
                Inode ino = new Inode(old.inodeNo(), old.bytes());
                InodeFields.init(ino, vol.superblock(), mode, uid, gid, mtime, 1, false);
                data.writeContent(ino, content, goalFor(parent.inode().inodeNo()));
            } else {
                int group = (int) ((parent.inode().inodeNo() - 1) / vol.superblock().inodesPerGroup());
                long no = alloc.allocInode(group, false);
                Inode ino = new Inode(no, new byte[vol.superblock().inodeSize()]);
                InodeFields.init(ino, vol.superblock(), mode, uid, gid, mtime, 1, true);
                data.writeContent(ino, content, goalFor(parent.inode().inodeNo()));
                dirs.link(parent.inode().inodeNo(), name, no, DirEntry.FT_REG_FILE);
                touchDirectory(parent.inode().inodeNo(), mtime, 0);
            }
        });
        note(mtime);
    }

    /**
     * Creates a symbolic link, or replaces the target of an existing one. Targets under 60 bytes are fast links
     * (in i_block, no EXTENTS_FL, i_blocks 0); longer ones get one extent-mapped block (lib/ext2fs/symlink.c).
     */
    public void symlink(String path, String target, int uid, int gid, Instant now) throws IOException {
        byte[] t = target.getBytes(StandardCharsets.UTF_8);
        int bs = vol.superblock().blockSize();
        if (t.length == 0 || t.length >= bs || target.indexOf('\0') >= 0) {
            throw new InvalidInputException("ext4: symlink target for " + path + " must be 1 to " + (bs - 1)
                    + " bytes without NUL");
        }
        atomically(() -> {
            Entry at = entryAt(path, "make a symlink at");
            Ext4Volume.Resolved parent = at.parent();
            byte[] name = at.name();
            long existing = vol.lookup(parent.inode(), name);
            Inode ino;
            if (existing != 0) {
                Inode old = vol.inode(existing);
                if (!old.isSymlink() || old.linksCount() != 1 || (old.flags() & REFUSED_FLAGS) != 0) {
                    throw new UnsupportedImageException("ext4: " + path + " exists and is not a single-link"
                            + " symlink; replacing it is not supported");
                }
                if (old.hasFlag(Inode.EXTENTS_FL)) {
                    alloc.freeTree(vol.extentTree(old));
                }
                ino = new Inode(old.inodeNo(), old.bytes());
                InodeFields.init(ino, vol.superblock(), Inode.S_IFLNK | 0777, uid, gid, now, 1, false);
            } else {
                int group = (int) ((parent.inode().inodeNo() - 1) / vol.superblock().inodesPerGroup());
                ino = new Inode(alloc.allocInode(group, false), new byte[vol.superblock().inodeSize()]);
                InodeFields.init(ino, vol.superblock(), Inode.S_IFLNK | 0777, uid, gid, now, 1, true);
            }
            if (t.length < Inode.I_BLOCK_BYTES) {
                InodeFields.setFastSymlink(ino, t, bs);
                writeInode(ino);
            } else {
                data.writeContent(ino, FileContent.of(t), goalFor(parent.inode().inodeNo()));
            }
            if (existing == 0) {
                dirs.link(parent.inode().inodeNo(), name, ino.inodeNo(), DirEntry.FT_SYMLINK);
                touchDirectory(parent.inode().inodeNo(), now, 0);
            }
        });
        note(now);
    }

    /**
     * chmod and chown of an existing inode (the final component is not followed, like lchown); the type bits are
     * kept and ctime becomes {@code now}, as chmod(2) does. A symlink's permissions stay 0777.
     */
    public void setAttributes(String path, int permissions, int uid, int gid, Instant now) throws IOException {
        atomically(() -> {
            Ext4Volume.Resolved r = vol.resolve(path, false).orElseThrow(() -> new InvalidInputException(
                    "ext4: " + path + ": no such file or directory in the image"));
            Inode old = r.inode();
            if ((old.flags() & REFUSED_FLAGS) != 0) {
                throw new UnsupportedImageException("ext4: " + path + " is immutable, append-only, verity or"
                        + " inline; changing its attributes is not supported");
            }
            Inode ino = new Inode(old.inodeNo(), old.bytes());
            byte[] b = ino.bytes();
            int type = LittleEndian.u16(b, Inode.I_MODE) & 0xF000;
            int perms = old.isSymlink() ? 0777 : permissions & 07777;
            LittleEndian.put16(b, Inode.I_MODE, type | perms);
            InodeFields.setOwner(b, uid, gid);
            Inode.putTime(b, Inode.I_CTIME, Inode.I_CTIME_EXTRA, now);
            writeInode(ino);
        });
        note(now);
    }

    /**
     * Removes a regular file, symlink or empty directory (the final component is not followed). The last link
     * frees the inode and its blocks: i_links_count 0, i_dtime {@code now}, size and extents cleared, as the
     * kernel's ext4_evict_inode leaves it; an inode with more links only loses one. The parent gets mtime/ctime
     * {@code now} and, for a directory, one link less (dir_nlink: a count of 1 stays 1).
     */
    public void unlink(String path, Instant now) throws IOException {
        atomically(() -> {
            Entry at = entryAt(path, "remove");
            Ext4Volume.Resolved parent = at.parent();
            long parentNo = parent.inode().inodeNo();
            byte[] name = at.name();
            long entry = vol.lookup(parent.inode(), name);
            if (entry == 0) {
                throw new InvalidInputException("ext4: " + path + ": no such file or directory in the image");
            }
            Inode old = vol.inode(entry);
            boolean dir = old.isDirectory();
            RemovalCheck.refuse(vol, path, parentNo, name, old);
            int links = old.linksCount();
            boolean last = dir || links <= 1;
            dirs.unlink(parentNo, name);
            Inode ino = new Inode(old.inodeNo(), old.bytes());
            byte[] b = ino.bytes();
            Inode.putTime(b, Inode.I_CTIME, Inode.I_CTIME_EXTRA, now);
            if (!last) {
                LittleEndian.put16(b, Inode.I_LINKS_COUNT, links - 1);
                writeInode(ino);
            } else {
                if (old.hasFlag(Inode.EXTENTS_FL)) {
                    alloc.freeTree(vol.extentTree(old));
                    setExtents(ino, List.of());
                } else if (!old.isSymlink() || old.blocksRaw(false) != 0) {
                    throw new UnsupportedImageException("ext4: " + path + " maps its blocks without extents;"
                            + " removing it is not supported");
                } else {
                    InodeFields.clearBlockMap(ino);
                }
                InodeFields.release(ino, vol.superblock(), now);
                writeInode(ino);
                alloc.freeInode(ino.inodeNo(), dir);
            }
            touchDirectory(parentNo, now, dir ? -1 : 0);
        });
        note(now);
    }

    /** The parent directory of a path to change, and the last component's name. */
    private record Entry(Ext4Volume.Resolved parent, byte[] name) {
    }

    private Entry entryAt(String path, String what) throws IOException {
        List<String> cs = PathNames.components(path);
        if (cs.isEmpty()) {
            throw new InvalidInputException("ext4: cannot " + what + " /");
        }
        String parentPath = "/" + String.join("/", cs.subList(0, cs.size() - 1));
        Ext4Volume.Resolved parent = vol.resolve(parentPath, true).orElseThrow(() -> new InvalidInputException(
                "ext4: " + parentPath + ": no such directory in the image; create it first"));
        if (!parent.inode().isDirectory()) {
            throw new InvalidInputException("ext4: " + parentPath + " is not a directory");
        }
        return new Entry(parent, PathNames.name(cs.get(cs.size() - 1)));
    }

    /** Writes bitmaps, descriptors and the superblock (free counts, s_wtime, checksum) to the device. */
    public void flush() throws IOException {
        alloc.flush(lastTimeSeconds);
    }

    private void note(Instant t) {
        lastTimeSeconds = Math.max(lastTimeSeconds, t.getEpochSecond());
    }

    // ---- steps ---------------------------------------------------------------------------------------------

    private void mkdir(long parentNo, byte[] name, int permissions, int uid, int gid, Instant now)
            throws IOException {
        int bs = vol.superblock().blockSize();
        // Allocate an inode
        int group = (int) ((parentNo - 1) / vol.superblock().inodesPerGroup());
        long no = alloc.allocInode(group, true);
        // Allocate a data block for the directory
        long block = alloc.allocBlock(goalFor(parentNo));
        // Create the scratch template: ".", "..", dirent tail
        byte[] b = new byte[bs];
        int end = bs - DirectoryBlock.TAIL_BYTES;
        DirectoryBlock.putEntry(b, 0, no, 12, new byte[] {'.'}, DirEntry.FT_DIR);
        DirectoryBlock.putEntry(b, 12, parentNo, end - 12, new byte[] {'.', '.'}, DirEntry.FT_DIR);
        DirectoryBlock.putTail(b);
        // Create the inode structure
        Inode ino = new Inode(no, new byte[vol.superblock().inodeSize()]);
        InodeFields.init(ino, vol.superblock(), Inode.S_IFDIR | (permissions & 07777), uid, gid, now, 2, true);
        ino.setSizeBytes(bs);
        setExtents(ino, List.of(new Extent(0, block, 1, false)));
        // Write out the inode and the inode data block
        LittleEndian.put32(b, bs - 4, DirectoryBlock.checksum(vol.inodeSeed(ino), b));
        vol.device().write(block * bs, b);
        writeInode(ino);
        // Link the directory into the filesystem hierarchy; update the parent's counts
        dirs.link(parentNo, name, no, DirEntry.FT_DIR);
        touchDirectory(parentNo, now, 1);
    }

    /** Sets a directory's mtime/ctime and adds to its link count (kept at 1 once dir_nlink overflowed). */
    private void touchDirectory(long dirNo, Instant now, int addLinks) throws IOException {
        Inode d = vol.inode(dirNo);
        byte[] b = d.bytes();
        int links = d.linksCount();
        if (addLinks != 0 && links != 1) {
            if (links + addLinks >= 65000) {
                links = 1;
            } else {
                links += addLinks;
            }
            LittleEndian.put16(b, Inode.I_LINKS_COUNT, links);
        }
        Inode.putTime(b, Inode.I_MTIME, Inode.I_MTIME_EXTRA, now);
        Inode.putTime(b, Inode.I_CTIME, Inode.I_CTIME_EXTRA, now);
        writeInode(d);
    }

    /** Writes a directory block, moving it into the preferred ranges when it lies outside ({@link DirectoryMover}). */
    void writeDirectoryBlock(long dirNo, long lblk, byte[] block) throws IOException {
        mover.write(dirNo, lblk, block);
    }

    Allocator allocator() {
        return alloc;
    }

    /** Adds one block at the end of a directory; returns its physical number. Writes the inode. */
    long appendBlock(Inode dir) throws IOException {
        return data.appendBlock(dir);
    }

    /** Writes a minimal tree for the extents (old tree blocks already freed) and recomputes i_blocks. */
    void setExtents(Inode ino, List<Extent> extents) throws IOException {
        data.setExtents(ino, extents);
    }

    void writeInode(Inode ino) throws IOException {
        data.writeInode(ino);
    }


    /** Data goes near the parent directory's group, as the kernel's allocator prefers. */
    private long goalFor(long dirNo) {
        Superblock sb = vol.superblock();
        long g = (dirNo - 1) / sb.inodesPerGroup();
        return sb.firstDataBlock() + g * sb.blocksPerGroup();
    }


}
