// SPDX-License-Identifier: Apache-2.0
package hydrapi.fat;

import hydrapi.io.LittleEndian;

/**
 * The FAT32 FSInfo sector: a free-cluster count and a next-free hint, both only advisory (fatgen103 §5).
 * A sector with bad signatures is kept as "absent" and never rewritten.
 */
final class FsInfo {

    static final int FSI_LEAD_SIG = 0x000;
    static final int FSI_STRUC_SIG = 0x1E4;
    static final int FSI_FREE_COUNT = 0x1E8;
    static final int FSI_NXT_FREE = 0x1EC;
    static final int FSI_TRAIL_SIG = 0x1FC;
    static final long UNKNOWN = 0xFFFFFFFFL;

    private final byte[] sector;

    private FsInfo(byte[] sector) {
        this.sector = sector;
    }

    static FsInfo parse(byte[] sector) {
        return new FsInfo(sector.clone());
    }

    boolean valid() {
        return LittleEndian.u32(sector, FSI_LEAD_SIG) == 0x41615252L
                && LittleEndian.u32(sector, FSI_STRUC_SIG) == 0x61417272L
                && LittleEndian.u32(sector, FSI_TRAIL_SIG) == 0xAA550000L;
    }

    long freeCount() {
        return LittleEndian.u32(sector, FSI_FREE_COUNT);
    }

    long nextFree() {
        return LittleEndian.u32(sector, FSI_NXT_FREE);
    }

    void update(long freeCount, long nextFree) {
        LittleEndian.put32(sector, FSI_FREE_COUNT, freeCount);
        LittleEndian.put32(sector, FSI_NXT_FREE, nextFree);
    }

    byte[] encode() {
        return sector.clone();
    }
}
