// SPDX-License-Identifier: Apache-2.0
package hydrapi.fat;

import hydrapi.CorruptImageException;
import hydrapi.io.BlockDevice;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One directory's bytes in memory, either the fixed FAT12/16 root region or a cluster chain (fatgen103 §6), with
 * the short entries and the long names they carry. Changed slots stay in memory, marked dirty, until the volume's
 * flush writes them back (as e2fsprogs marks and flushes metadata), so an unflushed volume leaves every
 * existing directory on the device as it was.
 */
final class Directory {

    /** A short entry and the long name tied to it (null if none, or if its LFN entries fail the checksum). */
    record Record(int firstSlot, int slot, String longName, byte[] raw11, int ntRes, int attr, long cluster,
                  long sizeBytes, Instant modified) {

        boolean isDirectory() {
            return (attr & DirectoryEntry.ATTR_DIRECTORY) != 0;
        }

        boolean isDotEntry() {
            return raw11[0] == '.';
        }

        String shortName() {
            return DirectoryEntry.shortName(raw11);
        }

        String name() {
            return longName != null ? longName : DirectoryEntry.displayName(raw11, ntRes);
        }

        FatEntry toEntry() {
            return new FatEntry(name(), shortName(), isDirectory(), isDirectory() ? 0 : sizeBytes, modified);
        }
    }

    private final BlockDevice device;
    private final BootSector boot;
    private final FatType type;
    private final long firstCluster;
    private final List<Long> clusters;
    private byte[] data;
    private final List<Record> records = new ArrayList<>();
    private String label;
    private int orphanLongNameSlots;
    private int endSlot;
    private final java.util.BitSet dirtySlots = new java.util.BitSet();

    private Directory(BlockDevice device, BootSector boot, long firstCluster, List<Long> clusters, byte[] data) {
        this.device = device;
        this.boot = boot;
        this.type = boot.type;
        this.firstCluster = firstCluster;
        this.clusters = clusters;
        this.data = data;
        parse();
    }

    /** The root directory: the fixed region on FAT12/16, the BPB_RootClus chain on FAT32. */
    static Directory root(BlockDevice device, BootSector boot, FatTable fat) throws IOException {
        if (boot.type != FatType.FAT32) {
            byte[] d = device.read(boot.rootDirOffsetBytes(), boot.rootEntryCount * DirectoryEntry.SIZE);
            return new Directory(device, boot, 0, null, d);
        }
        return load(device, boot, fat, boot.rootCluster, "/");
    }

    /** A new directory whose first cluster holds {@code block} (with "." and ".."); all of it is dirty. */
    static Directory fresh(BlockDevice device, BootSector boot, long cluster, byte[] block) {
        List<Long> chain = new ArrayList<>();
        chain.add(cluster);
        Directory d = new Directory(device, boot, cluster, chain, block);
        d.dirtySlots.set(0, d.slotCount());
        return d;
    }

    static Directory load(BlockDevice device, BootSector boot, FatTable fat, long cluster, String path)
            throws IOException {
        List<Long> chain = fat.chain(cluster, "directory " + path);
        if (chain.isEmpty()) {
            throw new CorruptImageException("boot partition: directory " + path + " has no cluster; run fsck.fat");
        }
        long cb = boot.clusterBytes();
        if (chain.size() * cb > Integer.MAX_VALUE - 8) {
            throw new CorruptImageException("boot partition: directory " + path + " spans " + chain.size()
                    + " clusters, more than FAT allows (65536 entries); run fsck.fat");
        }
        byte[] d = new byte[(int) (chain.size() * cb)];
        for (int i = 0; i < chain.size(); i++) {
            device.read(boot.clusterOffsetBytes(chain.get(i)), d, (int) (i * cb), (int) cb);
        }
        return new Directory(device, boot, cluster, chain, d);
    }

    private void parse() {
        records.clear();
        label = null;
        orphanLongNameSlots = 0;
        int slots = data.length / DirectoryEntry.SIZE;
        endSlot = slots;
        String[] parts = null;
        int expected = 0;
        int checksum = -1;
        int lfnStart = -1;
        int lfnSlots = 0;
        for (int i = 0; i < slots; i++) {
            int off = i * DirectoryEntry.SIZE;
            int first = data[off] & 0xFF;
            if (first == DirectoryEntry.END) {
                endSlot = i;
                break;
            }
            if (first == DirectoryEntry.FREE) {
                orphanLongNameSlots += lfnSlots;
                parts = null;
                lfnSlots = 0;
                continue;
            }
            if (DirectoryEntry.isLongName(data, off)) {
                int ord = LongNameEntry.ordinal(data, off);
                int sum = LongNameEntry.storedChecksum(data, off);
                if ((ord & LongNameEntry.LAST_LONG_ENTRY) != 0 && (ord & 0x1F) >= 1 && (ord & 0x1F) <= 20) {
                    orphanLongNameSlots += lfnSlots;
                    int n = ord & 0x1F;
                    parts = new String[n + 1];
                    expected = n;
                    checksum = sum;
                    lfnStart = i;
                    lfnSlots = 0;
                } else if (parts == null || ord != expected || sum != checksum) {
                    orphanLongNameSlots += lfnSlots + 1;
                    parts = null;
                    lfnSlots = 0;
                    continue;
                }
                StringBuilder sb = new StringBuilder();
                LongNameEntry.appendChars(data, off, sb);
                parts[expected] = sb.toString();
                expected--;
                lfnSlots++;
                continue;
            }
            byte[] raw = DirectoryEntry.rawName(data, off);
            int attr = DirectoryEntry.attr(data, off);
            String longName = null;
            if (parts != null && expected == 0 && LongNameEntry.checksum(raw) == checksum) {
                StringBuilder sb = new StringBuilder();
                for (int k = 1; k < parts.length; k++) {
                    sb.append(parts[k]);
                }
                longName = sb.length() == 0 ? null : sb.toString();
            } else {
                orphanLongNameSlots += lfnSlots;
            }
            int firstSlot = longName != null ? lfnStart : i;
            parts = null;
            lfnSlots = 0;
            if ((attr & DirectoryEntry.ATTR_VOLUME_ID) != 0) {
                if (label == null && isRoot()) {
                    label = DirectoryEntry.shortName(raw).trim();
                }
                continue;
            }
            records.add(new Record(firstSlot, i, longName, raw, data[off + DirectoryEntry.DIR_NT_RES] & 0x18, attr,
                    DirectoryEntry.firstCluster(data, off, type), DirectoryEntry.size(data, off),
                    DirectoryEntry.modified(data, off)));
        }
        orphanLongNameSlots += lfnSlots;
    }

