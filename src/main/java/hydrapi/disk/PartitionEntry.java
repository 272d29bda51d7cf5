// SPDX-License-Identifier: Apache-2.0
package hydrapi.disk;

/**
 * One primary MBR partition entry (16 bytes at 0x1BE + 16 × (index-1)): boot flag at +0, type at +4,
 * first LBA at +8, sector count at +12.
 */
public record PartitionEntry(int index, boolean bootable, int type, long startLba, long sectorCount) {

    public static final int SECTOR_BYTES = 512;

    public long startBytes() {
        return startLba * SECTOR_BYTES;
    }

    public long sizeBytes() {
        return sectorCount * SECTOR_BYTES;
    }

    public long endBytes() {
        return startBytes() + sizeBytes();
    }

    public boolean isExtended() {
        return type == 0x05 || type == 0x0F || type == 0x85;
    }

    /** A short human name for the type byte, as fdisk's table names them. */
    public String typeName() {
        return switch (type) {
            case 0x01 -> "FAT12";
            case 0x04, 0x06, 0x0E -> "FAT16";
            case 0x0B, 0x0C -> "W95 FAT32";
            case 0x05, 0x0F, 0x85 -> "Extended";
            case 0x07 -> "NTFS/exFAT";
            case 0x82 -> "Linux swap";
            case 0x83 -> "Linux";
            case 0xEE -> "GPT protective";
            default -> String.format("type 0x%02x", type);
        };
    }
}
