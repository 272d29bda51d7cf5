// SPDX-License-Identifier: Apache-2.0
package hydrapi.boot;

import hydrapi.InvalidInputException;
import hydrapi.ext4.Ext4Volume;
import hydrapi.ext4.Superblock;
import hydrapi.image.ImageView;
import hydrapi.io.FileBlockDevice;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * How big the root is on a raw disk, read with our own readers: the disk, the MBR entry of the partition the image's
 * fstab mounts at /, and its ext4 filesystem (superblock s_blocks_count times the block size). What try compares
 * before and after a boot to show that the guest, not hydrapi, grew its root. {@code journalClean} is false when the
 * journal holds transactions not yet replayed: an online resize journals the superblock, so its size on disk may then
 * be the old one.
 */
public record RootSize(long diskBytes, int partition, long partitionBytes, long filesystemBytes,
                       boolean journalClean) {

    /** The root of {@code view}, a disk of {@code diskBytes}; empty when no ext4 partition is mounted at /. */
    static Optional<RootSize> of(ImageView view, long diskBytes) throws IOException {
        int index;
        try {
            index = view.locate("/").mount().partition();
        } catch (InvalidInputException e) {
            return Optional.empty();
        }
        Optional<Ext4Volume> vol = view.ext4(index);
        if (vol.isEmpty()) {
            return Optional.empty();
        }
        long partitionBytes = view.partitions().stream().filter(p -> p.entry().index() == index).findFirst()
                .orElseThrow().entry().sizeBytes();
        Superblock sb = vol.get().superblock();
        return Optional.of(new RootSize(diskBytes, index, partitionBytes, sb.blocksCount() * sb.blockSize(),
                !vol.get().journalNeedsRecovery()));
    }

    /** The root of a raw disk file. */
    public static Optional<RootSize> read(Path rawDisk) throws IOException {
        try (FileBlockDevice dev = FileBlockDevice.openReadOnly(rawDisk)) {
            return of(ImageView.open(dev, rawDisk.getFileName().toString()), dev.sizeBytes());
        }
    }

    /** Decimal gigabytes, as SD cards are sold ("32 GB" holds about 32 * 10^9 bytes). */
    public static String gb(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f GB", bytes / 1e9);
    }

    /** Binary units, as df and the Pi show a filesystem. */
    public static String gib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
    }
}
