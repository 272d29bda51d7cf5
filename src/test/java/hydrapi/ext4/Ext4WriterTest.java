// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.ImageFullException;
import hydrapi.UnsupportedImageException;
import hydrapi.io.ByteRange;
import hydrapi.io.FileBlockDevice;
import hydrapi.io.OverlayDevice;
import hydrapi.testkit.Oracles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The writer judged by e2fsck (clean output, -fy changes nothing) and debugfs read-back. */
class Ext4WriterTest {

    private static final Instant T = Instant.parse("2026-01-02T03:04:05.123456789Z");

    /** Copies the overlay's changed bytes into the image file itself. */
    static void writeBack(OverlayDevice ov, Path img) throws IOException {
        List<ByteRange> ranges = ov.changedRanges();
        List<byte[]> data = new ArrayList<>();
        for (ByteRange r : ranges) {
            data.add(ov.read(r.startBytes(), (int) r.lengthBytes()));
        }
        ov.close();
        try (FileBlockDevice rw = FileBlockDevice.openReadWrite(img)) {
            for (int i = 0; i < ranges.size(); i++) {
                rw.write(ranges.get(i).startBytes(), data.get(i));
            }
        }
    }

    private static int statField(String stat, String regex) {
        Matcher m = Pattern.compile(regex).matcher(stat);
        assertTrue(m.find(), regex + " in " + stat);
        return Integer.parseInt(m.group(1), regex.contains("Mode") ? 8 : 10);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bookworm", "trixie", "1k", "64bit", "unsigned"})
    void writer_passesE2fsckAndDebugfsReadsBack(String style, @TempDir Path tmp) throws IOException {
        long seed = Long.getLong("hydrapi.seed", new Random().nextLong());
        System.out.println("Ext4WriterTest " + style + " seed " + seed);
        Random rnd = new Random(seed);
        Path img = Ext4Fixtures.copy(style, tmp);
        int leavesBefore = dxCount(img, "/etc/many");
        Map<String, byte[]> files = new LinkedHashMap<>();
        OverlayDevice ov = new OverlayDevice(FileBlockDevice.openReadOnly(img));
        Ext4Writer w = Ext4Writer.open(ov);
        w.mkdirs("/opt/hydra/conf", 0755, 1000, 1000, T);
        w.mkdirs("/etc/many/newdir/deeper", 0700, 0, 0, T);
        files.put("/etc/hello.txt", "hello, world\n".getBytes(StandardCharsets.UTF_8));
        files.put("/etc/passwd", "root:x:0:0:root:/root:/bin/bash\nhydra:x:1001:1001::/var/lib/hydra:/bin/bash\n"
                .getBytes(StandardCharsets.UTF_8));
        byte[] big = new byte[300_000 + rnd.nextInt(5000)];
        rnd.nextBytes(big);
        files.put("/opt/hydra/big.bin", big);
        files.put("/opt/hydra/empty", new byte[0]);
        for (int i = 0; i < 50; i++) {
            files.put(String.format("/opt/hydra/conf/file-%014d", i), ("conf " + i + "\n").getBytes(StandardCharsets.UTF_8));
        }
        // Enough names to split /etc/many's leaves several times.
        for (int i = 0; i < 300; i++) {
            String n = "new-" + Long.toHexString(rnd.nextLong()) + (i % 3 == 0 ? "-größer" : "") + "-" + i;
            files.put("/etc/many/" + n, ("x" + i).getBytes(StandardCharsets.UTF_8));
        }
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            w.writeFile(e.getKey(), e.getValue(), 0640, 1000, 42, T);
        }
        String fast = "/lib/systemd/system/hydra.service";
        String slow = "/very/long/target/" + "segment/".repeat(12) + "end";
        w.mkdirs("/etc/systemd/system/multi-user.target.wants", 0755, 0, 0, T);
        w.symlink("/etc/systemd/system/multi-user.target.wants/hydra.service", fast, 0, 0, T);
        w.symlink("/opt/hydra/slow", slow, 1000, 1000, T);
        w.symlink("/etc/localtime", "/usr/share/zoneinfo/Europe/Berlin", 0, 0, T);
        w.symlink("/etc/slowlink", "short", 0, 0, T);
        w.flush();
        // A fresh reader over the staged bytes (not closed: closing it would close the overlay).
        assertEquals(List.of(), Ext4Volume.open(ov).check(), "our own check");
        writeBack(ov, img);
        Oracles.assertE2fsckClean(img, 0);
        Oracles.assertE2fsckFixesNothing(img, 0, Files.size(img));
        assertDebugfsDumps(img, files, tmp);
        assertTrue(dxCount(img, "/etc/many") > leavesBefore, "leaf splits happened (debugfs htree)");
        assertTrue(Oracles.debugfsStat(img, 0, "/etc/systemd/system/multi-user.target.wants/hydra.service")
                .contains("Fast link dest: \"" + fast + "\""));
        assertTrue(Oracles.debugfsStat(img, 0, "/etc/localtime")
                .contains("Fast link dest: \"/usr/share/zoneinfo/Europe/Berlin\""));
        assertTrue(Oracles.debugfsStat(img, 0, "/etc/slowlink").contains("Fast link dest: \"short\""));
        assertArrayEquals(slow.getBytes(StandardCharsets.UTF_8), Oracles.debugfsCat(img, 0, "/opt/hydra/slow"));
        String stat = Oracles.debugfsStat(img, 0, "/opt/hydra/big.bin");
        assertEquals(1000, statField(stat, "User:\\s+(\\d+)"));
        assertEquals(42, statField(stat, "Group:\\s+(\\d+)"));
        assertEquals(0640, statField(stat, "Mode:\\s+(\\d+)"));
        assertTrue(stat.contains("mtime: 0x" + Long.toHexString(T.getEpochSecond())), stat);
        String dir = Oracles.debugfsStat(img, 0, "/etc/many/newdir/deeper");
        assertEquals(0700, statField(dir, "Mode:\\s+(\\d+)"));
        assertEquals(2, statField(dir, "Links: (\\d+)"));
    }

