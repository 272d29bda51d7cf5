// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.InvalidInputException;
import hydrapi.io.FileBlockDevice;
import hydrapi.io.OverlayDevice;
import hydrapi.testkit.Oracles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** unlink of files, symlinks and empty directories in linear and htree directories, judged by e2fsck and debugfs. */
class Ext4WriterUnlinkTest {

    private static final Instant T = Instant.parse("2026-05-06T07:08:09.5Z");

    private static String debugfs(Path img, String cmd) throws IOException {
        return new String(Oracles.check("debugfs", "-R", cmd, img.toString()), StandardCharsets.UTF_8);
    }

    private static int field(String out, String regex) {
        Matcher m = Pattern.compile(regex).matcher(out);
        assertTrue(m.find(), regex + " in " + out);
        return Integer.parseInt(m.group(1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"bookworm", "trixie", "1k", "64bit", "unsigned"})
    void unlink_filesLinksAndDirectoriesStayClean(String style, @TempDir Path tmp) throws IOException {
        Path img = Ext4Fixtures.copy(style, tmp);
        String before = debugfs(img, "stats");
        int freeBlocks = field(before, "Free blocks:\\s+(\\d+)");
        int freeInodes = field(before, "Free inodes:\\s+(\\d+)");
        int etcLinks = field(Oracles.debugfsStat(img, 0, "/etc"), "Links: (\\d+)");
        OverlayDevice ov = new OverlayDevice(FileBlockDevice.openReadOnly(img));
        Ext4Writer w = Ext4Writer.open(ov);
        // Fixture entries: linear (/etc), htree (/etc/many), fast and slow links, a depth-1 extent tree, an empty dir.
        w.unlink("/etc/fstab", T);
        w.unlink("/etc/localtime", T);
        w.unlink("/etc/slowlink", T);
        w.unlink("/var/lib/fragmented.bin", T);
        w.unlink("/var/lib/big.bin", T);
        w.unlink("/etc/many/entry-007.conf", T);
        w.unlink("/etc/many/café", T);
        w.unlink("/etc/many/subdir", T);
        w.unlink("/empty", T);
        // Our own additions, removed again, then names reused.
        w.mkdirs("/opt/a/b", 0755, 0, 0, T);
        w.writeFile("/opt/a/b/f", new byte[70_000], 0644, 0, 0, T);
        w.unlink("/opt/a/b/f", T);
        w.unlink("/opt/a/b", T);
        w.writeFile("/etc/fstab", "new\n".getBytes(StandardCharsets.UTF_8), 0644, 0, 0, T);
        assertThrows(InvalidInputException.class, () -> w.unlink("/etc/many", T));
        assertThrows(InvalidInputException.class, () -> w.unlink("/etc/nope", T));
        assertThrows(InvalidInputException.class, () -> w.unlink("/", T));
        assertThrows(hydrapi.UnsupportedImageException.class, () -> w.unlink("/lost+found", T));
        w.flush();
        assertEquals(List.of(), Ext4Volume.open(ov).check(), "our own check");
        Ext4WriterTest.writeBack(ov, img);
        Oracles.assertE2fsckClean(img, 0);
        Oracles.assertE2fsckFixesNothing(img, 0, Files.size(img));
        String ls = debugfs(img, "ls -l /etc/many");
        assertFalse(ls.contains("entry-007.conf") || ls.contains("café") || ls.contains("subdir"), ls);
        assertTrue(ls.contains("entry-008.conf"), ls);
        String etc = debugfs(img, "ls /etc");
        assertFalse(etc.contains("localtime") || etc.contains("slowlink"), etc);
        assertArrayEquals("new\n".getBytes(StandardCharsets.UTF_8), Oracles.debugfsCat(img, 0, "/etc/fstab"));
        String after = debugfs(img, "stats");
        int bs = field(after, "Block size:\\s+(\\d+)");
        // big.bin holds 2 MiB of data (the rest is holes); the new fstab takes one block.
        assertTrue(field(after, "Free blocks:\\s+(\\d+)") >= freeBlocks + (2 << 20) / bs, "big.bin's blocks came back");
        // Removed: fstab, 2 links, 2 files, entry, café, subdir, empty; fstab created again; /opt, /opt/a remain.
        assertEquals(freeInodes + 9 - 1 - 2, field(after, "Free inodes:\\s+(\\d+)"));
        assertEquals(etcLinks, field(Oracles.debugfsStat(img, 0, "/etc"), "Links: (\\d+)"));
        String many = Oracles.debugfsStat(img, 0, "/etc/many");
        assertTrue(many.contains("mtime: 0x" + Long.toHexString(T.getEpochSecond())), many);
        assertEquals(2, field(Oracles.debugfsStat(img, 0, "/opt/a"), "Links: (\\d+)"));
    }

    @Test
    void unlink_emptiesWholeHtreeThenRefills(@TempDir Path tmp) throws IOException {
        Path img = Ext4Fixtures.copy("bookworm", tmp);
        OverlayDevice ov = new OverlayDevice(FileBlockDevice.openReadOnly(img));
        Ext4Writer w = Ext4Writer.open(ov);
        for (String e : w.volume().list("/etc/many").stream().map(Ext4Entry::name).toList()) {
            w.unlink("/etc/many/" + e, T);
        }
        assertEquals(List.of(), w.volume().list("/etc/many"));
        w.flush();
        Ext4WriterTest.writeBack(ov, img);
        // An htree whose leaves are all empty is still a valid directory.
        Oracles.assertE2fsckClean(img, 0);
        Oracles.assertE2fsckFixesNothing(img, 0, Files.size(img));
        assertTrue(debugfs(img, "htree /etc/many").contains("Number of entries (count): "));
        ov = new OverlayDevice(FileBlockDevice.openReadOnly(img));
        w = Ext4Writer.open(ov);
        for (int i = 0; i < 300; i++) {
            w.writeFile("/etc/many/again-" + i, new byte[] {(byte) i}, 0644, 0, 0, T);
        }
        w.unlink("/etc/many/again-17", T);
        w.flush();
        Ext4WriterTest.writeBack(ov, img);
        Oracles.assertE2fsckClean(img, 0);
        Oracles.assertE2fsckFixesNothing(img, 0, Files.size(img));
        assertArrayEquals(new byte[] {(byte) 200}, Oracles.debugfsCat(img, 0, "/etc/many/again-200"));
        assertEquals(2, field(Oracles.debugfsStat(img, 0, "/etc/many"), "Links: (\\d+)"));
    }
}
