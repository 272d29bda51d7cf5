// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

/** One extent leaf entry (ext3_extents.h struct ext3_extent): logical blocks mapped to a physical run. */
public record Extent(long logicalBlock, long physicalBlock, int length, boolean unwritten) {

    /** Longest initialised extent (ee_len ≤ 32768; above that the extent is unwritten, length − 32768). */
    public static final int MAX_INIT_LENGTH = 32768;

    public long logicalEnd() {
        return logicalBlock + length;
    }
}
