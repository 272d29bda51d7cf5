// SPDX-License-Identifier: Apache-2.0
package hydrapi.image;

import hydrapi.InvalidInputException;
import hydrapi.disk.DiskImage;
import hydrapi.disk.PartitionEntry;
import hydrapi.ext4.Ext4Entry;
import hydrapi.ext4.Ext4Volume;
import hydrapi.fat.FatEntry;
import hydrapi.fat.FatVolume;
import hydrapi.io.BlockDevice;
import hydrapi.io.LittleEndian;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A disk image seen as the running Pi sees it: partitions, the filesystem on each (recognised by content),
 * and paths resolved through the image's own fstab.
 */
public final class ImageView {

    /** What one partition holds. {@code problem} is set when its filesystem could not be opened. */
    public record PartitionInfo(PartitionEntry entry, String filesystem, String label, String mountPoint,
                                String problem) {
    }

    /** One directory entry as {@code ls -l} would show it on the Pi. */
    public record Entry(String name, char type, int mode, int uid, int gid, long sizeBytes, long mtimeSeconds,
                        String linkTarget) {
    }

    /** Real fstabs are a few hundred bytes; a damaged inode's size must not decide what is read. */
    private static final long MAX_FSTAB_BYTES = 1 << 20;

    /** The mode a Pi shows for files on its vfat boot partition (default fmask/dmask 0022). */
    public static final int FAT_MODE = 0755;

    private final DiskImage disk;
    private final Map<Integer, FatVolume> fat = new TreeMap<>();
    private final Map<Integer, Ext4Volume> ext4 = new TreeMap<>();
    private final Map<Integer, hydrapi.HydrapiException> problems = new TreeMap<>();
    private final MountTable mounts;

    private ImageView(DiskImage disk) throws IOException {
        this.disk = disk;
        Map<Integer, String> labels = new LinkedHashMap<>();
        int rootGuess = 0;
        int unreadableExt4 = 0;
        byte[] fstab = null;
        for (PartitionEntry e : disk.partitions()) {
            if (e.isExtended()) {
                continue;
            }
            BlockDevice part = disk.partition(e.index());
            try {
                if (looksLikeExt4(part)) {
                    if (unreadableExt4 == 0) {
                        unreadableExt4 = e.index();
                    }
                    Ext4Volume v = Ext4Volume.open(part);
                    ext4.put(e.index(), v);
                    labels.put(e.index(), v.label());
                    if (rootGuess == 0) {
                        Optional<Ext4Entry> f = v.stat("/etc/fstab");
                        if (f.isPresent() && f.get().isRegularFile()) {
                            if (f.get().sizeBytes() > MAX_FSTAB_BYTES) {
                                throw new hydrapi.CorruptImageException("/etc/fstab of partition " + e.index() + " is "
                                        + f.get().sizeBytes() + " bytes, not an fstab; the image is damaged");
                            }
                            rootGuess = e.index();
                            fstab = v.readFile("/etc/fstab");
                        }
                    }
                } else if (looksLikeFat(part)) {
                    FatVolume v = FatVolume.open(part);
                    fat.put(e.index(), v);
                    labels.put(e.index(), v.label());
                }
            } catch (hydrapi.HydrapiException ex) {
                problems.put(e.index(), ex);
            }
        }
        if (rootGuess == 0 && !ext4.isEmpty()) {
            rootGuess = ext4.keySet().iterator().next();
        }
        if (rootGuess == 0) {
            // An ext4 root hydrapi cannot open (casefold, damage) is still the root: a path there must meet its
            // problem, not "no partition is mounted there".
            rootGuess = unreadableExt4;
        }
        this.mounts = MountTable.from(fstab, disk.mbr(), labels, rootGuess);
    }

    /** Opens the disk on {@code device}; {@code what} names it in messages. */
    public static ImageView open(BlockDevice device, String what) throws IOException {
        return new ImageView(DiskImage.open(device, what));
    }

    /** Superblock magic 0xEF53 at byte 1080 (1024 + s_magic 0x38). */
    static boolean looksLikeExt4(BlockDevice part) throws IOException {
        return part.sizeBytes() >= 2048 && LittleEndian.u16(part.read(1080, 2), 0) == 0xEF53;
    }

    /** Boot-sector signature 0x55AA and a jump instruction, as every FAT boot sector starts. */
    static boolean looksLikeFat(BlockDevice part) throws IOException {
        if (part.sizeBytes() < 512) {
            return false;
        }
        byte[] b = part.read(0, 512);
        int jmp = b[0] & 0xFF;
        return LittleEndian.u16(b, 510) == 0xAA55 && (jmp == 0xEB || jmp == 0xE9);
    }

