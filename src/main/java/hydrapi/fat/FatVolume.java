// SPDX-License-Identifier: Apache-2.0
package hydrapi.fat;

import hydrapi.CorruptImageException;
import hydrapi.ImageFullException;
import hydrapi.InvalidInputException;
import hydrapi.UnsupportedImageException;
import hydrapi.io.BlockDevice;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A FAT12/16/32 filesystem on a partition: read everything, write files and directories on FAT16/32.
 *
 * <p>Rules this class keeps:
 * <ul>
 *   <li>the FAT, FSInfo and directory entries live in memory and reach the device only in {@link #flush()}; file
 *       data is written at once, into clusters the on-disk FAT still calls free (or the replaced file's own);</li>
 *   <li>every write checks names, parents and space before it changes anything;</li>
 *   <li>clusters are allocated lowest free first (a replaced file's freed clusters included), so the same calls on
 *       the same image give the same bytes; FSInfo's next-free hint is written as the lowest free cluster;</li>
 *   <li>new names that are 8.3 in one case per part get no long-name entries, only the NT lowercase flags
 *       (DIR_NTRes 0x08/0x10), as Linux vfat and mtools write them.</li>
 * </ul>
 */
public final class FatVolume {

    private static final Instant FAT_EPOCH = Instant.parse("1980-01-01T00:00:00Z");
    /** fatgen103 §6: a directory may not exceed 65536 32-byte entries. */
    private static final int MAX_DIR_SLOTS = 65536;

    private final BlockDevice device;
    private final BootSector boot;
    private final FatTable fat;
    private final FsInfo fsInfo;
    private final String label;
    private boolean modified;
    /** Directories read so far, by first cluster (0 = fixed root); changed ones are written back by flush. */
    private final TreeMap<Long, Directory> directories = new TreeMap<>();

    private FatVolume(BlockDevice device, BootSector boot, FatTable fat, FsInfo fsInfo) throws IOException {
        this.device = device;
        this.boot = boot;
        this.fat = fat;
        this.fsInfo = fsInfo;
        String rootLabel = rootDirectory().label();
        String l = rootLabel != null ? rootLabel : boot.bpbLabel;
        this.label = l.equals("NO NAME") ? "" : l;
    }

    /**
     * Reads the boot sector, the first FAT and FSInfo. Not a FAT boot sector or an inconsistent BPB is a
     * CorruptImageException; exFAT, odd sector sizes or disabled FAT mirroring an UnsupportedImageException.
     */
    public static FatVolume open(BlockDevice partition) throws IOException {
        if (partition.sizeBytes() < 512) {
            throw new CorruptImageException("boot partition: " + partition.sizeBytes()
                    + " bytes is too small for a FAT boot sector; check the partition table");
        }
        BootSector boot = BootSector.parse(partition.read(0, 512), partition.sizeBytes());
        int fatBytes = FatTable.loadedBytes(boot.type, boot.clusterCount, boot.bytesPerSector);
        FatTable fat = new FatTable(boot.type, partition.read(boot.fatOffsetBytes(0), fatBytes), boot.clusterCount,
                boot.bytesPerSector);
        FsInfo fsInfo = null;
        if (boot.fsInfoSector > 0) {
            fsInfo = FsInfo.parse(partition.read((long) boot.fsInfoSector * boot.bytesPerSector, 512));
        }
        return new FatVolume(partition, boot, fat, fsInfo);
    }

    public FatType type() {
        return boot.type;
    }

    /** The root directory's volume-label entry, else the BPB label; "NO NAME" reads as empty. */
    public String label() {
        return label;
    }

    public long clusterBytes() {
        return boot.clusterBytes();
    }

    /** Free clusters counted in the in-memory FAT (never FSInfo's advisory count), in bytes. */
    public long freeBytes() {
        return fat.freeCount() * boot.clusterBytes();
    }

    /** The entry at an absolute path, matched case-insensitively; empty if it or a parent is missing. */
    public Optional<FatEntry> stat(String path) throws IOException {
        List<String> names = FatPath.split(path);
        if (names.isEmpty()) {
            return Optional.of(new FatEntry("/", "", true, 0, FAT_EPOCH));
        }
        Directory dir = rootDirectory();
        String walked = "";
        for (int i = 0; i < names.size(); i++) {
            Optional<Directory.Record> r = dir.find(names.get(i));
            if (r.isEmpty()) {
                return Optional.empty();
            }
            if (i == names.size() - 1) {
                return Optional.of(r.get().toEntry());
            }
            if (!r.get().isDirectory()) {
                return Optional.empty();
            }
            walked += "/" + names.get(i);
            dir = subdirectory(r.get(), walked);
        }
        throw new IllegalStateException("unreachable");
    }

    /** A directory's entries in on-disk order, without ".", ".." and the volume label. */
    public List<FatEntry> list(String dirPath) throws IOException {
        Directory dir = directory(FatPath.split(dirPath), dirPath);
        List<FatEntry> out = new ArrayList<>();
        for (Directory.Record r : dir.records()) {
            if (!r.isDotEntry()) {
                out.add(r.toEntry());
            }
        }
        return out;
    }

    /** The most {@link #readFile} reads into memory, as ext4's reader. */
    public static final long MAX_READ_BYTES = 256L << 20;

    public byte[] readFile(String path) throws IOException {
        List<String> names = FatPath.split(path);
        if (names.isEmpty()) {
            throw new InvalidInputException("FAT path " + path + " is a directory, not a file");
        }
        Directory dir = directory(names.subList(0, names.size() - 1), path);
        Directory.Record r = dir.find(names.get(names.size() - 1)).orElseThrow(() -> new InvalidInputException(
                "FAT path " + path + " does not exist in the boot partition; check the name"));
        if (r.isDirectory()) {
            throw new InvalidInputException("FAT path " + path + " is a directory, not a file");
        }
        long size = r.sizeBytes();
        if (size == 0) {
            return new byte[0];
        }
        if (size > MAX_READ_BYTES) {
            throw new UnsupportedImageException("boot partition: file " + path + " is " + size + " bytes, more than"
                    + " the " + (MAX_READ_BYTES >> 20) + " MiB hydrapi reads into memory");
        }
        List<Long> chain = fat.chain(r.cluster(), "file " + path);
        long cb = boot.clusterBytes();
        if (size > Integer.MAX_VALUE - 8 || chain.size() < (size + cb - 1) / cb) {
            throw new CorruptImageException("boot partition: file " + path + " claims " + size + " bytes but its"
                    + " cluster chain holds " + chain.size() * cb + "; run fsck.fat");
        }
        byte[] out = new byte[(int) size];
        ClusterIo.read(device, boot, chain, out);
        return out;
    }

    /**
     * Creates or replaces a file. A replaced file keeps its directory entry (8.3 name, long name, creation time);
     * its clusters are freed first, so they are reused. The parent must exist (InvalidInputException); space is
     * checked before anything changes (ImageFullException). FAT12 volumes are refused for writing.
     */
    public void writeFile(String path, byte[] content, Instant mtime) throws IOException {
        requireWritable(path);
        List<String> names = FatPath.split(path);
        if (names.isEmpty()) {
            throw new InvalidInputException("FAT path " + path + " is the root directory, not a file");
        }
        String name = names.get(names.size() - 1);
        ShortName.validateLongName(name, path);
        Directory dir = directory(names.subList(0, names.size() - 1), path);
        Optional<Directory.Record> existing = dir.find(name);
        if (existing.isPresent() && existing.get().isDirectory()) {
            throw new InvalidInputException("FAT path " + path + " is a directory; cannot write a file over it");
        }
        long cb = boot.clusterBytes();
        long dataClusters = (content.length + cb - 1) / cb;
        if (existing.isPresent()) {
            Directory.Record r = existing.get();
            List<Long> old = r.sizeBytes() == 0 && r.cluster() == 0 ? List.of() : fat.chain(r.cluster(), "file " + path);
            requireSpace(path, dataClusters, old.size());
            modified = true;
            fat.free(old);
            List<Long> chain = fat.allocate(dataClusters);
            ClusterIo.write(device, boot, chain, content);
            byte[] d = dir.data();
            int off = r.slot() * DirectoryEntry.SIZE;
            DirectoryEntry.setFirstCluster(d, off, chain.isEmpty() ? 0 : chain.get(0));
            DirectoryEntry.setSize(d, off, content.length);
            DirectoryEntry.setModified(d, off, mtime);
            dir.store(r.slot(), 1);
            return;
        }
        NewEntry entry = NewEntry.plan(dir, name);
        long growth = growthClusters(dir, entry.slots(), path);
        requireSpace(path, dataClusters + growth, 0);
        modified = true;
        List<Long> chain = fat.allocate(dataClusters);
        ClusterIo.write(device, boot, chain, content);
        link(dir, entry, growth, DirectoryEntry.ATTR_ARCHIVE, chain.isEmpty() ? 0 : chain.get(0), content.length, mtime);
    }

    /** {@code mkdir -p}: creates the missing directories, each with one zeroed cluster holding "." and "..". */
    public void mkdirs(String path, Instant mtime) throws IOException {
        requireWritable(path);
        List<String> names = FatPath.split(path);
        Directory dir = rootDirectory();
        String walked = "";
        int i = 0;
        for (; i < names.size(); i++) {
            Optional<Directory.Record> r = dir.find(names.get(i));
            if (r.isEmpty()) {
                break;
            }
            walked += "/" + names.get(i);
            if (!r.get().isDirectory()) {
                throw new InvalidInputException("FAT path " + walked + " is a file, so directory " + path
                        + " cannot be made; remove or rename it");
            }
            dir = subdirectory(r.get(), walked);
        }
        if (i == names.size()) {
            return;
        }
        // Plan every level first: the first goes into an existing directory, the rest into fresh one-cluster ones.
        List<NewEntry> plans = new ArrayList<>();
        long needed = 0;
        int slotsPerCluster = (int) (boot.clusterBytes() / DirectoryEntry.SIZE);
        for (int k = i; k < names.size(); k++) {
            ShortName.validateLongName(names.get(k), path);
            NewEntry e = k == i ? NewEntry.plan(dir, names.get(k)) : NewEntry.planInEmpty(names.get(k));
            plans.add(e);
            needed += 1 + (k == i ? growthClusters(dir, e.slots(), path)
                    : Math.max(0, (2 + e.slots() + slotsPerCluster - 1) / slotsPerCluster - 1));
        }
        requireSpace(path, needed, 0);
        modified = true;
        for (NewEntry e : plans) {
            long cluster = fat.allocate(1).get(0);
            byte[] block = new byte[(int) boot.clusterBytes()];
            long parentCluster = dir.fixedRoot() || dir.firstCluster() == boot.rootCluster ? 0 : dir.firstCluster();
            DirectoryEntry.encode(block, 0, dotName("."), DirectoryEntry.ATTR_DIRECTORY, 0, mtime, cluster, 0);
            DirectoryEntry.encode(block, 32, dotName(".."), DirectoryEntry.ATTR_DIRECTORY, 0, mtime, parentCluster, 0);
            link(dir, e, growthClusters(dir, e.slots(), path), DirectoryEntry.ATTR_DIRECTORY, cluster, 0, mtime);
            walked += "/" + e.name();
            dir = Directory.fresh(device, boot, cluster, block);
            directories.put(cluster, dir);
        }
    }

    /**
     * Checks the volume as it is on the device (flush first): FAT copies, chains, directory entries and FSInfo.
     * Returns one line per problem, empty if clean.
     */
    public List<String> check() throws IOException {
        List<String> problems = new ArrayList<>();
        if (!fat.dirtySectors().isEmpty() || directories.values().stream().anyMatch(Directory::dirty)) {
            problems.add("boot partition: changes not flushed; call flush() before check()");
        }
        problems.addAll(new FatChecker(device, boot).run());
        return problems;
    }

    /** Writes changed directory slots, the changed FAT sectors to every FAT copy, and FSInfo. */
    public void flush() throws IOException {
        for (Directory d : directories.values()) {
            d.writeBack();
        }
        int bps = boot.bytesPerSector;
        byte[] bytes = fat.bytes();
        for (int s = fat.dirtySectors().nextSetBit(0); s >= 0; s = fat.dirtySectors().nextSetBit(s + 1)) {
            for (int copy = 0; copy < boot.numFats; copy++) {
                device.write(boot.fatOffsetBytes(copy) + (long) s * bps, bytes, s * bps, bps);
            }
        }
        fat.dirtySectors().clear();
        if (modified && fsInfo != null && fsInfo.valid()) {
            long next = fat.lowestFree(2);
            fsInfo.update(fat.freeCount(), next < 0 ? FsInfo.UNKNOWN : next);
            device.write((long) boot.fsInfoSector * bps, fsInfo.encode());
        }
        modified = false;
    }

    // ---- internals ----------------------------------------------------------------------------------------

    private void requireWritable(String path) throws UnsupportedImageException {
        if (boot.type == FatType.FAT12) {
            throw new UnsupportedImageException("boot partition: writing FAT12 is not supported (path " + path
                    + "); use a FAT16 or FAT32 boot partition");
        }
    }

    private void requireSpace(String path, long clustersNeeded, long clustersFreed) throws ImageFullException {
        long available = fat.freeCount() + clustersFreed;
        if (clustersNeeded > available) {
            long cb = boot.clusterBytes();
            throw new ImageFullException("boot partition full: " + path + " needs " + clustersNeeded * cb
                    + " bytes (" + clustersNeeded + " clusters of " + cb + "), " + available * cb
                    + " bytes free; make the boot partition larger or write less");
        }
    }

    /** Clusters a directory must grow by to hold {@code slots} consecutive new entries; the fixed root cannot. */
    private long growthClusters(Directory dir, int slots, String path) throws ImageFullException {
        if (dir.findFree(slots) >= 0) {
            return 0;
        }
        if (dir.fixedRoot()) {
            throw new ImageFullException("boot partition: the " + boot.type + " root directory is full ("
                    + dir.slotCount() + " entries) writing " + path + "; use a subdirectory or shorter names");
        }
        int perCluster = (int) (boot.clusterBytes() / DirectoryEntry.SIZE);
        int missing = slots - dir.freeTailSlots();
        long grow = (missing + perCluster - 1) / perCluster;
        if (dir.slotCount() + grow * perCluster > MAX_DIR_SLOTS) {
            throw new ImageFullException("boot partition: directory of " + path + " would exceed 65536 entries;"
                    + " use another directory");
        }
        return grow;
    }

    /** Grows {@code dir} if needed, then writes the long-name entries and the short entry of {@code e}. */
    private void link(Directory dir, NewEntry e, long growth, int attr, long cluster, long size, Instant mtime)
            throws IOException {
        if (growth > 0) {
            List<Long> added = fat.allocate(growth);
            List<Long> chain = dir.clusters();
            fat.set(chain.get(chain.size() - 1), added.get(0));
            dir.grow(added);
        }
        int slot = dir.findFree(e.slots());
        if (slot < 0) {
            throw new IllegalStateException("no free slots after growth");
        }
        ShortName sn = e.shortName(dir);
        byte[] d = dir.data();
        int off = slot * DirectoryEntry.SIZE;
        if (e.longName() != null) {
            LongNameEntry.encode(d, off, e.longName(), LongNameEntry.checksum(sn.raw11()));
            off += (e.slots() - 1) * DirectoryEntry.SIZE;
        }
        DirectoryEntry.encode(d, off, sn.raw11(), attr, sn.ntRes(), mtime, cluster, size);
        dir.store(slot, e.slots());
    }

    private static byte[] dotName(String dots) {
        byte[] raw = "           ".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        for (int i = 0; i < dots.length(); i++) {
            raw[i] = '.';
        }
        return raw;
    }

    private Directory directory(List<String> names, String path) throws IOException {
        Directory dir = rootDirectory();
        String walked = "";
        for (String n : names) {
            walked += "/" + n;
            Directory.Record r = dir.find(n).orElseThrow(() -> new InvalidInputException("FAT path " + path
                    + ": directory does not exist in the boot partition; create it first"));
            if (!r.isDirectory()) {
                throw new InvalidInputException("FAT path " + path + ": " + n + " is a file, not a directory");
            }
            dir = subdirectory(r, walked);
        }
        return dir;
    }

    private Directory rootDirectory() throws IOException {
        long key = boot.type == FatType.FAT32 ? boot.rootCluster : 0;
        Directory d = directories.get(key);
        if (d == null) {
            d = Directory.root(device, boot, fat);
            directories.put(key, d);
        }
        return d;
    }

    private Directory subdirectory(Directory.Record r, String path) throws IOException {
        if (r.cluster() == 0) {
            // Linux and mtools store ".." of a root child as cluster 0; a real subdirectory never has it.
            throw new CorruptImageException("boot partition: directory " + path + " points at cluster 0; run fsck.fat");
        }
        Directory d = directories.get(r.cluster());
        if (d == null) {
            d = Directory.load(device, boot, fat, r.cluster(), path);
            directories.put(r.cluster(), d);
        }
        return d;
    }
}
