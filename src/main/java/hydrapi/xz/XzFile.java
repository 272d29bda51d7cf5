// SPDX-License-Identifier: Apache-2.0
package hydrapi.xz;

import hydrapi.CorruptImageException;
import hydrapi.UnsupportedImageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The structure of an .xz file read from its Stream Footers, Indexes and Block Headers only, no decoding.
 * Streams are found from the end backwards, as liblzma's lzma_file_info decoder does (xz-file-format.txt §2:
 * File = Stream [Stream Padding] Stream ...).
 */
public final class XzFile {

    /** Over ~8 million Blocks: far beyond any image, and Imager itself refuses Indexes of 1 MB or more. */
    private static final long MAX_INDEX_BYTES = 64L << 20;

    private XzFile() {
    }

    public static boolean hasXzMagic(byte[] first6) {
        return first6 != null && first6.length >= 6 && Arrays.equals(first6, 0, 6, XzStreamFlags.HEADER_MAGIC, 0, 6);
    }

    /** All Streams in file order; throws CorruptImageException saying which structure at which offset is bad. */
    public static List<XzStreamInfo> readStructure(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return readStructure(ch, file.getFileName().toString());
        }
    }

    static List<XzStreamInfo> readStructure(FileChannel ch, String name) throws IOException {
        long size = ch.size();
        byte[] magic = read(ch, 0, (int) Math.min(6, size), name);
        if (!hasXzMagic(magic)) {
            throw new CorruptImageException(name + ": not an .xz file (no xz magic FD 37 7A 58 5A 00 at byte 0);"
                    + " give an .img.xz file");
        }
        if (size % 4 != 0) {
            throw corrupt(name, "size " + size + " is not a multiple of 4 (truncated, or garbage at the end)");
        }
        List<XzStreamInfo> reversed = new ArrayList<>();
        long pos = size;
        while (pos > 0) {
            pos = skipStreamPadding(ch, pos);
            if (pos == 0) {
                throw corrupt(name, "the file starts with zero bytes, not a Stream Header");
            }
            XzStreamInfo s = readStream(ch, pos, name);
            reversed.add(s);
            pos = s.fileOffset();
        }
        Collections.reverse(reversed);
        return withUncompressedOffsets(reversed);
    }

    /** One Stream ending at {@code end}, with its Block Headers read; uncompressed offsets are filled in later. */
    private static XzStreamInfo readStream(FileChannel ch, long end, String name) throws IOException {
        if (end < 2L * XzStreamFlags.SIZE + 8) {
            throw corrupt(name, "the bytes before offset " + end + " are too short to be an xz Stream");
        }
        long footerAt = end - XzStreamFlags.SIZE;
        long[] footer;
        try {
            footer = XzStreamFlags.parseFooter(read(ch, footerAt, XzStreamFlags.SIZE, name));
        } catch (Vli.FormatError e) {
            throw corrupt(name, e.getMessage() + " at offset " + footerAt
                    + " (file truncated, or garbage after the last Stream)");
        }
        int checkType = (int) footer[0];
        long indexSize = footer[1];
        long indexAt = footerAt - indexSize;
        if (indexAt < XzStreamFlags.SIZE) {
            throw corrupt(name, "Stream Footer at offset " + footerAt + " gives an Index of " + indexSize
                    + " bytes, larger than the data before it");
        }
        if (indexSize > MAX_INDEX_BYTES) {
            throw new UnsupportedImageException(name + ": Index of " + indexSize + " bytes at offset " + indexAt
                    + " is over the " + MAX_INDEX_BYTES + "-byte limit; recompress with larger blocks");
        }
        List<XzIndex.Entry> entries;
        try {
            entries = XzIndex.parse(read(ch, indexAt, (int) indexSize, name));
        } catch (Vli.FormatError e) {
            throw corrupt(name, e.getMessage() + " in the Index at offset " + indexAt);
        }
        long blocksBytes = 0;
        for (XzIndex.Entry e : entries) {
            blocksBytes += e.paddedSize();
            if (blocksBytes > indexAt) {
                throw corrupt(name, "the Index at offset " + indexAt + " lists more Block bytes than precede it");
            }
        }
        long start = indexAt - blocksBytes - XzStreamFlags.SIZE;
        if (start < 0) {
            throw corrupt(name, "the Index at offset " + indexAt + " lists more Block bytes than precede it");
        }
        int headerCheck;
        try {
            headerCheck = XzStreamFlags.parseHeader(read(ch, start, XzStreamFlags.SIZE, name));
        } catch (Vli.FormatError e) {
            throw corrupt(name, e.getMessage() + " at offset " + start
                    + " (where the Index at offset " + indexAt + " says its Stream starts)");
        }
        if (headerCheck != checkType) {
            throw corrupt(name, "Stream Header at offset " + start + " has check type " + headerCheck
                    + " but its Stream Footer at offset " + footerAt + " has " + checkType);
        }
        List<XzBlockInfo> blocks = new ArrayList<>(entries.size());
        long blockAt = start + XzStreamFlags.SIZE;
        for (int i = 0; i < entries.size(); i++) {
            XzIndex.Entry e = entries.get(i);
            XzBlockHeader h = readBlockHeader(ch, blockAt, e.unpaddedSize(), name, "block " + (i + 1));
            checkHeaderAgainstIndex(h, e, checkType, name, "block " + (i + 1) + " at offset " + blockAt);
            blocks.add(new XzBlockInfo(i, blockAt, e.unpaddedSize(), 0, e.uncompressedSize(), h.sizesInHeader()));
            blockAt += e.paddedSize();
        }
        return new XzStreamInfo(start, checkType, blocks);
    }

    /** Reads and parses the Block Header at {@code at}, which may not extend past the Block's Unpadded Size. */
    static XzBlockHeader readBlockHeader(FileChannel ch, long at, long unpaddedSize, String name, String what)
            throws IOException {
        int headerSize = XzBlockHeader.sizeFromFirstByte(read(ch, at, 1, name)[0] & 0xFF);
        if (headerSize == 0 || headerSize >= unpaddedSize) {
            throw corrupt(name, what + " at offset " + at + ": Block Header size byte "
                    + (headerSize == 0 ? "is 0 (an Index Indicator where the Index lists a Block)"
                            : "gives " + headerSize + " bytes, not less than the Block's Unpadded Size "
                            + unpaddedSize));
        }
        try {
            return XzBlockHeader.parse(read(ch, at, headerSize, name));
        } catch (Vli.FormatError e) {
            throw corrupt(name, what + " at offset " + at + ": " + e.getMessage());
        }
    }

    /** Sizes stored in a Block Header must agree with its Index record (xz-file-format.txt §3.1.3, §3.1.4). */
    static void checkHeaderAgainstIndex(XzBlockHeader h, XzIndex.Entry e, int checkType, String name, String where)
            throws CorruptImageException {
        long dataSize = e.unpaddedSize() - h.headerSize() - XzCheck.size(checkType);
        if (dataSize <= 0) {
            throw corrupt(name, where + ": Index Unpadded Size " + e.unpaddedSize()
                    + " leaves no room for Compressed Data");
        }
        if (h.compressedSize() >= 0 && h.compressedSize() != dataSize) {
            throw corrupt(name, where + ": Block Header Compressed Size " + h.compressedSize()
                    + " != " + dataSize + " from the Index");
        }
        if (h.uncompressedSize() >= 0 && h.uncompressedSize() != e.uncompressedSize()) {
            throw corrupt(name, where + ": Block Header Uncompressed Size " + h.uncompressedSize()
                    + " != " + e.uncompressedSize() + " from the Index");
        }
    }

    /** @return the offset just after the last non-padding byte before {@code end} (a multiple of 4) */
    private static long skipStreamPadding(FileChannel ch, long end) throws IOException {
        long pos = end;
        ByteBuffer buf = ByteBuffer.allocate(4096);
        while (pos > 0) {
            int n = (int) Math.min(buf.capacity(), pos);
            buf.clear().limit(n);
            readFully(ch, buf, pos - n);
            byte[] b = buf.array();
            for (int i = n - 4; i >= 0; i -= 4) {
                if ((b[i] | b[i + 1] | b[i + 2] | b[i + 3]) != 0) {
                    return pos - n + i + 4;
                }
            }
            pos -= n;
        }
        return 0;
    }

    static byte[] read(FileChannel ch, long at, int len, String name) throws IOException {
        if (at < 0 || at + len > ch.size()) {
            throw corrupt(name, "structure at offset " + at + " (+" + len + ") lies outside the file; truncated?");
        }
        ByteBuffer buf = ByteBuffer.allocate(len);
        readFully(ch, buf, at);
        return buf.array();
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long at) throws IOException {
        long pos = at;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new java.io.EOFException("file shrank while reading at byte " + pos);
            }
            pos += n;
        }
    }

    static CorruptImageException corrupt(String name, String what) {
        return new CorruptImageException(name + ": " + what + "; the .xz file is damaged, fetch or write it again");
    }

    private static List<XzStreamInfo> withUncompressedOffsets(List<XzStreamInfo> streams) {
        List<XzStreamInfo> out = new ArrayList<>(streams.size());
        long uncompressed = 0;
        for (XzStreamInfo s : streams) {
            List<XzBlockInfo> blocks = new ArrayList<>(s.blocks().size());
            for (XzBlockInfo b : s.blocks()) {
                blocks.add(new XzBlockInfo(b.index(), b.compressedOffset(), b.unpaddedSize(), uncompressed,
                        b.uncompressedSize(), b.sizesInHeader()));
                uncompressed += b.uncompressedSize();
            }
            out.add(new XzStreamInfo(s.fileOffset(), s.checkType(), blocks));
        }
        return out;
    }
}