    public DiskImage disk() {
        return disk;
    }

    public MountTable mounts() {
        return mounts;
    }

    public Optional<FatVolume> fat(int partition) {
        return Optional.ofNullable(fat.get(partition));
    }

    public Optional<Ext4Volume> ext4(int partition) {
        return Optional.ofNullable(ext4.get(partition));
    }

    public Map<Integer, FatVolume> fatVolumes() {
        return fat;
    }

    public Map<Integer, Ext4Volume> ext4Volumes() {
        return ext4;
    }

    /** The mount point of the first FAT partition, where boot files live. */
    public Optional<String> bootMount() {
        for (Integer p : fat.keySet()) {
            Optional<String> mp = mounts.mountPointOf(p);
            if (mp.isPresent()) {
                return mp;
            }
        }
        return Optional.empty();
    }

    public List<PartitionInfo> partitions() {
        List<PartitionInfo> out = new ArrayList<>();
        for (PartitionEntry e : disk.partitions()) {
            String fs = "unknown";
            String label = null;
            if (fat.containsKey(e.index())) {
                fs = fat.get(e.index()).type().name().toLowerCase(java.util.Locale.ROOT);
                label = fat.get(e.index()).label();
            } else if (ext4.containsKey(e.index())) {
                fs = "ext4";
                label = ext4.get(e.index()).label();
            } else if (e.isExtended()) {
                fs = "extended";
            }
            out.add(new PartitionInfo(e, fs, label, mounts.mountPointOf(e.index()).orElse(null),
                    problems.containsKey(e.index()) ? problems.get(e.index()).getMessage() : null));
        }
        return out;
    }

    /** Resolves an image path to its mount, or explains which partition is missing. */
    public MountTable.Located locate(String path) throws InvalidInputException {
        if (!path.startsWith("/")) {
            throw new InvalidInputException(path + ": give an absolute path as the Pi sees it, e.g. "
                    + "/boot/firmware/config.txt or /etc/hostname");
        }
        String norm = path.replaceAll("/+", "/");
        if (norm.length() > 1 && norm.endsWith("/")) {
            norm = norm.substring(0, norm.length() - 1);
        }
        String p = norm;
        return mounts.resolve(p).orElseThrow(() -> new InvalidInputException(p
                + ": no partition of this image is mounted there (its /etc/fstab names: " + mountNames() + ")"));
    }

    private String mountNames() {
        return mounts.mounts().stream().map(m -> m.mountPoint() + "=p" + m.partition()).toList().toString();
    }

    /** Most symlinks followed in one lookup, as Linux's MAXSYMLINKS. */
    private static final int MAX_SYMLINK_HOPS = 40;

    /**
     * {@code path} with the image's symlinks resolved as the running Pi's kernel would (every component, the last one
     * too when {@code followLast}), across partitions through the image's own mount table. A target never leaves the
     * image: an absolute one starts again at the image's root, and ".." stops there. A missing component ends the
     * walk (the caller reports it).
     */
    public String resolve(String path, boolean followLast) throws IOException {
        return walk(path, followLast).path();
    }

    /** A resolved path and how many symlinks led there. */
    private record Walk(String path, int hops) {
    }

