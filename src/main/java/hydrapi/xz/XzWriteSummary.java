// SPDX-License-Identifier: Apache-2.0
package hydrapi.xz;

/**
 * What {@link ParallelXzWriter} produced: sizes in bytes, Blocks written, how many of them were all zeros, and how
 * many were copied unchanged from the base by {@link ParallelXzWriter#writeReusing}.
 */
public record XzWriteSummary(long uncompressedBytes, long compressedBytes, int blocks, int zeroBlocks,
        int reusedBlocks) {

    /** A summary of a write that reused nothing. */
    public XzWriteSummary(long uncompressedBytes, long compressedBytes, int blocks, int zeroBlocks) {
        this(uncompressedBytes, compressedBytes, blocks, zeroBlocks, 0);
    }

    /** Blocks compressed by this run (zero Blocks included), i.e. not copied from the base. */
    public int recompressedBlocks() {
        return blocks - reusedBlocks;
    }
}
