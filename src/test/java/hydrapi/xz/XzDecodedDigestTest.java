// SPDX-License-Identifier: Apache-2.0
package hydrapi.xz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.CorruptImageException;
import hydrapi.testkit.Oracles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class XzDecodedDigestTest {

    private static final int BLOCK = 64 << 10;

    @TempDir
    Path dir;

    /** {@code xz -dc FILE | sha256sum} and {@code xz -dc FILE | wc -c}: the oracle. */
    private static String[] xzDcSha256AndSize(Path xz) throws IOException {
        Oracles.Result sha = Oracles.run("sh", "-c", "xz -dc \"$0\" | sha256sum", xz.toString());
        Oracles.Result size = Oracles.run("sh", "-c", "xz -dc \"$0\" | wc -c", xz.toString());
        assertEquals(0, sha.exitCode(), sha.stderr());
        assertEquals(0, size.exitCode(), size.stderr());
        return new String[] {new String(sha.stdout(), StandardCharsets.US_ASCII).split(" ")[0],
            new String(size.stdout(), StandardCharsets.US_ASCII).trim()};
    }

    @Test
    void sha256_multiBlockAndConcatenatedStreams_matchesXzDcSha256sumAtAnyThreadCount() throws IOException {
        Random rnd = new Random(XzTestFiles.seed("hydrapi.xz.digestSeed", 99L));
        byte[] a = XzTestFiles.imageLike(rnd, 9 * BLOCK + 333, 8 << 10);
        byte[] b = XzTestFiles.imageLike(rnd, 2 * BLOCK + 5, 8 << 10);
        Path ra = XzTestFiles.temp(dir, "a.img", a);
        Path rb = XzTestFiles.temp(dir, "b.img", b);
        byte[] xa = XzTestFiles.xzUtils(ra, "-T2", "--block-size=" + BLOCK, "-6");
        byte[] xb = XzTestFiles.xzUtils(rb, "-T1", "-3"); // one Block, no sizes in its header
        byte[] cat = new byte[xa.length + 12 + xb.length];
        System.arraycopy(xa, 0, cat, 0, xa.length);
        System.arraycopy(xb, 0, cat, xa.length + 12, xb.length);
        List<Path> files = List.of(XzTestFiles.temp(dir, "a.xz", xa), XzTestFiles.temp(dir, "cat.xz", cat));

        for (Path xz : files) {
            String[] expected = xzDcSha256AndSize(xz);
            for (int threads : new int[] {1, 2, 3}) {
                List<Long> progress = new ArrayList<>();
                XzDecodedDigest d = XzDecodedDigest.sha256(xz, threads, progress::add);
                assertEquals(expected[0], d.sha256Hex(), xz.getFileName() + " at " + threads + " threads");
                assertEquals(Long.parseLong(expected[1]), d.sizeBytes(), xz.getFileName() + " size");
                assertEquals(d.sizeBytes(), progress.get(progress.size() - 1));
            }
        }
    }

    @Test
    void sha256_singleBlockOverRandomAccessLimit_decodedOnCallingThread() throws IOException {
        Path raw = dir.resolve("big.img");
        try (FileChannel ch = FileChannel.open(raw, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap("hydrapi".getBytes(StandardCharsets.US_ASCII)), 40L << 20);
            ch.write(ByteBuffer.wrap(new byte[] {1}), (65L << 20) - 1);
        }
        Path xz = XzTestFiles.temp(dir, "big.xz", XzTestFiles.xzUtils(raw, "-T1", "-0"));
        String[] expected = xzDcSha256AndSize(xz);

        XzDecodedDigest d = XzDecodedDigest.sha256(xz, 2, null);

        assertEquals(expected[0], d.sha256Hex());
        assertEquals(65L << 20, d.sizeBytes());
    }

    @Test
    void sha256_corruptBlock_corruptImageExceptionNamesBlock() throws IOException {
        byte[] data = XzTestFiles.imageLike(new Random(3), 6 * BLOCK, 8 << 10);
        Path xz = XzTestFiles.temp(dir, "c.xz",
                XzTestFiles.xzUtils(XzTestFiles.temp(dir, "c.img", data), "-T2", "--block-size=" + BLOCK, "-6"));
        XzTestFiles.RobotBlock fifth = XzTestFiles.robotBlocks(xz).get(4);
        byte[] bytes = Files.readAllBytes(xz);
        bytes[(int) (fifth.compOffset() + fifth.totalSize() - 2)] ^= 0x10; // inside its CRC64
        Files.write(xz, bytes);
        assertTrue(Oracles.run("xz", "-t", xz.toString()).exitCode() != 0, "xz -t agrees the file is bad");

        CorruptImageException e = assertThrows(CorruptImageException.class, () -> XzDecodedDigest.sha256(xz, 2, null));
        assertTrue(e.getMessage().contains("stream 1 block 5"), e.getMessage());
    }
}