    /** The dx_root's entry count as debugfs reports it. */
    private static int dxCount(Path img, String dir) throws IOException {
        String out = new String(Oracles.check("debugfs", "-R", "htree " + dir, img.toString()), StandardCharsets.UTF_8);
        return statField(out, "Number of entries \\(count\\): (\\d+)");
    }

    @Test
    void writeFile_failureLeavesNothingBehind(@TempDir Path tmp) throws IOException {
        Path img = Ext4Fixtures.copy("bookworm", tmp);
        OverlayDevice ov = new OverlayDevice(FileBlockDevice.openReadOnly(img));
        Ext4Writer w = Ext4Writer.open(ov);
        Superblock sb = w.volume().superblock();
        long free = sb.freeBlocksCount();
        // Replacing frees the old blocks first, then runs out of space: everything must be rolled back.
        byte[] tooBig = new byte[(int) ((free + 2048) * sb.blockSize())];
        assertThrows(ImageFullException.class, () -> w.writeFile("/var/lib/big.bin", tooBig, 0644, 0, 0, T));
        assertEquals(free, sb.freeBlocksCount());
        assertThrows(UnsupportedImageException.class,
                () -> w.writeFile("/etc/localtime", new byte[1], 0644, 0, 0, T));
        w.flush();
        assertEquals(List.of(), w.volume().check());
        writeBack(ov, img);
        Oracles.assertE2fsckClean(img, 0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bookworm", "1k"})
    void writeFile_fragmentedFreeSpaceGivesDepthOneTree(String style, @TempDir Path tmp) throws IOException {
        Path img = Ext4Fixtures.copy(style, tmp);
        OverlayDevice ov = new OverlayDevice(FileBlockDevice.openReadOnly(img));
        Ext4Writer w = Ext4Writer.open(ov);
        int bs = w.volume().superblock().blockSize();
        w.mkdirs("/frag", 0755, 0, 0, T);
        for (int i = 0; i < 24; i++) {
            w.writeFile("/frag/f" + i, new byte[bs], 0644, 0, 0, T);
        }
        for (int i = 0; i < 24; i += 2) {
            w.writeFile("/frag/f" + i, new byte[0], 0644, 0, 0, T);
        }
        byte[] data = new byte[40 * bs];
        new Random(7).nextBytes(data);
        w.writeFile("/frag/big", data, 0644, 0, 0, T);
        w.flush();
        assertEquals(List.of(), Ext4Volume.open(ov).check());
        writeBack(ov, img);
        Oracles.assertE2fsckClean(img, 0);
        Oracles.assertE2fsckFixesNothing(img, 0, Files.size(img));
        assertArrayEquals(data, Oracles.debugfsCat(img, 0, "/frag/big"));
        String ex = new String(Oracles.check("debugfs", "-R", "ex /frag/big", img.toString()), StandardCharsets.UTF_8);
        assertTrue(ex.contains(" 1/ 1 "), "depth-1 tree expected:\n" + ex);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bookworm", "1k", "unsigned"})
    void writeFile_growingLinearDirectoryBecomesHtree(String style, @TempDir Path tmp) throws IOException {
        Path img = Ext4Fixtures.copy(style, tmp);
        OverlayDevice ov = new OverlayDevice(FileBlockDevice.openReadOnly(img));
        Ext4Writer w = Ext4Writer.open(ov);
        w.mkdirs("/srv/grow", 0755, 0, 0, T);
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (int i = 0; i < 400; i++) {
            files.put(String.format("/srv/grow/name-%015d", i * 7919L), new byte[] {(byte) i});
        }
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            w.writeFile(e.getKey(), e.getValue(), 0644, 0, 0, T);
        }
        w.flush();
        assertEquals(List.of(), Ext4Volume.open(ov).check());
        writeBack(ov, img);
        Oracles.assertE2fsckClean(img, 0);
        Oracles.assertE2fsckFixesNothing(img, 0, Files.size(img));
        assertTrue(dxCount(img, "/srv/grow") > 1, "indexed by now (debugfs htree)");
        assertDebugfsDumps(img, files, tmp);
    }

    @Test
    void writeFile_intoTwoLevelHtree(@TempDir Path tmp) throws IOException {
        Path img = Ext4Fixtures.copy("1k", tmp);
        OverlayDevice ov = new OverlayDevice(FileBlockDevice.openReadOnly(img));
        Ext4Writer w = Ext4Writer.open(ov);
        Random rnd = new Random(11);
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (int i = 0; i < 400; i++) {
            files.put("/var/bigdir/added-" + Long.toHexString(rnd.nextLong()) + "-with-some-length-" + i,
                    ("v" + i).getBytes(StandardCharsets.UTF_8));
        }
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            w.writeFile(e.getKey(), e.getValue(), 0644, 0, 0, T);
        }
        w.flush();
        assertEquals(List.of(), Ext4Volume.open(ov).check());
        writeBack(ov, img);
        Oracles.assertE2fsckClean(img, 0);
        Oracles.assertE2fsckFixesNothing(img, 0, Files.size(img));
        String htree = new String(Oracles.check("debugfs", "-R", "htree /var/bigdir", img.toString()),
                StandardCharsets.UTF_8);
        assertTrue(htree.contains("Indirect levels: 1"), htree.substring(0, 200));
        assertDebugfsDumps(img, files, tmp);
    }

    /**
     * debugfs reads every file back and each must hold exactly its bytes. One debugfs process dumps them all (a
     * process per file made this the slowest test of the package).
     */
    private static void assertDebugfsDumps(Path img, Map<String, byte[]> files, Path tmp) throws IOException {
        Map<String, Path> dumps = new LinkedHashMap<>();
        List<String> cmds = new ArrayList<>();
        for (String p : files.keySet()) {
            Path out = tmp.resolve("dump" + dumps.size());
            dumps.put(p, out);
            cmds.add("dump \"" + p + "\" " + out);
        }
        Ext4VolumeTest.debugfs(img, cmds, tmp);
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            assertArrayEquals(e.getValue(), Files.readAllBytes(dumps.get(e.getKey())), e.getKey());
        }
    }

