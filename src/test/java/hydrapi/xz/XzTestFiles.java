// SPDX-License-Identifier: Apache-2.0
package hydrapi.xz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import hydrapi.testkit.Oracles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.tukaani.xz.XZInputStream;

/** Test data shaped like a disk image, and readers of xz-utils' output, for the xz tests. */
final class XzTestFiles {

    private static final String[] WORDS = {"root", "usr", "lib", "share", "ext4", "inode", "block", "hydra",
        "nix", "store", "raspberry", "pi", "kernel", "firmware", "config.txt", "cmdline.txt", "\n", "=", " "};

    private XzTestFiles() {
    }

    /** Seed from -D{@code property}, else fixed; printed so a failure can be replayed. */
    static long seed(String property, long fallback) {
        long seed = Long.getLong(property, fallback);
        System.out.println(property + "=" + seed);
        return seed;
    }

    /**
     * {@code size} bytes in regions of {@code region} bytes: all zeros, random (incompressible) or word salad
     * (compressible), picked by {@code rnd}. Region-aligned zero regions make whole writer blocks zero when the
     * block size is a multiple of {@code region}.
     */
    static byte[] imageLike(Random rnd, int size, int region) {
        byte[] out = new byte[size];
        for (int off = 0; off < size; off += region) {
            int len = Math.min(region, size - off);
            switch (rnd.nextInt(3)) {
                case 0:
                    break; // zeros
                case 1:
                    byte[] r = new byte[len];
                    rnd.nextBytes(r);
                    System.arraycopy(r, 0, out, off, len);
                    break;
                default:
                    StringBuilder sb = new StringBuilder(len + 16);
                    while (sb.length() < len) {
                        sb.append(WORDS[rnd.nextInt(WORDS.length)]);
                    }
                    System.arraycopy(sb.toString().getBytes(StandardCharsets.US_ASCII), 0, out, off, len);
                    break;
            }
        }
        return out;
    }

    static byte[] ourXz(byte[] data, int threads, int blockBytes, int preset) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new ParallelXzWriter(threads, blockBytes, preset).write(new ByteArrayDevice(data), out, null);
        return out.toByteArray();
    }

    static Path temp(Path dir, String name, byte[] content) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, content);
        return p;
    }

    /** Runs xz on {@code input} with the given options, compressing to stdout. */
    static byte[] xzUtils(Path input, String... options) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("xz", "-c", "-k"));
        cmd.addAll(List.of(options));
        cmd.add(input.toString());
        Oracles.Result r = Oracles.run(cmd);
        assertEquals(0, r.exitCode(), r.stderr());
        return r.stdout();
    }

    /** xz -t, xz -dc -T2, bsdcat, XZInputStream and 7-Zip all decode {@code xz} to exactly {@code expected}. */
    static void assertAllDecoders(Path xz, byte[] expected) throws IOException {
        Oracles.assertXzTest(xz);
        Path viaXz = xz.resolveSibling(xz.getFileName() + ".xz-utils.out");
        Oracles.xzDecompress(xz, viaXz);
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected, Files.readAllBytes(viaXz), "xz -dc -T2");
        Files.delete(viaXz);
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected, Oracles.check("bsdcat", xz.toString()),
                "bsdcat (libarchive)");
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected, javaDecode(xz), "xz-java XZInputStream");
        assertSevenZip(xz, expected);
    }

    /** 7-Zip (Debian's 7zip, Igor Pavlov's own xz decoder): {@code 7zz t} passes and {@code 7zz x -so} decodes. */
    static void assertSevenZip(Path xz, byte[] expected) throws IOException {
        String test = new String(Oracles.check("7zz", "t", xz.toString()), java.nio.charset.StandardCharsets.UTF_8);
        org.junit.jupiter.api.Assertions.assertTrue(test.contains("Everything is Ok"), "7zz t:\n" + test);
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected, Oracles.check("7zz", "x", "-so", xz.toString()),
                "7-Zip");
    }

    static byte[] javaDecode(Path xz) throws IOException {
        try (InputStream in = new XZInputStream(Files.newInputStream(xz))) {
            return in.readAllBytes();
        }
    }

    /** One "block" line of {@code xz --robot -lvv}: the columns used here. */
    record RobotBlock(int stream, int block, long compOffset, long uncompOffset, long totalSize,
            long uncompSize, int headerSize, String flags, long compSize) {
    }

    /** One "stream" line of {@code xz --robot -lvv}. */
    record RobotStream(int stream, int blocks, long compOffset, long uncompOffset, long compSize, long uncompSize,
            String check, long padding) {
    }

    static List<RobotBlock> robotBlocks(Path xz) throws IOException {
        List<RobotBlock> out = new ArrayList<>();
        for (String line : robot(xz)) {
            String[] f = line.split("\t");
            if (f[0].equals("block")) {
                out.add(new RobotBlock(Integer.parseInt(f[1]), Integer.parseInt(f[2]), Long.parseLong(f[4]),
                        Long.parseLong(f[5]), Long.parseLong(f[6]), Long.parseLong(f[7]), Integer.parseInt(f[11]),
                        f[12], Long.parseLong(f[13])));
            }
        }
        return out;
    }

    static List<RobotStream> robotStreams(Path xz) throws IOException {
        List<RobotStream> out = new ArrayList<>();
        for (String line : robot(xz)) {
            String[] f = line.split("\t");
            if (f[0].equals("stream")) {
                out.add(new RobotStream(Integer.parseInt(f[1]), Integer.parseInt(f[2]), Long.parseLong(f[3]),
                        Long.parseLong(f[4]), Long.parseLong(f[5]), Long.parseLong(f[6]), f[8],
                        Long.parseLong(f[9])));
            }
        }
        return out;
    }

    private static String[] robot(Path xz) throws IOException {
        return new String(Oracles.check("xz", "--robot", "-lvv", xz.toString()), StandardCharsets.UTF_8)
                .split("\n");
    }
}
