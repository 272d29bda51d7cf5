// SPDX-License-Identifier: Apache-2.0
package hydrapi.fat;

import hydrapi.CorruptImageException;
import hydrapi.io.LittleEndian;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * The first copy of the File Allocation Table held in memory: 12-, 16- or 28-bit entries (fatgen103 §4).
 * Only the sectors that hold entries for existing clusters are loaded. Writes mark sectors dirty; the volume
 * writes them to every copy on flush. FAT32 entries keep their reserved high nibble (fatgen103 §4, "the high
 * 4 bits of a FAT32 FAT entry are reserved").
 */
final class FatTable {

    private final FatType type;
    private final byte[] fat;
    private final long maxCluster;
    private final int bytesPerSector;
    private final BitSet dirtySectors = new BitSet();
    private long freeCount;

    FatTable(FatType type, byte[] fat, long clusterCount, int bytesPerSector) {
        this.type = type;
        this.fat = fat;
        this.maxCluster = clusterCount + 1;
        this.bytesPerSector = bytesPerSector;
        for (long c = 2; c <= maxCluster; c++) {
            if (get(c) == 0) {
                freeCount++;
            }
        }
    }

    /** Bytes of the FAT that cover clusters 0..clusterCount+1, rounded up to whole sectors. */
    static int loadedBytes(FatType type, long clusterCount, int bytesPerSector) {
        long n = clusterCount + 2;
        long bytes = switch (type) {
            case FAT12 -> (n * 3 + 1) / 2;
            case FAT16 -> n * 2;
            case FAT32 -> n * 4;
        };
        return (int) ((bytes + bytesPerSector - 1) / bytesPerSector * bytesPerSector);
    }

    long get(long cluster) {
        return switch (type) {
            case FAT12 -> {
                int off = (int) (cluster + cluster / 2);
                int v = LittleEndian.u16(fat, off);
                yield (cluster & 1) == 0 ? v & 0xFFF : v >>> 4;
            }
            case FAT16 -> LittleEndian.u16(fat, (int) (cluster * 2));
            case FAT32 -> LittleEndian.u32(fat, (int) (cluster * 4)) & 0x0FFFFFFFL;
        };
    }

    void set(long cluster, long value) {
        if ((get(cluster) == 0) != (value == 0)) {
            freeCount += value == 0 ? 1 : -1;
        }
        int off;
        switch (type) {
            case FAT12 -> {
                off = (int) (cluster + cluster / 2);
                int v = LittleEndian.u16(fat, off);
                v = (cluster & 1) == 0 ? (v & 0xF000) | (int) value : (v & 0x000F) | (int) value << 4;
                LittleEndian.put16(fat, off, v);
                dirtySectors.set((off + 1) / bytesPerSector);
            }
            case FAT16 -> {
                off = (int) (cluster * 2);
                LittleEndian.put16(fat, off, (int) value);
            }
            default -> {
                off = (int) (cluster * 4);
                long keep = LittleEndian.u32(fat, off) & 0xF0000000L;
                LittleEndian.put32(fat, off, keep | value);
            }
        }
        dirtySectors.set(off / bytesPerSector);
    }

    long endOfChain() {
        return switch (type) {
            case FAT12 -> 0xFFF;
            case FAT16 -> 0xFFFF;
            case FAT32 -> 0x0FFFFFFF;
        };
    }

    boolean isEndOfChain(long value) {
        return value >= endOfChain() - 7;
    }

    boolean isBad(long value) {
        return value == endOfChain() - 8;
    }

    long maxCluster() {
        return maxCluster;
    }

    long freeCount() {
        return freeCount;
    }

    /** The lowest free cluster, or -1; the allocation policy is "lowest free first", so results are deterministic. */
    long lowestFree(long from) {
        for (long c = Math.max(2, from); c <= maxCluster; c++) {
            if (get(c) == 0) {
                return c;
            }
        }
        return -1;
    }

    /** Allocates {@code count} clusters, lowest free first, linked into one chain; returns them in order. */
    List<Long> allocate(long count) {
        if (count > freeCount) {
            throw new IllegalStateException("allocate " + count + " with " + freeCount + " free");
        }
        List<Long> out = new ArrayList<>();
        long c = 1;
        for (long i = 0; i < count; i++) {
            c = lowestFree(c + 1);
            out.add(c);
            set(c, endOfChain());
            if (i > 0) {
                set(out.get((int) i - 1), c);
            }
        }
        return out;
    }

    /**
     * The clusters of the chain starting at {@code first}, or empty for 0; a chain that leaves the cluster range,
     * hits a free or bad entry, or loops is corrupt.
     */
    List<Long> chain(long first, String owner) throws CorruptImageException {
        List<Long> out = new ArrayList<>();
        if (first == 0) {
            return out;
        }
        long c = first;
        while (true) {
            if (c < 2 || c > maxCluster) {
                throw new CorruptImageException("boot partition: " + owner + ": cluster chain reaches " + c
                        + " outside 2.." + maxCluster + "; run fsck.fat");
            }
            out.add(c);
            if (out.size() > maxCluster) {
                throw new CorruptImageException("boot partition: " + owner + ": cluster chain loops; run fsck.fat");
            }
            long next = get(c);
            if (isEndOfChain(next)) {
                return out;
            }
            if (next == 0 || isBad(next)) {
                throw new CorruptImageException("boot partition: " + owner + ": cluster chain hits a "
                        + (next == 0 ? "free" : "bad") + " cluster after " + c + "; run fsck.fat");
            }
            c = next;
        }
    }

    void free(List<Long> clusters) {
        for (long c : clusters) {
            set(c, 0);
        }
    }

    byte[] bytes() {
        return fat;
    }

    BitSet dirtySectors() {
        return dirtySectors;
    }

    int bytesPerSector() {
        return bytesPerSector;
    }
}