    private boolean isRoot() {
        return clusters == null || (type == FatType.FAT32 && firstCluster == boot.rootCluster);
    }

    List<Record> records() {
        return records;
    }

    /** The volume label entry's name, or null (meaningful in the root only). */
    String label() {
        return label;
    }

    int orphanLongNameSlots() {
        return orphanLongNameSlots;
    }

    long firstCluster() {
        return firstCluster;
    }

    List<Long> clusters() {
        return clusters;
    }

    boolean fixedRoot() {
        return clusters == null;
    }

    int slotCount() {
        return data.length / DirectoryEntry.SIZE;
    }

    byte[] data() {
        return data;
    }

    /** The first index of {@code n} consecutive reusable slots (deleted, or at/after the end marker), or -1. */
    int findFree(int n) {
        int run = 0;
        for (int i = 0; i < slotCount(); i++) {
            int first = data[i * DirectoryEntry.SIZE] & 0xFF;
            if (i >= endSlot || first == DirectoryEntry.FREE) {
                run++;
                if (run == n) {
                    return i - n + 1;
                }
            } else {
                run = 0;
            }
        }
        return -1;
    }

    /** How many slots are reusable at the tail, so growth needs only {@code n - tail} more slots. */
    int freeTailSlots() {
        int run = 0;
        for (int i = slotCount() - 1; i >= 0; i--) {
            int first = data[i * DirectoryEntry.SIZE] & 0xFF;
            if (i >= endSlot || first == DirectoryEntry.FREE) {
                run++;
            } else {
                break;
            }
        }
        return run;
    }

    /** Appends zeroed clusters, already linked into this directory's chain by the caller; they are dirty. */
    void grow(List<Long> newClusters) {
        int cb = (int) boot.clusterBytes();
        int oldSlots = slotCount();
        data = java.util.Arrays.copyOf(data, data.length + newClusters.size() * cb);
        clusters.addAll(newClusters);
        dirtySlots.set(oldSlots, slotCount());
        parse();
    }

    /**
     * Marks slots [from, from+count) changed and re-parses. If they were taken from the region after the end
     * marker, the slot after them gets a fresh end marker so stale bytes beyond it stay invisible.
     */
    void store(int from, int count) {
        int after = from + count;
        dirtySlots.set(from, after);
        if (after < slotCount() && after > endSlot && (data[after * DirectoryEntry.SIZE] & 0xFF) != 0) {
            java.util.Arrays.fill(data, after * DirectoryEntry.SIZE, (after + 1) * DirectoryEntry.SIZE, (byte) 0);
            dirtySlots.set(after);
        }
        parse();
    }

    boolean dirty() {
        return !dirtySlots.isEmpty();
    }

    /** Writes the changed slots, one device call per run of adjacent changed slots within a cluster. */
    void writeBack() throws IOException {
        int es = DirectoryEntry.SIZE;
        int perCluster = clusters == null ? slotCount() : (int) (boot.clusterBytes() / es);
        int s = dirtySlots.nextSetBit(0);
        while (s >= 0) {
            int end = dirtySlots.nextClearBit(s);
            end = Math.min(end, (s / perCluster + 1) * perCluster);
            long offset = clusters == null ? boot.rootDirOffsetBytes() + (long) s * es
                    : boot.clusterOffsetBytes(clusters.get(s / perCluster)) + (long) (s % perCluster) * es;
            device.write(offset, data, s * es, (end - s) * es);
            s = dirtySlots.nextSetBit(end);
        }
        dirtySlots.clear();
    }

    /** The entry named {@code name}, matched case-insensitively against long names and short names. */
    Optional<Record> find(String name) {
        String upper = ShortName.upper(name);
        for (Record r : records) {
            if (r.isDotEntry()) {
                continue;
            }
            if ((r.longName() != null && r.longName().equalsIgnoreCase(name)) || r.shortName().equals(upper)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}