    @Test
    void writer_isDeterministic() throws IOException {
        List<byte[]> results = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            OverlayDevice ov = new OverlayDevice(FileBlockDevice.openReadOnly(Ext4Fixtures.image("trixie")));
            Ext4Writer w = Ext4Writer.open(ov);
            w.mkdirs("/opt/a/b", 0755, 0, 0, T);
            for (int i = 0; i < 120; i++) {
                w.writeFile("/etc/many/det-" + i, ("d" + i).getBytes(StandardCharsets.UTF_8), 0644, 0, 0, T);
            }
            w.symlink("/opt/a/link", "/etc/many/det-1", 0, 0, T);
            w.flush();
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            for (ByteRange r : ov.changedRanges()) {
                all.writeBytes((r.startBytes() + "+" + r.lengthBytes() + ":").getBytes(StandardCharsets.US_ASCII));
                all.writeBytes(ov.read(r.startBytes(), (int) r.lengthBytes()));
            }
            ov.close();
            results.add(all.toByteArray());
        }
        assertArrayEquals(results.get(0), results.get(1));
    }

    @Test
    void open_refusesFilesystemWithoutMetadataCsum() throws IOException {
        OverlayDevice ov = new OverlayDevice(FileBlockDevice.openReadOnly(Ext4Fixtures.image("gdtcsum")));
        assertThrows(UnsupportedImageException.class, () -> Ext4Writer.open(ov));
    }
}
