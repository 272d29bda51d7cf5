// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.InvalidInputException;
import hydrapi.io.FileBlockDevice;
import hydrapi.testkit.Oracles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The reader against debugfs, file by file, on every fixture style. */
class Ext4VolumeTest {

    static List<String> styles() {
        return Ext4Fixtures.STYLES;
    }

    private static void walk(Ext4Volume v, String dir, Map<String, Ext4Entry> out) throws IOException {
        for (Ext4Entry e : v.list(dir)) {
            String p = (dir.equals("/") ? "" : dir) + "/" + e.name();
            out.put(p, e);
            if (e.isDirectory()) {
                walk(v, p, out);
            }
        }
    }

    /** Runs many debugfs commands in one process; returns each command's output. */
    static Map<String, String> debugfs(Path image, List<String> commands, Path tmp) throws IOException {
        Path f = tmp.resolve("debugfs-cmds");
        Files.writeString(f, String.join("\n", commands) + "\n", StandardCharsets.UTF_8);
        // debugfs ends "Fast link dest: ..." without a newline, so the next command's echo can share its line.
        String out = new String(Oracles.check("debugfs", "-f", f.toString(), image.toString()),
                StandardCharsets.UTF_8).replaceAll("(?<!\n)debugfs: ", "\ndebugfs: ");
        Map<String, String> res = new LinkedHashMap<>();
        String cmd = null;
        StringBuilder sb = new StringBuilder();
        for (String line : out.split("\n", -1)) {
            if (line.startsWith("debugfs: ")) {
                if (cmd != null) {
                    res.put(cmd, sb.toString());
                }
                cmd = line.substring(9);
                sb.setLength(0);
            } else {
                sb.append(line).append('\n');
            }
        }
        if (cmd != null) {
            res.put(cmd, sb.toString());
        }
        return res;
    }

    private static String q(String path) {
        return "\"" + path + "\"";
    }

    private static final Pattern LS_P = Pattern.compile("/(\\d+)/(\\d+)/(\\d+)/(\\d+)/(.*)/(\\d*)/");

    @ParameterizedTest
    @MethodSource("styles")
    void reader_matchesDebugfs(String style, @TempDir Path tmp) throws IOException {
        Path img = Ext4Fixtures.image(style);
        Map<String, Ext4Entry> all = new TreeMap<>();
        try (Ext4Volume v = Ext4Volume.open(FileBlockDevice.openReadOnly(img))) {
            walk(v, "/", all);
            assertTrue(all.size() > 420, "walked " + all.size() + " entries");
            List<String> dirs = new ArrayList<>(List.of("/"));
            List<String> cmds = new ArrayList<>(List.of("ls -p /"));
            // Every directory is listed in full; of the 3000 files in /var/bigdir (1k style) a sample is stat'ed,
            // since each lookup there scans the whole directory.
            all.keySet().removeIf(p -> p.startsWith("/var/bigdir/") && p.hashCode() % 50 != 0);
            for (Map.Entry<String, Ext4Entry> e : all.entrySet()) {
                cmds.add("stat " + q(e.getKey()));
                if (e.getValue().isDirectory()) {
                    dirs.add(e.getKey());
                    cmds.add("ls -p " + q(e.getKey()));
                }
                if (e.getValue().isRegularFile() || e.getValue().isSymlink() && e.getValue().sizeBytes() >= 60) {
                    cmds.add("dump " + q(e.getKey()) + " " + tmp.resolve("ino-" + e.getValue().inodeNo()));
                }
            }
            Map<String, String> out = debugfs(img, cmds, tmp);
            // ls -p: the same names, inode numbers, modes and owners in every directory
            for (String d : dirs) {
                Map<String, String> theirs = new TreeMap<>();
                Matcher m = LS_P.matcher(out.get("ls -p " + (d.equals("/") ? "/" : q(d))));
                while (m.find()) {
                    if (!m.group(1).equals("0") && !m.group(5).equals(".") && !m.group(5).equals("..")) {
                        theirs.put(m.group(5), m.group(1) + " " + Integer.parseInt(m.group(2), 8) + " " + m.group(3)
                                + " " + m.group(4));
                    }
                }
                Map<String, String> ours = new TreeMap<>();
                for (Ext4Entry e : v.list(d)) {
                    ours.put(e.name(), e.inodeNo() + " " + e.mode() + " " + e.uid() + " " + e.gid());
                }
                assertEquals(theirs, ours, style + " ls " + d);
            }
            for (Map.Entry<String, Ext4Entry> e : all.entrySet()) {
                String p = e.getKey();
                Ext4Entry ours = e.getValue();
                assertEquals(ours, v.stat(p).orElseThrow(), "stat agrees with list for " + p);
                String stat = out.get("stat " + q(p));
                assertNotNull(stat, p);
                assertEquals(field(stat, "Inode: (\\d+)"), String.valueOf(ours.inodeNo()), p);
                assertEquals(field(stat, "User:\\s+(\\d+)"), String.valueOf(ours.uid()), p);
                assertEquals(field(stat, "Group:\\s+(\\d+)"), String.valueOf(ours.gid()), p);
                assertEquals(field(stat, "Size: (\\d+)"), String.valueOf(ours.sizeBytes()), p);
                assertEquals(field(stat, "Links: (\\d+)"), String.valueOf(ours.linksCount()), p);
                assertEquals(Long.parseLong(field(stat, "\\smtime: 0x([0-9a-f]+)"), 16), ours.mtimeSeconds(), p);
                if (ours.isRegularFile()) {
                    byte[] theirs = Files.readAllBytes(tmp.resolve("ino-" + ours.inodeNo()));
                    assertArrayEquals(theirs, v.readFile(p), style + " content of " + p);
                    try (InputStream in = v.openFile(p)) {
                        assertArrayEquals(theirs, in.readAllBytes(), p);
                    }
                } else if (ours.isSymlink()) {
                    String target = ours.sizeBytes() < 60 ? field(stat, "Fast link dest: \"(.*)\"")
                            : Files.readString(tmp.resolve("ino-" + ours.inodeNo()), StandardCharsets.UTF_8);
                    assertEquals(target, ours.linkTarget(), p);
                    assertEquals(target, v.readLink(p), p);
                    assertEquals(Files.readSymbolicLink(Ext4Fixtures.tree().resolve(p.substring(1))).toString(),
                            target, "the source tree agrees");
                }
            }
        }
    }

