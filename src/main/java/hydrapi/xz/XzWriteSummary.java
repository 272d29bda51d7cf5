// SPDX-License-Identifier: Apache-2.0
package hydrapi.xz;

/**
 * What {@link ParallelXzWriter} produced: sizes in bytes, Blocks written, how many of them were all zeros, how many
 * were copied unchanged from the base by {@link ParallelXzWriter#writeReusing}, and how many of the others were
 * taken from a {@link CompressedBlockCache} instead of being compressed.
 */
public record XzWriteSummary(long uncompressedBytes, long compressedBytes, int blocks, int zeroBlocks,
        int reusedBlocks, int cachedBlocks) {

    /** A summary of a write that took nothing from a cache. */
    public XzWriteSummary(long uncompressedBytes, long compressedBytes, int blocks, int zeroBlocks,
            int reusedBlocks) {
        this(uncompressedBytes, compressedBytes, blocks, zeroBlocks, reusedBlocks, 0);
    }

    /** A summary of a write that reused nothing. */
    public XzWriteSummary(long uncompressedBytes, long compressedBytes, int blocks, int zeroBlocks) {
        this(uncompressedBytes, compressedBytes, blocks, zeroBlocks, 0);
    }

    /** Blocks compressed by this run (zero Blocks included), i.e. not copied from the base. */
    public int recompressedBlocks() {
        return blocks - reusedBlocks;
    }
}
