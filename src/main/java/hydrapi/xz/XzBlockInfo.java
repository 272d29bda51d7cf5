// SPDX-License-Identifier: Apache-2.0
package hydrapi.xz;

/**
 * Where one Block lies, from its Stream's Index. {@code compressedOffset} is the file offset of the Block Header;
 * the Block occupies {@code (unpaddedSize + 3) & ~3} bytes from there. {@code index} counts from 0 within its Stream.
 */
public record XzBlockInfo(int index, long compressedOffset, long unpaddedSize, long uncompressedOffset,
        long uncompressedSize, boolean sizesInHeader) {

    /** Bytes the Block occupies in the file, Block Padding included. */
    public long paddedSize() {
        return (unpaddedSize + 3) & ~3L;
    }
}