    private static String field(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), regex + " in\n" + text);
        return m.group(1);
    }

    @ParameterizedTest
    @MethodSource("styles")
    void check_cleanOnFixtures(String style) throws IOException {
        try (Ext4Volume v = Ext4Volume.open(FileBlockDevice.openReadOnly(Ext4Fixtures.image(style)))) {
            assertEquals(List.of(), v.check());
            assertFalse(v.journalNeedsRecovery());
            assertEquals("rootfs", v.label());
            assertEquals(UUID.fromString("4d3c2b1a-5e6f-4a8b-9c0d-1e2f3a4b5c6d"), v.uuid());
        }
    }

    @Test
    void stat_followsIntermediateSymlinksOnly() throws IOException {
        try (Ext4Volume v = Ext4Volume.open(FileBlockDevice.openReadOnly(Ext4Fixtures.image("trixie")))) {
            Ext4Entry viaLib = v.stat("/lib/os-release").orElseThrow();
            assertTrue(viaLib.isRegularFile());
            assertEquals(v.stat("/usr/lib/os-release").orElseThrow().inodeNo(), viaLib.inodeNo());
            Ext4Entry link = v.stat("/etc/os-release").orElseThrow();
            assertTrue(link.isSymlink());
            assertEquals("../usr/lib/os-release", link.linkTarget());
            assertArrayEquals(v.readFile("/usr/lib/os-release"), v.readFile("/etc/os-release"));
            assertEquals(viaLib, v.stat("/etc/../lib/./os-release").orElseThrow());
            assertTrue(v.stat("/etc/nonexistent").isEmpty());
            assertTrue(v.stat("/etc/passwd/child").isEmpty());
            assertEquals("/", v.stat("/").orElseThrow().name());
            assertTrue(v.stat("/etc/loop-a").orElseThrow().isSymlink());
            assertThrows(InvalidInputException.class, () -> v.stat("/etc/loop-a/x"));
            assertThrows(InvalidInputException.class, () -> v.stat("etc/passwd"));
            assertThrows(InvalidInputException.class, () -> v.readFile("/etc"));
            assertThrows(InvalidInputException.class, () -> v.list("/etc/passwd"));
            assertThrows(InvalidInputException.class, () -> v.readFile("/missing"));
            Ext4Entry shadow = v.stat("/etc/shadow").orElseThrow();
            assertEquals(0100640, shadow.mode());
            assertEquals(42, shadow.gid());
        }
    }

    @Test
    void readFile_sparseHolesReadAsZeros() throws IOException {
        try (Ext4Volume v = Ext4Volume.open(FileBlockDevice.openReadOnly(Ext4Fixtures.image("1k")))) {
            byte[] big = v.readFile("/var/lib/big.bin");
            assertEquals(4 * 1024 * 1024, big.length);
            assertEquals('A', big[0]);
            assertEquals(0, big[1024 * 1024 + 5]);
            assertEquals('B', big[2 * 1024 * 1024]);
            assertEquals(0, big[big.length - 1]);
            assertArrayEquals(Files.readAllBytes(Ext4Fixtures.tree().resolve("var/lib/big.bin")), big);
        }
    }
}
