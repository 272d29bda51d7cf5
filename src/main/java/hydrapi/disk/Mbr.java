// SPDX-License-Identifier: Apache-2.0
package hydrapi.disk;

import hydrapi.CorruptImageException;
import hydrapi.InvalidInputException;
import hydrapi.UnsupportedImageException;
import hydrapi.io.BlockDevice;
import hydrapi.io.LittleEndian;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The DOS (MBR) partition table of sector 0: disk identifier at 0x1B8, four entries at 0x1BE, signature 0x55AA
 * at 0x1FE. Raspberry Pi OS images use it (pi-gen export-image/prerun.sh: parted mklabel msdos); GPT is refused.
 */
public final class Mbr {

    private static final int DISK_ID = 0x1B8;
    private static final int ENTRIES = 0x1BE;
    private static final int SIGNATURE = 0x1FE;
    private static final int TYPE_GPT_PROTECTIVE = 0xEE;

    private final long diskId;
    private final List<PartitionEntry> partitions;

    private Mbr(long diskId, List<PartitionEntry> partitions) {
        this.diskId = diskId;
        this.partitions = List.copyOf(partitions);
    }

    /** Reads and checks sector 0 of {@code disk}; {@code what} names the input in messages. */
    public static Mbr read(BlockDevice disk, String what) throws IOException {
        if (disk.sizeBytes() < 2 * PartitionEntry.SECTOR_BYTES) {
            throw new InvalidInputException(what + ": " + disk.sizeBytes()
                    + " bytes is too small to be a disk image; give a Raspberry Pi OS .img, .img.xz or .zip");
        }
        byte[] s0 = disk.read(0, PartitionEntry.SECTOR_BYTES);
        if (LittleEndian.u16(s0, SIGNATURE) != 0xAA55) {
            throw new InvalidInputException(what + ": no MBR boot signature 0x55AA in sector 0, so this is not a disk"
                    + " image; give a Raspberry Pi OS .img, .img.xz or .zip");
        }
        byte[] s1 = disk.read(PartitionEntry.SECTOR_BYTES, 8);
        boolean gptHeader = Arrays.equals(s1, "EFI PART".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        List<PartitionEntry> entries = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int o = ENTRIES + 16 * i;
            int boot = LittleEndian.u8(s0, o);
            int type = LittleEndian.u8(s0, o + 4);
            long start = LittleEndian.u32(s0, o + 8);
            long count = LittleEndian.u32(s0, o + 12);
            if (type == TYPE_GPT_PROTECTIVE || gptHeader) {
                throw new UnsupportedImageException(what + ": GPT partition table (protective MBR); only MBR (DOS)"
                        + " disks as Raspberry Pi OS ships them are supported");
            }
            if (type == 0 && count == 0) {
                continue;
            }
            if (boot != 0 && boot != 0x80) {
                throw new CorruptImageException(what + ": partition " + (i + 1) + " has boot flag 0x"
                        + Integer.toHexString(boot) + " (only 0x00 or 0x80 are valid)");
            }
            PartitionEntry e = new PartitionEntry(i + 1, boot == 0x80, type, start, count);
            if (start == 0 || count == 0 || e.endBytes() > disk.sizeBytes()) {
                throw new CorruptImageException(what + ": partition " + (i + 1) + " (sectors " + start + "+" + count
                        + ") lies outside the " + disk.sizeBytes() + "-byte disk; the image is truncated or damaged");
            }
            entries.add(e);
        }
        for (int i = 0; i < entries.size(); i++) {
            for (int j = i + 1; j < entries.size(); j++) {
                PartitionEntry a = entries.get(i);
                PartitionEntry b = entries.get(j);
                if (a.startBytes() < b.endBytes() && b.startBytes() < a.endBytes()) {
                    throw new CorruptImageException(what + ": partitions " + a.index() + " and " + b.index()
                            + " overlap");
                }
            }
        }
        if (entries.isEmpty()) {
            throw new InvalidInputException(what + ": the MBR holds no partitions, so this is not a Raspberry Pi OS"
                    + " image");
        }
        return new Mbr(LittleEndian.u32(s0, DISK_ID), entries);
    }

    /** The 32-bit disk identifier; PARTUUIDs are {@code %08x-%02d} of it and the partition number. */
    public long diskId() {
        return diskId;
    }

    public String partUuid(int index) {
        return String.format("%08x-%02d", diskId, index);
    }

    public List<PartitionEntry> partitions() {
        return partitions;
    }
}
