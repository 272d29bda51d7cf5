// SPDX-License-Identifier: Apache-2.0
package hydrapi.xz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.io.LittleEndian;
import hydrapi.testkit.Oracles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The small format pieces: CRC64, VLI, LZMA2 dictionary byte, Block Header and Index encodings. */
class XzFormatTest {

    @TempDir
    Path dir;

    @Test
    void crc64_checkVectorAndChunking() {
        byte[] nine = "123456789".getBytes(StandardCharsets.US_ASCII);
        Crc64 c = new Crc64();
        c.update(nine, 0, nine.length);
        assertEquals(0x995DC9BBDF1939FAL, c.value()); // xz-file-format.txt §7: CRC64 of "123456789"

        byte[] data = new byte[100_003];
        new Random(8).nextBytes(data);
        org.tukaani.xz.check.CRC64 ref = new org.tukaani.xz.check.CRC64();
        ref.update(data, 0, data.length);
        Crc64 ours = new Crc64();
        // Odd sizes and offsets around the 8-byte steps, and long runs of them.
        int[] chunks = {1, 7, 17, 8, 4096, 9, 30_011};
        for (int off = 0, i = 0; off < data.length; i++) {
            int n = Math.min(chunks[i % chunks.length], data.length - off);
            ours.update(data, off, n);
            off += n;
        }
        assertEquals(LittleEndian.u64(ref.finish(), 0), ours.value());
    }

    @Test
    void vli_roundTripAndRejectsNonMinimal() throws Vli.FormatError {
        long[] values = {0, 1, 127, 128, 16383, 16384, 1L << 35, Long.MAX_VALUE};
        for (long v : values) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            Vli.write(b, v);
            assertEquals(Vli.size(v), b.size());
            byte[] enc = b.toByteArray();
            assertEquals(v, new Vli.Reader(enc, 0, enc.length).vli());
        }
        byte[] nonMinimal = {(byte) 0x81, 0x00};
        assertThrows(Vli.FormatError.class, () -> new Vli.Reader(nonMinimal, 0, 2).vli());
        byte[] tooLong = {-1, -1, -1, -1, -1, -1, -1, -1, -1, 1};
        assertThrows(Vli.FormatError.class, () -> new Vli.Reader(tooLong, 0, tooLong.length).vli());
    }

    @Test
    void lzma2DictProp_knownValues() {
        assertEquals(0x16, XzFilter.lzma2DictProp(8 << 20));
        assertEquals(0x18, XzFilter.lzma2DictProp(16 << 20));
        assertEquals(0x1C, XzFilter.lzma2DictProp(64 << 20));
        assertEquals(0x17, XzFilter.lzma2DictProp((8 << 20) + 1)); // 12 MiB is the next size up
        assertEquals(0, XzFilter.lzma2DictProp(4096));
        for (int p = 0; p < 38; p++) { // from 38 on (2 GiB) the size no longer fits an int
            assertEquals(p, XzFilter.lzma2DictProp((int) XzFilter.lzma2DictSize(p)));
            assertEquals(p + 1, XzFilter.lzma2DictProp((int) XzFilter.lzma2DictSize(p) + 1));
        }
    }

    /** Every preset's dictionary byte, as xz -lvv decodes it from our Block Headers. */
    @Test
    void write_everyPreset_xzListsPresetDictionary() throws IOException {
        String[] dict = {"256KiB", "1MiB", "2MiB", "4MiB", "4MiB", "8MiB", "8MiB", "16MiB", "32MiB", "64MiB"};
        byte[] data = "a few bytes of text, twice: a few bytes of text".getBytes(StandardCharsets.US_ASCII);
        for (int preset = 0; preset <= 9; preset++) {
            Path xz = XzTestFiles.temp(dir, "p" + preset + ".xz", XzTestFiles.ourXz(data, 1, 64 << 20, preset));
            Oracles.assertXzTest(xz);
            String list = Oracles.xzList(xz);
            assertTrue(list.contains("--lzma2=dict=" + dict[preset] + "\n"), "preset " + preset + ":\n" + list);
        }
        // Blocks smaller than the preset's dictionary get a dictionary of their size: no match reaches further.
        Path small = XzTestFiles.temp(dir, "small.xz", XzTestFiles.ourXz(data, 1, 1 << 20, 6));
        Oracles.assertXzTest(small);
        assertTrue(Oracles.xzList(small).contains("--lzma2=dict=1MiB\n"), Oracles.xzList(small));
    }

    @Test
    void blockHeader_encodeParseRoundTrip() throws Vli.FormatError {
        byte[] h = XzBlockHeader.encodeLzma2(3739, 24 << 20, 0x16);
        assertEquals(0, h.length % 4);
        assertEquals(0xC0, h[1] & 0xFF);
        XzBlockHeader p = XzBlockHeader.parse(h);
        assertEquals(h.length, p.headerSize());
        assertEquals(3739, p.compressedSize());
        assertEquals(24 << 20, p.uncompressedSize());
        assertEquals(1, p.filters().size());
        assertEquals(XzFilter.LZMA2, p.filters().get(0).id());
        assertArrayEquals(new byte[] {0x16}, p.filters().get(0).props());
        h[2] ^= 1;
        assertThrows(Vli.FormatError.class, () -> XzBlockHeader.parse(h));
    }

    @Test
    void index_encodeParseRoundTrip() throws Vli.FormatError {
        List<XzIndex.Entry> e = List.of(new XzIndex.Entry(3767, 24 << 20), new XzIndex.Entry(1_000_001, 12345));
        byte[] idx = XzIndex.encode(e);
        assertEquals(0, idx.length % 4);
        assertEquals(e, XzIndex.parse(idx));
        idx[3] ^= 0x20;
        assertThrows(Vli.FormatError.class, () -> XzIndex.parse(idx));
    }

    @Test
    void zeroBlock_encodedOnceAndEqualToFreshEncoding() throws IOException {
        int size = 300_000;
        EncodedBlock first = new Lzma2BlockEncoder(6).encodeZeros(size);
        EncodedBlock again = new Lzma2BlockEncoder(6).encodeZeros(size);
        assertTrue(first == again, "the cached encoding is reused, not recomputed");
        EncodedBlock fresh = new Lzma2BlockEncoder(6).encode(new byte[size], size);
        assertEquals(fresh.dataLength(), first.dataLength());
        assertArrayEquals(Arrays.copyOf(fresh.data(), fresh.dataLength()), first.data());
        assertArrayEquals(fresh.check(), first.check());
        assertTrue(first.zero());
        assertTrue(new Lzma2BlockEncoder(1).encodeZeros(size) != first, "keyed by preset too");
    }
}
