// SPDX-License-Identifier: Apache-2.0
package hydrapi.xz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.CorruptImageException;
import hydrapi.testkit.Oracles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class XzVerifierTest {

    private static final int BLOCK = 64 << 10;

    @TempDir
    Path dir;

    private byte[] data;
    private byte[] good;

    /** Blocks of known kind: 0 text, 1 random (stored as uncompressed LZMA2 chunks), 2 zeros, 3 text, 4 random. */
    @BeforeEach
    void makeFile() throws IOException {
        Random rnd = new Random(XzTestFiles.seed("hydrapi.xz.verifySeed", 5L));
        data = new byte[5 * BLOCK];
        byte[] words = "inode block extent superblock journal\n".repeat(2000).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(words, 0, data, 0, BLOCK);
        System.arraycopy(words, 100, data, 3 * BLOCK, BLOCK);
        byte[] noise = new byte[BLOCK];
        rnd.nextBytes(noise);
        System.arraycopy(noise, 0, data, BLOCK, BLOCK);
        rnd.nextBytes(noise);
        System.arraycopy(noise, 0, data, 4 * BLOCK, BLOCK);
        good = XzTestFiles.ourXz(data, 2, BLOCK, 6);
    }

    private CorruptImageException corruptVerify(byte[] file, int threads) throws IOException {
        Path xz = XzTestFiles.temp(dir, "bad.xz", file);
        assertNotEquals(0, Oracles.run("xz", "-t", xz.toString()).exitCode(), "xz -t must also reject it");
        return assertThrows(CorruptImageException.class, () -> XzVerifier.verify(xz, threads, null));
    }

    private XzBlockInfo block(int i) throws IOException {
        return XzFile.readStructure(XzTestFiles.temp(dir, "good.xz", good)).get(0).blocks().get(i);
    }

    @Test
    void verify_goodFiles_passAndReportProgress() throws IOException {
        Path ours = XzTestFiles.temp(dir, "ours.xz", good);
        List<Long> progress = new ArrayList<>();
        List<XzStreamInfo> s = XzVerifier.verify(ours, 2, progress::add);
        assertEquals(XzFile.readStructure(ours), s);
        assertEquals(5, progress.size());
        assertEquals((long) data.length, progress.get(4));

        Path raw = XzTestFiles.temp(dir, "raw", data);
        Path theirs = XzTestFiles.temp(dir, "theirs.xz", XzTestFiles.xzUtils(raw, "-T2", "--block-size=40KiB",
                "-2"));
        assertEquals(8, XzVerifier.verify(theirs, 3, null).get(0).blocks().size());
        Path single = XzTestFiles.temp(dir, "single.xz", XzTestFiles.xzUtils(raw, "-T1", "-2", "--check=sha256"));
        assertEquals(10, XzVerifier.verify(single, 1, null).get(0).checkType());
        Path crc32 = XzTestFiles.temp(dir, "crc32.xz", XzTestFiles.xzUtils(raw, "-T1", "--x86", "--lzma2=preset=1",
                "--check=crc32"));
        assertEquals(1, XzVerifier.verify(crc32, 1, null).get(0).checkType());
    }

    @Test
    void verify_flippedByteInCompressedText_namesBlock() throws IOException {
        XzBlockInfo b = block(3);
        byte[] bad = good.clone();
        bad[(int) (b.compressedOffset() + b.unpaddedSize() / 2)] ^= 0x55;
        for (int threads : new int[] {1, 2}) {
            CorruptImageException e = corruptVerify(bad, threads);
            assertTrue(e.getMessage().contains("stream 1 block 4 at offset " + b.compressedOffset()), e.getMessage());
        }
    }

    @Test
    void verify_flippedByteInStoredRandomData_caughtByCheck() throws IOException {
        XzBlockInfo b = block(1);
        byte[] bad = good.clone();
        bad[(int) (b.compressedOffset() + b.unpaddedSize() / 2)] ^= 0x01;
        CorruptImageException e = corruptVerify(bad, 2);
        assertTrue(e.getMessage().contains("stream 1 block 2 at offset " + b.compressedOffset()), e.getMessage());
        assertTrue(e.getMessage().contains("Check"), e.getMessage());
    }

    @Test
    void verify_twoBadBlocks_reportsFirstInFileOrder() throws IOException {
        byte[] bad = good.clone();
        XzBlockInfo b1 = block(1);
        XzBlockInfo b4 = block(4);
        bad[(int) (b4.compressedOffset() + b4.unpaddedSize() / 2)] ^= 0x01;
        bad[(int) (b1.compressedOffset() + b1.unpaddedSize() / 2)] ^= 0x01;
        CorruptImageException e = corruptVerify(bad, 3);
        assertTrue(e.getMessage().contains("block 2 at"), e.getMessage());
    }

    @Test
    void verify_headerSizeDisagreesWithIndex_corrupt() throws IOException {
        XzBlockInfo b = block(0);
        byte[] bad = good.clone();
        // same-length header claiming one byte less, with a valid CRC32: only the Index comparison catches it
        int at = (int) b.compressedOffset();
        int headerSize = (bad[at] + 1) * 4;
        long compressed = b.unpaddedSize() - headerSize - 8;
        byte[] h = XzBlockHeader.encodeLzma2(compressed, b.uncompressedSize() - 1, 0x16);
        assertEquals(headerSize, h.length);
        System.arraycopy(h, 0, bad, at, h.length);
        CorruptImageException e = corruptVerify(bad, 1);
        assertTrue(e.getMessage().contains("Uncompressed Size " + (b.uncompressedSize() - 1)), e.getMessage());
    }

    @Test
    void verify_truncated_corrupt() throws IOException {
        CorruptImageException e = corruptVerify(Arrays.copyOf(good, good.length - 100), 2);
        assertTrue(e.getMessage().startsWith("bad.xz: "), e.getMessage());
        corruptVerify(Arrays.copyOf(good, good.length / 2 & ~3), 2);
    }
}
