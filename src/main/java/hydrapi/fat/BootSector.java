// SPDX-License-Identifier: Apache-2.0
package hydrapi.fat;

import hydrapi.CorruptImageException;
import hydrapi.UnsupportedImageException;
import hydrapi.io.LittleEndian;
import java.nio.charset.StandardCharsets;

/**
 * The FAT boot sector and its BIOS Parameter Block, validated so that every derived region lies inside the
 * partition. Layout and type determination: Microsoft fatgen103 §3 ("Boot Sector and BPB") and §3.5.
 */
final class BootSector {

    static final int BS_JMP_BOOT = 0x00;
    static final int BS_OEM_NAME = 0x03;
    static final int BPB_BYTS_PER_SEC = 0x0B;
    static final int BPB_SEC_PER_CLUS = 0x0D;
    static final int BPB_RSVD_SEC_CNT = 0x0E;
    static final int BPB_NUM_FATS = 0x10;
    static final int BPB_ROOT_ENT_CNT = 0x11;
    static final int BPB_TOT_SEC16 = 0x13;
    static final int BPB_MEDIA = 0x15;
    static final int BPB_FAT_SZ16 = 0x16;
    static final int BPB_TOT_SEC32 = 0x20;
    static final int BS_VOL_LAB16 = 0x2B;
    static final int BPB_FAT_SZ32 = 0x24;
    static final int BPB_EXT_FLAGS = 0x28;
    static final int BPB_FS_VER = 0x2A;
    static final int BPB_ROOT_CLUS = 0x2C;
    static final int BPB_FS_INFO = 0x30;
    static final int BS_VOL_LAB32 = 0x47;
    static final int SIGNATURE = 0x1FE;

    /** fatgen103 §3.5: fewer clusters than this is FAT12, fewer than {@link #MAX_FAT16} is FAT16. */
    static final long MAX_FAT12 = 4085;
    static final long MAX_FAT16 = 65525;

    final int bytesPerSector;
    final int sectorsPerCluster;
    final int reservedSectors;
    final int numFats;
    final int rootEntryCount;
    final long totalSectors;
    final long fatSectors;
    final int media;
    final int rootCluster;
    final int fsInfoSector;
    final long clusterCount;
    final FatType type;
    final String bpbLabel;

