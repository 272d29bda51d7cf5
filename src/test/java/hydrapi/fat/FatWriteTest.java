// SPDX-License-Identifier: Apache-2.0
package hydrapi.fat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.ImageFullException;
import hydrapi.InvalidInputException;
import hydrapi.io.FileBlockDevice;
import hydrapi.testkit.Oracles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FatWriteTest {

    static final Instant T = Instant.parse("2025-06-01T10:20:30Z");

    @TempDir
    Path tmp;

    static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static void assertClean(Path img) throws IOException {
        Oracles.assertFsckFatClean(img, 0, Files.size(img));
    }

    static String line(String mdir, String prefix) {
        for (String l : mdir.split("\n")) {
            if (l.startsWith(prefix)) {
                return l;
            }
        }
        throw new AssertionError("no mdir line starting '" + prefix + "' in:\n" + mdir);
    }

    @ParameterizedTest
    @ValueSource(strings = {"fat32.img", "fat16.img"})
    void writeFile_createsShortAndLongNames(String fixture) throws IOException {
        Path img = FatFixtures.copy(fixture, tmp);
        byte[] big = bytes(300_000, 1);
        try (FileBlockDevice dev = FileBlockDevice.openReadWrite(img)) {
            FatVolume v = FatVolume.open(dev);
            v.writeFile("/ssh", new byte[0], T);
            v.writeFile("/USERCONF.TXT", "pi:x\n".getBytes(StandardCharsets.US_ASCII), T);
            v.writeFile("/firstrun.sh", big, T);
            v.writeFile("/A name with spaces & ünïcode.txt", bytes(5000, 2), T);
            v.writeFile("/Readme.md", bytes(10, 3), T);
            v.flush();
            assertEquals(List.of(), v.check());
        }
        assertClean(img);
        String mdir = Oracles.mdir(img, 0, "/");
        assertTrue(line(mdir, "ssh ").matches("ssh\\s+0 2025-06-01\\s+10:20\\s*"), mdir);
        assertTrue(line(mdir, "USERCONF TXT").matches("USERCONF TXT\\s+5 .*\\d\\s*"), mdir);
        assertTrue(line(mdir, "firstrun sh ").matches("firstrun sh\\s+300000 .*\\d\\s*"), mdir);
        // mtools runs in the C locale (Oracles), so it shows each non-ASCII UTF-16 unit as '_'.
        assertTrue(line(mdir, "ANAMEW~1 TXT").endsWith(" A name with spaces & _n_code.txt"), mdir);
        assertTrue(line(mdir, "README   MD ").endsWith(" Readme.md"), mdir);
        assertArrayEquals(big, Oracles.mtype(img, 0, "/firstrun.sh"));
        assertArrayEquals(bytes(5000, 2), Oracles.mtype(img, 0, "/ANAMEW~1.TXT"));
        assertArrayEquals(new byte[0], Oracles.mtype(img, 0, "/SSH"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"fat32.img", "fat16.img"})
    void writeFile_collidingLongNamesGetNumericTails(String fixture) throws IOException {
        Path img = FatFixtures.copy(fixture, tmp);
        try (FileBlockDevice dev = FileBlockDevice.openReadWrite(img)) {
            FatVolume v = FatVolume.open(dev);
            v.writeFile("/longfilename1.txt", bytes(10, 1), T);
            v.writeFile("/longfilename2.txt", bytes(20, 2), T);
            v.writeFile("/overlays/a-long-overlay-name-number-99.dtbo", bytes(30, 3), T);
            v.flush();
            assertEquals("LONGFI~2.TXT", v.stat("/longfilename2.txt").orElseThrow().shortName());
        }
        assertClean(img);
        String root = Oracles.mdir(img, 0, "/");
        assertTrue(line(root, "LONGFI~1 TXT").endsWith(" longfilename1.txt"), root);
        assertTrue(line(root, "LONGFI~2 TXT").endsWith(" longfilename2.txt"), root);
        // 20 names of that form exist already: ~1..~4 and then the rest as mcopy chose; ours must be new.
        String ov = Oracles.mdir(img, 0, "/overlays");
        long tails = ov.lines().filter(l -> l.endsWith(" a-long-overlay-name-number-99.dtbo")).count();
        assertEquals(1, tails, ov);
        assertArrayEquals(bytes(30, 3), Oracles.mtype(img, 0, "/overlays/a-long-overlay-name-number-99.dtbo"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"fat32.img", "fat16.img"})
    void writeFile_replaceKeepsEntryAndShortName(String fixture) throws IOException {
        Path img = FatFixtures.copy(fixture, tmp);
        String before = line(Oracles.mdir(img, 0, "/overlays"), "A-LONG~3 DTB");
        byte[] cmd = "console=tty1 root=PARTUUID=abcd1234-02 quiet\n".getBytes(StandardCharsets.US_ASCII);
        byte[] grown = bytes(70_000, 9);
        try (FileBlockDevice dev = FileBlockDevice.openReadWrite(img)) {
            FatVolume v = FatVolume.open(dev);
            long free = v.freeBytes();
            v.writeFile("/CMDLINE.TXT", cmd, T);
            v.writeFile("/overlays/A-Long-Overlay-Name-Number-03.dtbo", grown, T);
            v.writeFile("/config.txt", new byte[0], T);
            v.flush();
            assertEquals(free - v.clusterBytes() * ((70_000 + v.clusterBytes() - 1) / v.clusterBytes()
                    - (1692 + v.clusterBytes() - 1) / v.clusterBytes() - (8930 + v.clusterBytes() - 1) / v.clusterBytes()),
                    v.freeBytes());
            assertEquals(List.of("cmdline.txt", "config.txt", "overlays"),
                    v.list("/").stream().map(FatEntry::name).toList());
        }
        assertClean(img);
        assertEquals(FatReadTest.mdirBytesFree(img), reopenFree(img));
        String root = Oracles.mdir(img, 0, "/");
        assertTrue(line(root, "cmdline  txt").contains(" 2025-06-01"), root);
        String after = line(Oracles.mdir(img, 0, "/overlays"), "A-LONG~3 DTB");
        assertTrue(after.endsWith(" a-long-overlay-name-number-03.dtbo") && !after.equals(before), after);
        assertArrayEquals(cmd, Oracles.mtype(img, 0, "/cmdline.txt"));
        assertArrayEquals(grown, Oracles.mtype(img, 0, "/overlays/a-long-overlay-name-number-03.dtbo"));
        assertArrayEquals(new byte[0], Oracles.mtype(img, 0, "/config.txt"));
    }

    private static long reopenFree(Path img) throws IOException {
        try (FileBlockDevice dev = FileBlockDevice.openReadOnly(img)) {
            return FatVolume.open(dev).freeBytes();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"fat32.img", "fat16.img"})
    void mkdirs_createsNestedDirectoriesAndGrowsThem(String fixture) throws IOException {
        Path img = FatFixtures.copy(fixture, tmp);
        try (FileBlockDevice dev = FileBlockDevice.openReadWrite(img)) {
            FatVolume v = FatVolume.open(dev);
            v.mkdirs("/hydra/first boot/stage-one", T);
            v.mkdirs("/hydra/first boot", T);
            v.mkdirs("/" + "d".repeat(200) + "/" + "e".repeat(255), T);
            // 120 long names need ~360 slots: several clusters for -s 1 (16 slots) and -s 4 (64 slots).
            for (int i = 0; i < 120; i++) {
                v.writeFile("/hydra/first boot/stage-one/script number " + i + ".sh", bytes(i * 37, i), T);
            }
            assertThrows(InvalidInputException.class, () -> v.mkdirs("/cmdline.txt/x", T));
            assertThrows(InvalidInputException.class, () -> v.writeFile("/missing/x", new byte[1], T));
            assertThrows(InvalidInputException.class, () -> v.writeFile("/hydra", new byte[1], T));
            v.flush();
            assertEquals(List.of(), v.check());
        }
        assertClean(img);
        String mdir = Oracles.mdir(img, 0, "/hydra/first boot/stage-one");
        for (int i = 0; i < 120; i += 7) {
            String name = "script number " + i + ".sh";
            assertTrue(mdir.contains(" " + name + "\n"), name);
            assertArrayEquals(bytes(i * 37, i), Oracles.mtype(img, 0, "/hydra/first boot/stage-one/" + name));
        }
        assertTrue(Oracles.mdir(img, 0, "/" + "d".repeat(200)).contains("e".repeat(255)));
    }

    @Test
    void writeFile_fat32RootGrowsAcrossClusters() throws IOException {
        Path img = FatFixtures.copy("fat32.img", tmp);
        try (FileBlockDevice dev = FileBlockDevice.openReadWrite(img)) {
            FatVolume v = FatVolume.open(dev);
            for (int i = 0; i < 40; i++) {
                v.writeFile("/root file with a long name " + i, bytes(i, i), T);
            }
            v.flush();
        }
        assertClean(img);
        for (int i = 0; i < 40; i += 13) {
            assertArrayEquals(bytes(i, i), Oracles.mtype(img, 0, "/root file with a long name " + i));
        }
    }

    @Test
    void writeFile_fat16FixedRootFullThrowsImageFull() throws IOException {
        Path img = FatFixtures.copy("fat16.img", tmp);
        try (FileBlockDevice dev = FileBlockDevice.openReadWrite(img)) {
            FatVolume v = FatVolume.open(dev);
            int i = 0;
            ImageFullException e = null;
            while (e == null) {
                try {
                    v.writeFile("/F" + i++ + ".BIN", new byte[0], T);
                } catch (ImageFullException full) {
                    e = full;
                }
            }
            assertEquals(512 - 4 + 1, i, "root holds 512 slots: label, 3 fixture entries, then ours");
            assertTrue(e.getMessage().contains("root directory is full"), e.getMessage());
            v.flush();
        }
        assertClean(img);
    }

    @Test
    void writeFile_sameCallsGiveSameBytes() throws IOException {
        byte[][] results = new byte[2][];
        for (int run = 0; run < 2; run++) {
            Path img = FatFixtures.copy("fat32.img", Files.createDirectories(tmp.resolve("r" + run)));
            try (FileBlockDevice dev = FileBlockDevice.openReadWrite(img)) {
                FatVolume v = FatVolume.open(dev);
                v.mkdirs("/a/b", T);
                v.writeFile("/a/b/long name.txt", bytes(3000, 5), T);
                v.writeFile("/config.txt", bytes(100, 6), T);
                v.flush();
            }
            results[run] = Files.readAllBytes(img);
        }
        assertArrayEquals(results[0], results[1]);
    }

    @Test
    void writeFile_timestampsClampedTo1980() throws IOException {
        Path img = FatFixtures.copy("fat16.img", tmp);
        try (FileBlockDevice dev = FileBlockDevice.openReadWrite(img)) {
            FatVolume v = FatVolume.open(dev);
            v.writeFile("/old.txt", new byte[3], Instant.EPOCH);
            v.flush();
            assertEquals(Instant.parse("1980-01-01T00:00:00Z"), v.stat("/old.txt").orElseThrow().modified());
        }
        assertTrue(line(Oracles.mdir(img, 0, "/"), "old      txt").contains("1980-01-01"));
        assertClean(img);
    }

    @Test
    void writeFile_fat12RefusedByName() throws IOException {
        Path img = tmp.resolve("fat12.img");
        Oracles.check("mkfs.vfat", "--invariant", "-C", "-F", "12", img.toString(), "2048");
        // Three files with odd and even cluster numbers exercise the 12-bit packing of the reader.
        for (int i = 0; i < 3; i++) {
            Path src = tmp.resolve("file-with-long-name-" + i + ".bin");
            Files.write(src, bytes(1500 * (i + 1) + i, i));
            Oracles.check("mcopy", "-i", img.toString(), src.toString(), "::/");
        }
        try (FileBlockDevice dev = FileBlockDevice.openReadWrite(img)) {
            FatVolume v = FatVolume.open(dev);
            assertEquals(FatType.FAT12, v.type());
            assertEquals(3, v.list("/").size());
            for (int i = 0; i < 3; i++) {
                String p = "/file-with-long-name-" + i + ".bin";
                assertArrayEquals(Oracles.mtype(img, 0, p), v.readFile(p));
                assertArrayEquals(bytes(1500 * (i + 1) + i, i), v.readFile(p));
            }
            assertEquals(List.of(), v.check());
            assertEquals(FatReadTest.mdirBytesFree(img), v.freeBytes());
            hydrapi.UnsupportedImageException e = assertThrows(hydrapi.UnsupportedImageException.class,
                    () -> v.writeFile("/x", new byte[1], T));
            assertTrue(e.getMessage().contains("FAT12"));
        }
    }

    @Test
    void writeFile_rejectsBadNames() throws IOException {
        Path img = FatFixtures.copy("fat16.img", tmp);
        try (FileBlockDevice dev = FileBlockDevice.openReadWrite(img)) {
            FatVolume v = FatVolume.open(dev);
            for (String bad : List.of("/a*b", "/a:b", "/trailing.", "/x".repeat(1) + "y".repeat(256), "/", "/a/../b")) {
                assertThrows(InvalidInputException.class, () -> v.writeFile(bad, new byte[1], T), bad);
            }
        }
    }

    private static String mshowfat(Path img, String path) throws IOException {
        return new String(Oracles.check("mshowfat", "-i", img.toString(), "::" + path), StandardCharsets.UTF_8).trim();
    }

    @Test
    void writeFile_replaceReusesLowestFreeClusters() throws IOException {
        Path img = FatFixtures.copy("fat32.img", tmp);
        String config = mshowfat(img, "/config.txt");
        try (FileBlockDevice dev = FileBlockDevice.openReadWrite(img)) {
            FatVolume v = FatVolume.open(dev);
            v.writeFile("/config.txt", bytes(8930, 4), T);
            v.writeFile("/cmdline.txt", bytes(2000, 5), T);
            v.flush();
        }
        assertClean(img);
        // config.txt's freed clusters were the lowest free ones, so it gets them back in order; cmdline.txt's
        // single freed cluster 3 is then the lowest free and starts its new, longer chain.
        assertEquals(config, mshowfat(img, "/config.txt"));
        String cmd = mshowfat(img, "/cmdline.txt");
        assertTrue(cmd.matches("::/cmdline.txt <3> ?<\\d+-\\d+>|::/cmdline.txt <3 ?> ?.*"), cmd);
        assertArrayEquals(bytes(2000, 5), Oracles.mtype(img, 0, "/cmdline.txt"));
    }

    @Test
    void writeFile_reusesSlotsDeletedByMtools() throws IOException {
        Path img = FatFixtures.copy("fat16.img", tmp);
        Oracles.check("mdel", "-i", img.toString(), "::/overlays/a-long-overlay-name-number-05.dtbo",
                "::/overlays/ov07.dtbo");
        try (FileBlockDevice dev = FileBlockDevice.openReadWrite(img)) {
            FatVolume v = FatVolume.open(dev);
            assertEquals(49, v.list("/overlays").size());
            v.writeFile("/overlays/a new long name in a hole.dtbo", bytes(777, 7), T);
            v.writeFile("/overlays/x.dtb", bytes(10, 8), T);
            v.flush();
            assertEquals(List.of(), v.check());
        }
        assertClean(img);
        assertArrayEquals(bytes(777, 7), Oracles.mtype(img, 0, "/overlays/a new long name in a hole.dtbo"));
        assertArrayEquals(bytes(10, 8), Oracles.mtype(img, 0, "/overlays/x.dtb"));
    }

    @Test
    void writeFile_fat32WithFourSectorClusters() throws IOException {
        // pi-gen's bookworm branch formats with -s 4; FAT32 then needs over 65524 clusters, i.e. > 128 MiB.
        Path img = tmp.resolve("s4.img");
        Oracles.check("mkfs.vfat", "--invariant", "-C", "-F", "32", "-s", "4", "-n", "bootfs", img.toString(), "140000");
        try (FileBlockDevice dev = FileBlockDevice.openReadWrite(img)) {
            FatVolume v = FatVolume.open(dev);
            assertEquals(FatType.FAT32, v.type());
            assertEquals(2048, v.clusterBytes());
            v.mkdirs("/overlays", T);
            for (int i = 0; i < 60; i++) {
                v.writeFile("/overlays/overlay-with-long-name-" + i + ".dtbo", bytes(i * 1000, i), T);
            }
            v.writeFile("/config.txt", bytes(5000, 1), T);
            v.flush();
            assertEquals(List.of(), v.check());
            assertEquals(FatReadTest.mdirBytesFree(img), v.freeBytes());
        }
        assertClean(img);
        for (int i = 0; i < 60; i += 11) {
            assertArrayEquals(bytes(i * 1000, i), Oracles.mtype(img, 0, "/overlays/overlay-with-long-name-" + i + ".dtbo"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"fat32.img", "fat16.img"})
    void writeFile_metadataReachesDeviceOnlyOnFlush(String fixture) throws IOException {
        Path img = FatFixtures.copy(fixture, tmp);
        String rootBefore = Oracles.mdir(img, 0, "/");
        try (FileBlockDevice dev = FileBlockDevice.openReadWrite(img)) {
            FatVolume v = FatVolume.open(dev);
            v.mkdirs("/new dir/sub", T);
            v.writeFile("/new dir/sub/file.txt", bytes(5000, 1), T);
            v.writeFile("/a new file.bin", bytes(70_000, 2), T);
            assertTrue(v.check().get(0).contains("not flushed"), v.check().toString());
            // Only clusters the on-disk FAT calls free were written: the old filesystem is intact and clean.
            assertClean(img);
            assertEquals(rootBefore, Oracles.mdir(img, 0, "/"));
            v.flush();
        }
        assertClean(img);
        assertArrayEquals(bytes(5000, 1), Oracles.mtype(img, 0, "/new dir/sub/file.txt"));
        assertArrayEquals(bytes(70_000, 2), Oracles.mtype(img, 0, "/a new file.bin"));
    }

    @Test
    void writeFile_fat32With4096ByteSectors() throws IOException {
        Path img = tmp.resolve("4k.img");
        Oracles.check("mkfs.vfat", "--invariant", "-C", "-S", "4096", "-F", "32", "-n", "bootfs", img.toString(), "300000");
        try (FileBlockDevice dev = FileBlockDevice.openReadWrite(img)) {
            FatVolume v = FatVolume.open(dev);
            assertEquals(4096, v.clusterBytes());
            v.mkdirs("/overlays", T);
            for (int i = 0; i < 150; i++) {
                v.writeFile("/overlays/overlay number " + i + ".dtbo", bytes(i * 100, i), T);
            }
            v.flush();
            assertEquals(List.of(), v.check());
            assertEquals(FatReadTest.mdirBytesFree(img), v.freeBytes());
        }
        assertClean(img);
        for (int i = 0; i < 150; i += 37) {
            assertArrayEquals(bytes(i * 100, i), Oracles.mtype(img, 0, "/overlays/overlay number " + i + ".dtbo"));
        }
    }
}
