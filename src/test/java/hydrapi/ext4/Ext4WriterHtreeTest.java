// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.io.FileBlockDevice;
import hydrapi.io.OverlayDevice;
import hydrapi.testkit.Oracles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Large htree directories: thousands of leaf splits, and a full dx_root growing a second level. */
class Ext4WriterHtreeTest {

    private static final Instant T = Instant.parse("2026-08-09T10:11:12Z");
    private static final Pattern LS_P = Pattern.compile("/(\\d+)/(\\d+)/(\\d+)/(\\d+)/(.*)/(\\d*)/");

    /** Live names debugfs lists in {@code dir} (without "." and ".."). */
    static TreeSet<String> debugfsNames(Path img, String dir, Path tmp) throws IOException {
        Map<String, String> out = Ext4VolumeTest.debugfs(img, List.of("ls -p \"" + dir + "\""), tmp);
        TreeSet<String> names = new TreeSet<>();
        Matcher m = LS_P.matcher(out.values().iterator().next());
        while (m.find()) {
            if (!m.group(1).equals("0") && !m.group(5).equals(".") && !m.group(5).equals("..")) {
                names.add(m.group(5));
            }
        }
        return names;
    }

    private static String htree(Path img, String dir) throws IOException {
        return new String(Oracles.check("debugfs", "-R", "htree " + dir, img.toString()), StandardCharsets.UTF_8);
    }

    private static int dxCount(Path img, String dir) throws IOException {
        Matcher m = Pattern.compile("Number of entries \\(count\\): (\\d+)").matcher(htree(img, dir));
        assertTrue(m.find());
        return Integer.parseInt(m.group(1));
    }

    @Test
    void link_2000NewEntriesInOneHtreeStayClean(@TempDir Path tmp) throws IOException {
        long seed = Long.getLong("hydrapi.seed", new Random().nextLong());
        System.out.println("Ext4WriterHtreeTest seed " + seed + " (replay with -Dhydrapi.seed=" + seed + ")");
        Random rnd = new Random(seed);
        Path img = Ext4Fixtures.copy("bookworm", tmp);
        TreeSet<String> before = debugfsNames(img, "/etc/many", tmp);
        int leavesBefore = dxCount(img, "/etc/many");
        OverlayDevice ov = new OverlayDevice(FileBlockDevice.openReadOnly(img));
        Ext4Writer w = Ext4Writer.open(ov);
        TreeSet<String> added = new TreeSet<>();
        while (added.size() < 2000) {
            String n = Ext4WriterPropertyTest.randomName(rnd, 1 + rnd.nextInt(rnd.nextInt(10) == 0 ? 250 : 40));
            if (before.contains(n) || !added.add(n)) {
                continue;
            }
            w.writeFile("/etc/many/" + n, new byte[0], 0644, 0, 0, T);
        }
        w.flush();
        Ext4WriterTest.writeBack(ov, img);
        Oracles.assertE2fsckClean(img, 0);
        Oracles.assertE2fsckFixesNothing(img, 0, Files.size(img));
        TreeSet<String> want = new TreeSet<>(before);
        want.addAll(added);
        assertEquals(want, debugfsNames(img, "/etc/many", tmp), "seed " + seed);
        int leaves = dxCount(img, "/etc/many");
        assertTrue(leaves >= leavesBefore + 10, "many leaf splits: " + leavesBefore + " → " + leaves + " leaves");
    }

    @Test
    void link_fullRootGrowsSecondLevel(@TempDir Path tmp) throws IOException {
        Path img = Ext4Fixtures.copy("1k", tmp);
        OverlayDevice ov = new OverlayDevice(FileBlockDevice.openReadOnly(img));
        Ext4Writer w = Ext4Writer.open(ov);
        w.mkdirs("/var/wide", 0755, 0, 0, T);
        TreeSet<String> added = new TreeSet<>();
        // 1 KiB blocks: a dx_root indexes at most 123 leaves, and a leaf holds three 230-byte names.
        for (int i = 0; i < 600; i++) {
            String n = String.format("%04d-", i) + "ü".repeat(60) + "x".repeat(i % 100);
            added.add(n);
            w.writeFile("/var/wide/" + n, new byte[0], 0644, 0, 0, T);
        }
        w.unlink("/var/wide/" + added.first(), T);
        added.remove(added.first());
        w.flush();
        assertEquals(List.of(), Ext4Volume.open(ov).check());
        Ext4WriterTest.writeBack(ov, img);
        Oracles.assertE2fsckClean(img, 0);
        Oracles.assertE2fsckFixesNothing(img, 0, Files.size(img));
        assertTrue(htree(img, "/var/wide").contains("Indirect levels: 1"), "second level");
        assertEquals(added, debugfsNames(img, "/var/wide", tmp));
    }
}