    private Walk walk(String path, boolean followLast) throws IOException {
        locate(path);
        java.util.Deque<String> todo = new java.util.ArrayDeque<>(List.of(path.split("/")));
        List<String> done = new ArrayList<>();
        int hops = 0;
        while (!todo.isEmpty()) {
            String c = todo.pop();
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                if (!done.isEmpty()) {
                    done.remove(done.size() - 1);
                }
                continue;
            }
            String candidate = "/" + String.join("/", done) + (done.isEmpty() ? "" : "/") + c;
            String target = todo.isEmpty() && !followLast ? null : linkTarget(candidate);
            if (target == null) {
                done.add(c);
                continue;
            }
            if (++hops > MAX_SYMLINK_HOPS) {
                throw new InvalidInputException(path + ": more than " + MAX_SYMLINK_HOPS + " symlinks on the way"
                        + " (a loop?)");
            }
            if (target.startsWith("/")) {
                done.clear();
            }
            List<String> parts = List.of(target.split("/"));
            for (int i = parts.size() - 1; i >= 0; i--) {
                todo.push(parts.get(i));
            }
        }
        return new Walk("/" + String.join("/", done), hops);
    }

    /** The target of the symlink at an image path whose parents are no symlinks; null for anything else. */
    private String linkTarget(String path) throws IOException {
        MountTable.Located loc = locate(path);
        Ext4Volume v = ext4.get(loc.mount().partition());
        if (v == null || loc.innerPath().equals("/")) {
            return null;
        }
        Optional<Ext4Entry> e = v.stat(loc.innerPath());
        return e.isPresent() && e.get().isSymlink() ? e.get().linkTarget() : null;
    }

    /** Lists a directory, or describes a single file, at an image path (its last component not followed, as ls -l). */
    public List<Entry> list(String given) throws IOException {
        String path = resolve(given, false);
        MountTable.Located loc = locate(path);
        int part = loc.mount().partition();
        if (fat.containsKey(part)) {
            FatVolume v = fat.get(part);
            FatEntry self = v.stat(loc.innerPath()).orElseThrow(() -> notFound(path));
            List<Entry> out = new ArrayList<>();
            for (FatEntry e : self.directory() ? v.list(loc.innerPath()) : List.of(self)) {
                out.add(new Entry(e.name(), e.directory() ? 'd' : '-', FAT_MODE, 0, 0, e.sizeBytes(),
                        e.modified().getEpochSecond(), null));
            }
            return out;
        }
        if (ext4.containsKey(part)) {
            Ext4Volume v = ext4.get(part);
            Ext4Entry self = v.stat(loc.innerPath()).orElseThrow(() -> notFound(path));
            List<Entry> out = new ArrayList<>();
            for (Ext4Entry e : self.isDirectory() ? v.list(loc.innerPath()) : List.of(self)) {
                char type = e.isDirectory() ? 'd' : e.isSymlink() ? 'l' : e.isRegularFile() ? '-' : '?';
                out.add(new Entry(e.name(), type, e.mode() & 07777, e.uid(), e.gid(), e.sizeBytes(),
                        e.mtimeSeconds(), e.linkTarget()));
            }
            return out;
        }
        throw unreadable(path, part);
    }

    /** Whether anything (file, directory, symlink) is at an image path. */
    public boolean exists(String path) throws IOException {
        MountTable.Located loc = locate(path);
        int part = loc.mount().partition();
        if (fat.containsKey(part)) {
            return fat.get(part).stat(loc.innerPath()).isPresent();
        }
        if (ext4.containsKey(part)) {
            return ext4.get(part).stat(loc.innerPath()).isPresent();
        }
        throw unreadable(path, part);
    }

    /** The bytes of a regular file at an image path, symlinks followed inside the image. */
    public byte[] read(String given) throws IOException {
        Walk w = walk(given, true);
        try {
            return readResolved(w.path());
        } catch (InvalidInputException e) {
            if (w.hops() == 0) {
                throw e;
            }
            throw new InvalidInputException(given + " (-> " + w.path() + "): " + e.getMessage());
        }
    }

    private byte[] readResolved(String path) throws IOException {
        MountTable.Located loc = locate(path);
        int part = loc.mount().partition();
        if (fat.containsKey(part)) {
            FatEntry e = fat.get(part).stat(loc.innerPath()).orElseThrow(() -> notFound(path));
            if (e.directory()) {
                throw new InvalidInputException(path + ": is a directory; list it instead");
            }
            return fat.get(part).readFile(loc.innerPath());
        }
        if (ext4.containsKey(part)) {
            Ext4Entry e = ext4.get(part).stat(loc.innerPath()).orElseThrow(() -> notFound(path));
            if (!e.isRegularFile()) {
                throw new InvalidInputException(path + ": not a regular file"
                        + (e.isSymlink() ? " (a symlink to " + e.linkTarget() + ")" : "; list it to see what it is"));
            }
            return ext4.get(part).readFile(loc.innerPath());
        }
        throw unreadable(path, part);
    }

    private static InvalidInputException notFound(String path) {
        return new InvalidInputException(path + ": no such file or directory in the image");
    }

    /**
     * Why {@code path} on partition {@code part} cannot be read, as the kind of failure it is: a refused feature
     * (casefold, encrypt) stays unsupported and damage stays corrupt, whatever path ran into it.
     */
    public hydrapi.HydrapiException unreadable(String path, int part) {
        hydrapi.HydrapiException p = problems.get(part);
        String msg = path + ": partition " + part + " cannot be read: "
                + (p != null ? p.getMessage() : "no FAT or ext4 filesystem recognised there");
        return p instanceof hydrapi.CorruptImageException ? new hydrapi.CorruptImageException(msg, p)
                : new hydrapi.UnsupportedImageException(msg, p);
    }
}
