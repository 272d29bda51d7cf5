// SPDX-License-Identifier: Apache-2.0
package hydrapi.xz;

import java.util.List;

/**
 * One Stream of an .xz file: where its Stream Header starts, its Check ID (xz-file-format.txt §2.1.1.2: 0 none,
 * 1 CRC32, 4 CRC64, 10 SHA-256) and its Blocks in order. Uncompressed offsets count from the start of the file's
 * decoded data, across Streams.
 */
public record XzStreamInfo(long fileOffset, int checkType, List<XzBlockInfo> blocks) {

    public XzStreamInfo {
        blocks = List.copyOf(blocks);
    }

    public long uncompressedSize() {
        long n = 0;
        for (XzBlockInfo b : blocks) {
            n += b.uncompressedSize();
        }
        return n;
    }
}
