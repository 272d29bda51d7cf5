// SPDX-License-Identifier: Apache-2.0
package hydrapi.xz;

import static org.junit.jupiter.api.Assertions.fail;

import hydrapi.HydrapiException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mutated .xz files: every reader either succeeds or throws a HydrapiException, never anything else. */
class XzFuzzTest {

    private static final int ROUNDS = Integer.getInteger("hydrapi.xz.fuzzRounds", 300);

    @TempDir
    Path dir;

    @FunctionalInterface
    private interface Reader {
        void read(Path xz) throws IOException;
    }

    @Test
    void readers_randomMutations_onlyHydrapiExceptions() throws IOException {
        long seed = XzTestFiles.seed("hydrapi.xz.fuzzSeed", System.nanoTime());
        Random rnd = new Random(seed);
        byte[] data = XzTestFiles.imageLike(new Random(1), 60_000, 4096);
        ByteArrayOutputStream two = new ByteArrayOutputStream();
        two.write(XzTestFiles.ourXz(data, 1, 16 << 10, 1));
        two.write(new byte[4]);
        two.write(XzTestFiles.ourXz(Arrays.copyOf(data, 20_000), 1, 16 << 10, 0));
        byte[] original = two.toByteArray();
        Reader[] readers = {
            XzFile::readStructure,
            xz -> XzVerifier.verify(xz, 2, null),
            xz -> XzDecoder.decodeToSparseFile(xz, dir.resolve("out.img"), null),
            xz -> XzDecodedDigest.sha256(xz, 2, null),
            xz -> {
                try (XzBlockDevice dev = XzBlockDevice.open(xz, 2)) {
                    dev.read(0, (int) dev.sizeBytes());
                }
            },
        };
        for (int round = 0; round < ROUNDS; round++) {
            byte[] m = mutate(original, rnd);
            Path xz = XzTestFiles.temp(dir, "fuzz.xz", m);
            for (int r = 0; r < readers.length; r++) {
                try {
                    readers[r].read(xz);
                } catch (HydrapiException expected) {
                    if (expected.getMessage().contains("\n")) {
                        fail("multi-line message, seed " + seed + " round " + round + ": " + expected.getMessage());
                    }
                } catch (Exception | Error e) {
                    throw new AssertionError("reader " + r + " threw " + e + " (-Dhydrapi.xz.fuzzSeed=" + seed
                            + ", round " + round + ")", e);
                }
            }
        }
    }

    private static byte[] mutate(byte[] in, Random rnd) {
        switch (rnd.nextInt(4)) {
            case 0: // truncate
                return Arrays.copyOf(in, rnd.nextInt(in.length));
            case 1: { // one bit
                byte[] m = in.clone();
                m[rnd.nextInt(m.length)] ^= (byte) (1 << rnd.nextInt(8));
                return m;
            }
            case 2: { // a few random bytes, biased to the structures at both ends
                byte[] m = in.clone();
                for (int i = rnd.nextInt(4); i >= 0; i--) {
                    int pos = rnd.nextBoolean() ? rnd.nextInt(m.length) : m.length - 1 - rnd.nextInt(Math.min(64,
                            m.length));
                    m[pos] = (byte) rnd.nextInt(256);
                }
                return m;
            }
            default: { // inserted or removed bytes
                int pos = rnd.nextInt(in.length);
                int n = 1 + rnd.nextInt(8);
                byte[] m = new byte[in.length + (rnd.nextBoolean() ? n : -Math.min(n, in.length - pos))];
                System.arraycopy(in, 0, m, 0, pos);
                if (m.length > in.length) {
                    System.arraycopy(in, pos, m, pos + n, in.length - pos);
                } else {
                    System.arraycopy(in, in.length - (m.length - pos), m, pos, m.length - pos);
                }
                return m;
            }
        }
    }
}
