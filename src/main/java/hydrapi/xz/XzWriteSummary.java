// SPDX-License-Identifier: Apache-2.0
package hydrapi.xz;

/** What {@link ParallelXzWriter#write} produced: sizes in bytes, blocks written, and how many were all zeros. */
public record XzWriteSummary(long uncompressedBytes, long compressedBytes, int blocks, int zeroBlocks) {
}