    private BootSector(byte[] s, long partitionBytes) throws CorruptImageException, UnsupportedImageException {
        if (new String(s, BS_OEM_NAME, 8, StandardCharsets.ISO_8859_1).equals("EXFAT   ")) {
            throw new UnsupportedImageException("boot partition: exFAT is not supported; use a FAT16 or FAT32 partition");
        }
        int jmp = s[BS_JMP_BOOT] & 0xFF;
        if ((jmp != 0xEB && jmp != 0xE9) || LittleEndian.u16(s, SIGNATURE) != 0xAA55) {
            throw new CorruptImageException("boot partition: not a FAT boot sector (jump 0x"
                    + Integer.toHexString(jmp) + ", signature 0x" + Integer.toHexString(LittleEndian.u16(s, SIGNATURE))
                    + "); check the partition table");
        }
        bytesPerSector = LittleEndian.u16(s, BPB_BYTS_PER_SEC);
        if (Integer.bitCount(bytesPerSector) != 1 || bytesPerSector < 512 || bytesPerSector > 4096) {
            throw new UnsupportedImageException("boot partition: FAT sector size " + bytesPerSector
                    + " is not supported (512..4096, a power of two)");
        }
        sectorsPerCluster = LittleEndian.u8(s, BPB_SEC_PER_CLUS);
        if (Integer.bitCount(sectorsPerCluster) != 1 || (long) sectorsPerCluster * bytesPerSector > 65536) {
            throw corrupt("sectors per cluster " + sectorsPerCluster);
        }
        reservedSectors = LittleEndian.u16(s, BPB_RSVD_SEC_CNT);
        numFats = LittleEndian.u8(s, BPB_NUM_FATS);
        rootEntryCount = LittleEndian.u16(s, BPB_ROOT_ENT_CNT);
        int totSec16 = LittleEndian.u16(s, BPB_TOT_SEC16);
        totalSectors = totSec16 != 0 ? totSec16 : LittleEndian.u32(s, BPB_TOT_SEC32);
        media = LittleEndian.u8(s, BPB_MEDIA);
        int fatSz16 = LittleEndian.u16(s, BPB_FAT_SZ16);
        fatSectors = fatSz16 != 0 ? fatSz16 : LittleEndian.u32(s, BPB_FAT_SZ32);
        if (reservedSectors < 1 || numFats < 1 || numFats > 4 || fatSectors < 1) {
            throw corrupt("reserved sectors " + reservedSectors + ", FAT count " + numFats + ", FAT sectors " + fatSectors);
        }
        if (totalSectors * bytesPerSector > partitionBytes) {
            throw corrupt("total sectors " + totalSectors + " exceed the " + partitionBytes + "-byte partition");
        }
        if ((rootEntryCount * 32L) % bytesPerSector != 0) {
            throw corrupt("root entry count " + rootEntryCount + " does not fill whole sectors");
        }
        long dataStart = firstDataSectorUnchecked();
        if (dataStart >= totalSectors) {
            throw corrupt("FATs and root directory (" + dataStart + " sectors) leave no data region in "
                    + totalSectors + " sectors");
        }
        clusterCount = (totalSectors - dataStart) / sectorsPerCluster;
        if (clusterCount < 1 || clusterCount > 0x0FFFFFF5L - 2) {
            throw corrupt("cluster count " + clusterCount);
        }
        type = clusterCount < MAX_FAT12 ? FatType.FAT12 : clusterCount < MAX_FAT16 ? FatType.FAT16 : FatType.FAT32;
        long fatBytesNeeded = type == FatType.FAT12 ? ((clusterCount + 2) * 3 + 1) / 2
                : (clusterCount + 2) * (type == FatType.FAT16 ? 2 : 4);
        if (fatSectors * bytesPerSector < fatBytesNeeded) {
            throw corrupt("FAT of " + fatSectors + " sectors is too small for " + clusterCount + " clusters");
        }
        if (type == FatType.FAT32) {
            if (rootEntryCount != 0 || fatSz16 != 0 || totSec16 != 0) {
                throw corrupt("FAT32 by cluster count but FAT12/16 fields set");
            }
            if (LittleEndian.u16(s, BPB_FS_VER) != 0) {
                throw new UnsupportedImageException("boot partition: FAT32 version "
                        + LittleEndian.u16(s, BPB_FS_VER) + " is not supported (only 0.0)");
            }
            if ((LittleEndian.u16(s, BPB_EXT_FLAGS) & 0x80) != 0) {
                throw new UnsupportedImageException("boot partition: FAT mirroring is disabled (BPB_ExtFlags bit 7);"
                        + " not supported");
            }
            long root = LittleEndian.u32(s, BPB_ROOT_CLUS);
            if (root < 2 || root >= clusterCount + 2) {
                throw corrupt("root cluster " + root + " outside 2.." + (clusterCount + 1));
            }
            rootCluster = (int) root;
            int fsInfo = LittleEndian.u16(s, BPB_FS_INFO);
            fsInfoSector = fsInfo == 0 || fsInfo >= reservedSectors ? -1 : fsInfo;
            bpbLabel = label(s, BS_VOL_LAB32);
        } else {
            if (rootEntryCount == 0) {
                throw corrupt(type + " by cluster count but no root directory entries");
            }
            rootCluster = 0;
            fsInfoSector = -1;
            bpbLabel = label(s, BS_VOL_LAB16);
        }
    }

    static BootSector parse(byte[] sector0, long partitionBytes) throws CorruptImageException, UnsupportedImageException {
        return new BootSector(sector0, partitionBytes);
    }

    private static String label(byte[] s, int off) {
        // The extended boot signature 0x29 says BS_VolLab is present (fatgen103 §3.2, BS_BootSig).
        int sigOff = off == BS_VOL_LAB32 ? 0x42 : 0x26;
        if ((s[sigOff] & 0xFF) != 0x29) {
            return "";
        }
        return new String(s, off, 11, StandardCharsets.ISO_8859_1).trim();
    }

    private long firstDataSectorUnchecked() {
        return reservedSectors + numFats * fatSectors + rootDirSectors();
    }

    long rootDirSectors() {
        return rootEntryCount * 32L / bytesPerSector;
    }

    long clusterBytes() {
        return (long) sectorsPerCluster * bytesPerSector;
    }

    long fatOffsetBytes(int copy) {
        return (reservedSectors + copy * fatSectors) * bytesPerSector;
    }

    long rootDirOffsetBytes() {
        return (reservedSectors + numFats * fatSectors) * bytesPerSector;
    }

    long clusterOffsetBytes(long cluster) {
        return (firstDataSectorUnchecked() + (cluster - 2) * sectorsPerCluster) * bytesPerSector;
    }

    private static CorruptImageException corrupt(String what) {
        return new CorruptImageException("boot partition: inconsistent FAT BPB: " + what
                + "; the boot sector is damaged, run fsck.fat");
    }
}
