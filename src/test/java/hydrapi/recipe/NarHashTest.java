// SPDX-License-Identifier: Apache-2.0
package hydrapi.recipe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.InvalidInputException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NarHashTest {

    @TempDir
    Path tmp;

    // Written out by hand from thesis fig. 5.2: each string is a u64 LE length, the bytes, zero padding to 8.
    private static final String MAGIC = "0d00000000000000" + "6e69782d617263686976652d31" + "000000";
    private static final String OPEN = "0100000000000000" + "28" + "00000000000000";
    private static final String CLOSE = "0100000000000000" + "29" + "00000000000000";
    private static final String TYPE = "0400000000000000" + "74797065" + "00000000";

    @Test
    void serialise_singleFileMatchesHandDerivedBytes() throws Exception {
        String expected = MAGIC + OPEN + TYPE
                + "0700000000000000" + "72656775" + "6c6172" + "00"      // "regular"
                + "0800000000000000" + "636f6e74656e7473"                // "contents"
                + "0200000000000000" + "6869" + "000000000000"           // "hi"
                + CLOSE;
        byte[] nar = NarHash.serialise(new NarHash.Regular("hi".getBytes(StandardCharsets.US_ASCII), false));
        assertEquals(expected, HexFormat.of().formatHex(nar));
        assertEquals(sha256sumSri(nar), NarHash.sri(NarHash.sha256(
                new NarHash.Regular("hi".getBytes(StandardCharsets.US_ASCII), false))));
    }

    @Test
    void serialise_emptyDirectoryMatchesHandDerivedBytes() throws Exception {
        String expected = MAGIC + OPEN + TYPE + "0900000000000000" + "6469726563746f7279" + "00000000000000" + CLOSE;
        byte[] nar = NarHash.serialise(new NarHash.Directory());
        assertEquals(expected, HexFormat.of().formatHex(nar));
        assertEquals(sha256sumSri(nar), NarHash.sri(NarHash.sha256(new NarHash.Directory())));
    }

    @Test
    void nix32_roundTripsTheDocumentedHydraHash() throws Exception {
        // hydra-first-boot.md §1.10 gives the same hash in three spellings.
        byte[] hex = HexFormat.of().parseHex("29231744712ad08b711041fe8843fc0f0066308b6e3fdf3d72bd1e6df325bf84");
        assertEquals("115z4prns7mxf8yxygvficq6c00gzi1qizj121qqpl1af521f8r9", Nix32.encode(hex));
        assertArrayEquals(hex, NarHash.parse("sha256:115z4prns7mxf8yxygvficq6c00gzi1qizj121qqpl1af521f8r9"));
        assertArrayEquals(hex, NarHash.parse("sha256-KSMXRHEq0ItxEEH+iEP8DwBmMItuP989cr0ebfMlv4Q="));
        assertEquals(Pin.LEGACY_2016.narHash(), NarHash.sri(hex));
    }

    @Test
    void parse_rejectsGarbage() {
        assertThrows(InvalidInputException.class, () -> NarHash.parse("sha256-abc"));
        assertThrows(InvalidInputException.class, () -> NarHash.parse("md5:1234"));
    }

    @Test
    void fromTarball_matchesIndependentPythonSerialisation() throws Exception {
        long seed = Long.getLong("hydrapi.seed", System.nanoTime());
        System.out.println("NarHashTest seed " + seed + " (replay with -Dhydrapi.seed=" + seed + ")");
        Path tree = tmp.resolve("src-1234");
        randomTree(new Random(seed), tree, 3);
        Files.createDirectories(tree.resolve("empty"));
        Files.writeString(tree.resolve("a.txt"), "alpha\n");
        Files.writeString(tree.resolve("B.txt"), "upper case sorts first\n");
        Files.writeString(tree.resolve("run.sh"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(tree.resolve("run.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createSymbolicLink(tree.resolve("link"), Path.of("a.txt"));

        byte[] python = python(tree);
        for (String name : List.of("src.tar.gz", "src.tar.xz")) {
            Path tarball = tmp.resolve(name);
            writeTar(tmp, tree, tarball);
            NarHash.Directory dir = NarHash.fromTarball(tarball);
            assertArrayEquals(python, NarHash.serialise(dir), name);
            assertEquals(sha256sumSri(python), NarHash.ofTarball(tarball), name);
        }
    }

    @Test
    void verify_mismatchNamesBothHashes() throws Exception {
        Path tree = tmp.resolve("top");
        Files.createDirectories(tree);
        Files.writeString(tree.resolve("f"), "x");
        Path tarball = tmp.resolve("t.tar.gz");
        writeTar(tmp, tree, tarball);
        String actual = NarHash.ofTarball(tarball);
        assertEquals(actual, NarHash.verify(tarball, actual));
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> NarHash.verify(tarball, Pin.LEGACY_2016.narHash()));
        assertTrue(e.getMessage().contains(actual), e.getMessage());
        assertTrue(e.getMessage().contains(Pin.LEGACY_2016.narHash()), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"));
    }

    @Test
    void fromTarball_rejectsTwoTopDirectories() throws Exception {
        Path a = tmp.resolve("two");
        Files.createDirectories(a.resolve("x"));
        Files.createDirectories(a.resolve("y"));
        Path tarball = tmp.resolve("two.tar.gz");
        try (OutputStream f = Files.newOutputStream(tarball);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(f))) {
            for (String d : List.of("x/", "y/")) {
                tar.putArchiveEntry(new TarArchiveEntry(d));
                tar.closeArchiveEntry();
            }
        }
        assertThrows(InvalidInputException.class, () -> NarHash.fromTarball(tarball));
    }

    private static void randomTree(Random r, Path dir, int depth) throws IOException {
        Files.createDirectories(dir);
        int n = 1 + r.nextInt(4);
        for (int i = 0; i < n; i++) {
            String name = "n" + r.nextInt(1000) + (r.nextBoolean() ? "_Z" : "-a");
            if (depth > 0 && r.nextInt(3) == 0) {
                randomTree(r, dir.resolve(name), depth - 1);
            } else {
                byte[] b = new byte[r.nextInt(40)];
                r.nextBytes(b);
                Files.write(dir.resolve(name), b);
                if (r.nextBoolean()) {
                    Files.setPosixFilePermissions(dir.resolve(name), PosixFilePermissions.fromString("rwxr--r--"));
                }
            }
        }
    }

    /** Packs {@code tree} with the system's tar (an independent writer), top directory included. */
    private static void writeTar(Path tmp, Path tree, Path out) throws Exception {
        String flag = out.toString().endsWith(".xz") ? "-J" : "-z";
        run(List.of("tar", "-C", tree.getParent().toString(), flag, "-cf", out.toString(),
                tree.getFileName().toString()));
    }

    private static byte[] python(Path tree) throws Exception {
        Path script = Files.createTempFile("nar", ".py");
        try (InputStream in = NarHashTest.class.getResourceAsStream("nar.py")) {
            Files.write(script, in.readAllBytes());
        }
        Process p = new ProcessBuilder("python3", script.toString(), tree.toString()).start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), err);
        return out;
    }

    private static String sha256sumSri(byte[] data) throws Exception {
        Process p = new ProcessBuilder("sha256sum").start();
        p.getOutputStream().write(data);
        p.getOutputStream().close();
        String hex = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).split(" ")[0];
        assertEquals(0, p.waitFor());
        return NarHash.sri(HexFormat.of().parseHex(hex));
    }

    private static void run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), cmd + ": " + out);
    }
}
