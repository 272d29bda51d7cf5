// SPDX-License-Identifier: Apache-2.0
package hydrapi.xz;

/**
 * One Block's payload before its header is written: raw LZMA2 data ({@code data[0, dataLength)}, never modified
 * after creation, possibly shared by every all-zero block of the same size), uncompressed size and Check field;
 * {@code cached}: the data came from a {@link CompressedBlockCache} instead of the encoder.
 */
record EncodedBlock(byte[] data, int dataLength, long uncompressedSize, byte[] check, boolean zero, boolean cached) {

    EncodedBlock(byte[] data, int dataLength, long uncompressedSize, byte[] check, boolean zero) {
        this(data, dataLength, uncompressedSize, check, zero, false);
    }
}
