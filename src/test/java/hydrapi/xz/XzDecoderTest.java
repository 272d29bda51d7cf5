// SPDX-License-Identifier: Apache-2.0
package hydrapi.xz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.CorruptImageException;
import hydrapi.testkit.Oracles;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class XzDecoderTest {

    @TempDir
    Path dir;

    /** Allocated bytes on disk as stat(1) reports them (st_blocks × 512). */
    private static long allocatedBytes(Path file) throws IOException {
        String out = new String(Oracles.check("stat", "-c", "%b %B", file.toString()), StandardCharsets.US_ASCII);
        String[] f = out.trim().split(" ");
        return Long.parseLong(f[0]) * Long.parseLong(f[1]);
    }

    @Test
    void decodeToSparseFile_concatenatedStreamsWithPadding_decodesAll() throws IOException {
        Random rnd = new Random(XzTestFiles.seed("hydrapi.xz.decodeSeed", 17L));
        byte[] a = XzTestFiles.imageLike(rnd, 500_000, 32 << 10);
        byte[] b = XzTestFiles.imageLike(rnd, 300_000, 32 << 10);
        ByteArrayOutputStream cat = new ByteArrayOutputStream();
        cat.write(XzTestFiles.ourXz(a, 2, 128 << 10, 1));
        cat.write(new byte[8]);
        cat.write(XzTestFiles.xzUtils(XzTestFiles.temp(dir, "b", b), "-T1", "-1"));
        cat.write(new byte[4]);
        Path xz = XzTestFiles.temp(dir, "cat.xz", cat.toByteArray());
        byte[] expected = new byte[a.length + b.length];
        System.arraycopy(a, 0, expected, 0, a.length);
        System.arraycopy(b, 0, expected, a.length, b.length);
        assertArrayEquals(expected, Oracles.check("bsdcat", xz.toString()), "libarchive's reading of the input");
        try (InputStream single = new XZCompressorInputStream(new ByteArrayInputStream(cat.toByteArray()))) {
            assertEquals(a.length, single.readAllBytes().length, "commons-compress default stops after stream 1");
        }
        List<Long> progress = new ArrayList<>();
        Path out = dir.resolve("out.img");

        long size = XzDecoder.decodeToSparseFile(xz, out, progress::add);

        assertEquals(expected.length, size);
        assertArrayEquals(expected, Files.readAllBytes(out));
        assertEquals((long) expected.length, progress.get(progress.size() - 1));
    }

    @Test
    void decodeToSparseFile_zeroRuns_becomeHoles() throws IOException {
        byte[] data = new byte[12 << 20];
        byte[] noise = XzTestFiles.imageLike(new Random(3), 1 << 20, 1 << 20);
        new Random(4).nextBytes(noise);
        System.arraycopy(noise, 0, data, 5 << 20, noise.length);
        data[(3 << 20) + 4097] = 1; // one lone non-zero page inside the first zero run
        Path xz = XzTestFiles.temp(dir, "sparse.xz", XzTestFiles.ourXz(data, 2, 4 << 20, 0));
        Path out = dir.resolve("sparse.img");

        assertEquals(data.length, XzDecoder.decodeToSparseFile(xz, out, null));

        assertEquals(data.length, Files.size(out)); // trailing zeros keep the full length
        assertArrayEquals(data, Files.readAllBytes(out));
        long allocated = allocatedBytes(out);
        assertTrue(allocated < (2 << 20), "expected about 1 MiB allocated, got " + allocated);
        Oracles.Result du = Oracles.run("du", "-k", out.toString());
        assertTrue(Long.parseLong(du.out().split("\\s")[0]) < 2048, du.out());
    }

    @Test
    void decodeToSparseFile_existingOutput_replaced() throws IOException {
        byte[] data = "short".getBytes(StandardCharsets.US_ASCII);
        Path xz = XzTestFiles.temp(dir, "s.xz", XzTestFiles.ourXz(data, 1, 1 << 20, 1));
        Path out = XzTestFiles.temp(dir, "s.img", new byte[100_000]);
        assertEquals(5, XzDecoder.decodeToSparseFile(xz, out, null));
        assertArrayEquals(data, Files.readAllBytes(out));
    }

    @Test
    void decodeToSparseFile_truncated_corruptWithOffset() throws IOException {
        byte[] data = XzTestFiles.imageLike(new Random(5), 400_000, 32 << 10);
        byte[] good = XzTestFiles.ourXz(data, 2, 128 << 10, 1);
        Path xz = XzTestFiles.temp(dir, "t.xz", Arrays.copyOf(good, good.length / 2));
        CorruptImageException e = assertThrows(CorruptImageException.class,
                () -> XzDecoder.decodeToSparseFile(xz, dir.resolve("t.img"), null));
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("offset"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"));
    }

    @Test
    void decodeToSparseFile_corruptOrForeign_corrupt() throws IOException {
        byte[] data = XzTestFiles.imageLike(new Random(6), 400_000, 32 << 10);
        byte[] bad = XzTestFiles.ourXz(data, 2, 128 << 10, 1);
        bad[bad.length / 2] ^= 0x40;
        Path xz = XzTestFiles.temp(dir, "c.xz", bad);
        assertThrows(CorruptImageException.class, () -> XzDecoder.decodeToSparseFile(xz, dir.resolve("c.img"), null));
        Path raw = XzTestFiles.temp(dir, "raw", data);
        CorruptImageException e = assertThrows(CorruptImageException.class,
                () -> XzDecoder.decodeToSparseFile(raw, dir.resolve("r.img"), null));
        assertTrue(e.getMessage().contains("not an .xz file"), e.getMessage());
        byte[] ok = XzTestFiles.ourXz(data, 1, 1 << 20, 1);
        for (byte[] tail : new byte[][] {new byte[5], "junk".getBytes(StandardCharsets.US_ASCII)}) {
            byte[] withTail = Arrays.copyOf(ok, ok.length + tail.length);
            System.arraycopy(tail, 0, withTail, ok.length, tail.length);
            Path garbage = XzTestFiles.temp(dir, "g.xz", withTail);
            assertTrue(Oracles.run("xz", "-t", garbage.toString()).exitCode() != 0, "xz -t rejects it too");
            assertThrows(CorruptImageException.class,
                    () -> XzDecoder.decodeToSparseFile(garbage, dir.resolve("g"), null));
        }
    }
}
