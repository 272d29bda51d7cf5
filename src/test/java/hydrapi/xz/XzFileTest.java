// SPDX-License-Identifier: Apache-2.0
package hydrapi.xz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.CorruptImageException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class XzFileTest {

    @TempDir
    Path dir;

    private Path raw;
    private byte[] data;

    @BeforeEach
    void makeData() throws IOException {
        data = XzTestFiles.imageLike(new Random(XzTestFiles.seed("hydrapi.xz.fileSeed", 11L)), 700_001, 16 << 10);
        raw = XzTestFiles.temp(dir, "raw.img", data);
    }

    /** Every Stream and Block as {@code xz --robot -lvv} lists them, field by field. */
    private static void assertMatchesXzList(Path xz, List<XzStreamInfo> streams) throws IOException {
        List<XzTestFiles.RobotStream> rs = XzTestFiles.robotStreams(xz);
        List<XzTestFiles.RobotBlock> rb = XzTestFiles.robotBlocks(xz);
        assertEquals(rs.size(), streams.size(), "stream count");
        int blockNo = 0;
        for (int s = 0; s < streams.size(); s++) {
            XzStreamInfo si = streams.get(s);
            assertEquals(rs.get(s).compOffset(), si.fileOffset(), "stream " + (s + 1) + " offset");
            assertEquals(rs.get(s).blocks(), si.blocks().size(), "stream " + (s + 1) + " blocks");
            assertEquals(rs.get(s).uncompSize(), si.uncompressedSize(), "stream " + (s + 1) + " size");
            assertEquals("CRC64", rs.get(s).check());
            assertEquals(4, si.checkType());
            for (XzBlockInfo b : si.blocks()) {
                XzTestFiles.RobotBlock r = rb.get(blockNo++);
                String where = "stream " + (s + 1) + " block " + (b.index() + 1);
                assertEquals(r.block(), b.index() + 1, where);
                assertEquals(r.compOffset(), b.compressedOffset(), where + " offset");
                assertEquals(r.uncompOffset(), b.uncompressedOffset(), where + " uncompressed offset");
                assertEquals(r.totalSize(), b.paddedSize(), where + " total size");
                assertEquals(r.uncompSize(), b.uncompressedSize(), where + " uncompressed size");
                assertEquals(r.headerSize() + r.compSize() + 8, b.unpaddedSize(), where + " unpadded size");
                assertEquals(r.flags().equals("cu"), b.sizesInHeader(), where + " flags " + r.flags());
            }
        }
        assertEquals(rb.size(), blockNo, "block count");
    }

    @Test
    void readStructure_xzUtilsMultiBlock_matchesXzList() throws IOException {
        Path xz = XzTestFiles.temp(dir, "mt.xz", XzTestFiles.xzUtils(raw, "-T2", "--block-size=64KiB", "-3"));
        List<XzStreamInfo> s = XzFile.readStructure(xz);
        assertEquals(11, s.get(0).blocks().size());
        assertTrue(s.get(0).blocks().get(0).sizesInHeader());
        assertMatchesXzList(xz, s);
    }

    @Test
    void readStructure_xzUtilsSingleThread_oneBlockWithoutSizes() throws IOException {
        Path xz = XzTestFiles.temp(dir, "st.xz", XzTestFiles.xzUtils(raw, "-T1", "-3"));
        List<XzStreamInfo> s = XzFile.readStructure(xz);
        assertEquals(1, s.get(0).blocks().size());
        assertFalse(s.get(0).blocks().get(0).sizesInHeader());
        assertMatchesXzList(xz, s);
    }

    @Test
    void readStructure_concatenatedStreamsWithPadding_allStreams() throws IOException {
        byte[] one = XzTestFiles.xzUtils(raw, "-T2", "--block-size=100KiB", "-1");
        byte[] two = XzTestFiles.ourXz(Arrays.copyOf(data, 300_000), 1, 128 << 10, 1);
        ByteArrayOutputStream cat = new ByteArrayOutputStream();
        cat.write(one);
        cat.write(new byte[4]);
        cat.write(two);
        cat.write(new byte[8]);
        cat.write(one);
        Path xz = XzTestFiles.temp(dir, "cat.xz", cat.toByteArray());

        List<XzStreamInfo> s = XzFile.readStructure(xz);

        assertEquals(3, s.size());
        assertEquals(one.length + 4, s.get(1).fileOffset());
        assertEquals(one.length + 4 + two.length + 8, s.get(2).fileOffset());
        assertEquals(3, s.get(1).blocks().size());
        assertEquals(data.length + 300_000, s.get(2).blocks().get(0).uncompressedOffset());
        assertMatchesXzList(xz, s);
        List<XzTestFiles.RobotStream> rs = XzTestFiles.robotStreams(xz);
        assertEquals(4, rs.get(0).padding());
        assertEquals(8, rs.get(1).padding());
    }

    @Test
    void readStructure_trailingPaddingAndOurWriter_accepted() throws IOException {
        byte[] ours = XzTestFiles.ourXz(data, 2, 128 << 10, 1);
        Path xz = XzTestFiles.temp(dir, "padded.xz", Arrays.copyOf(ours, ours.length + 12));
        List<XzStreamInfo> s = XzFile.readStructure(xz);
        assertEquals(1, s.size());
        assertEquals(6, s.get(0).blocks().size());
        assertMatchesXzList(xz, s);
    }

    /**
     * A 6 GiB sparse file whose Blocks' Compressed Data are holes: enough for the structure (never decoded here),
     * and offsets beyond 4 GiB exercise the 64-bit arithmetic. xz -lvv reads the same headers and Index.
     */
    @Test
    void readStructure_severalGigabytes_offsetsBeyond4GiB() throws IOException {
        long[] dataSizes = {5L << 30, 1L << 30, 4096 + 1};
        long[] uncompressed = {6L << 30, 3L << 30, 1 << 20};
        Path xz = dir.resolve("huge.xz");
        List<XzIndex.Entry> index = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(xz,
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long pos = write(ch, 0, XzStreamFlags.encodeHeader(XzCheck.CRC64));
            for (int i = 0; i < dataSizes.length; i++) {
                byte[] h = XzBlockHeader.encodeLzma2(dataSizes[i], uncompressed[i], 0x16);
                write(ch, pos, h);
                XzIndex.Entry e = new XzIndex.Entry(h.length + dataSizes[i] + 8, uncompressed[i]);
                index.add(e);
                pos += e.paddedSize();
            }
            byte[] idx = XzIndex.encode(index);
            pos = write(ch, pos, idx);
            write(ch, pos, XzStreamFlags.encodeFooter(XzCheck.CRC64, idx.length));
        }
        assertTrue(Files.size(xz) > (6L << 30));

        List<XzStreamInfo> s = XzFile.readStructure(xz);

        XzBlockInfo last = s.get(0).blocks().get(2);
        assertEquals(9L << 30, last.uncompressedOffset());
        assertTrue(last.compressedOffset() > (6L << 30));
        assertMatchesXzList(xz, s);
    }

    private static long write(FileChannel ch, long pos, byte[] b) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(b);
        long p = pos;
        while (bb.hasRemaining()) {
            p += ch.write(bb, p);
        }
        return p;
    }

    @Test
    void readStructure_badMagic_corruptNamingOffset() throws IOException {
        byte[] ours = XzTestFiles.ourXz(data, 1, 128 << 10, 1);
        ours[1] ^= 1;
        Path xz = XzTestFiles.temp(dir, "magic.xz", ours);
        CorruptImageException e = assertThrows(CorruptImageException.class, () -> XzFile.readStructure(xz));
        assertTrue(e.getMessage().contains("byte 0"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void readStructure_indexCrcDamaged_corruptNamingIndex() throws IOException {
        byte[] ours = XzTestFiles.ourXz(data, 1, 128 << 10, 1);
        int indexCrcByte = ours.length - 12 - 1;
        ours[indexCrcByte] ^= 0x10;
        Path xz = XzTestFiles.temp(dir, "index.xz", ours);
        CorruptImageException e = assertThrows(CorruptImageException.class, () -> XzFile.readStructure(xz));
        assertTrue(e.getMessage().contains("Index CRC32 mismatch in the Index at offset"), e.getMessage());
    }

    @Test
    void readStructure_truncated_corrupt() throws IOException {
        byte[] ours = XzTestFiles.ourXz(data, 1, 128 << 10, 1);
        Path xz = XzTestFiles.temp(dir, "trunc.xz", Arrays.copyOf(ours, ours.length - 40));
        CorruptImageException e = assertThrows(CorruptImageException.class, () -> XzFile.readStructure(xz));
        assertTrue(e.getMessage().contains("Stream Footer"), e.getMessage());
    }

    @Test
    void readStructure_notXz_corrupt() throws IOException {
        assertThrows(CorruptImageException.class, () -> XzFile.readStructure(raw));
        Path empty = XzTestFiles.temp(dir, "empty", new byte[0]);
        assertThrows(CorruptImageException.class, () -> XzFile.readStructure(empty));
    }

    @Test
    void hasXzMagic_onlyForXzHeader() throws IOException {
        byte[] ours = XzTestFiles.ourXz(data, 1, 128 << 10, 1);
        assertTrue(XzFile.hasXzMagic(Arrays.copyOf(ours, 6)));
        assertFalse(XzFile.hasXzMagic(Arrays.copyOf(data, 6)));
        assertFalse(XzFile.hasXzMagic(new byte[3]));
        assertFalse(XzFile.hasXzMagic(Files.readAllBytes(raw)));
    }
}
