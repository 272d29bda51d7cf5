// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random edit sequences (mkdirs, create, replace, symlink) in batches; after each batch e2fsck must be clean and
 * change nothing, and debugfs must read back every file and link of the model. Seed: -Dhydrapi.seed=N.
 */
class Ext4WriterPropertyTest {

    private static final int BATCHES = 3;
    private static final int OPS_PER_BATCH = 60;
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789-_.éü日";

    private static String randomName(Random rnd, int maxChars) {
        StringBuilder sb = new StringBuilder();
        int n = 1 + rnd.nextInt(maxChars);
        for (int i = 0; i < n; i++) {
            sb.append(ALPHABET.charAt(rnd.nextInt(ALPHABET.length())));
        }
        String s = sb.toString();
        return s.equals(".") || s.equals("..") ? s + "x" : s;
    }

    @ParameterizedTest
    @ValueSource(strings = {"bookworm", "trixie", "1k", "unsigned"})
    void randomEdits_keepE2fsckClean(String style, @TempDir Path tmp) throws IOException {
        long seed = Long.getLong("hydrapi.seed", new Random().nextLong());
        System.out.println("Ext4WriterPropertyTest " + style + " seed " + seed + " (replay with -Dhydrapi.seed=" + seed
                + ")");
        Random rnd = new Random(seed);
        Path img = Ext4Fixtures.copy(style, tmp);
        List<String> dirs = new ArrayList<>(List.of("/etc", "/etc/many", "/var/lib"));
        Map<String, byte[]> files = new TreeMap<>();
        Map<String, String> links = new TreeMap<>();
        Instant t = Instant.parse("2026-03-04T05:06:07Z");
        for (int batch = 0; batch < BATCHES; batch++) {
            OverlayDevice ov = new OverlayDevice(FileBlockDevice.openReadOnly(img));
            Ext4Writer w = Ext4Writer.open(ov);
            int bs = w.volume().superblock().blockSize();
            for (int op = 0; op < OPS_PER_BATCH; op++) {
                t = t.plusMillis(1 + rnd.nextInt(100_000));
                int kind = rnd.nextInt(10);
                String dir = dirs.get(rnd.nextInt(dirs.size()));
                if (kind == 0) {
                    String p = "/p" + rnd.nextInt(4) + "/" + randomName(rnd, 8);
                    if (files.containsKey(p) || links.containsKey(p)) {
                        continue;
                    }
                    w.mkdirs(p, 0755, rnd.nextInt(2000), rnd.nextInt(2000), t);
                    if (!dirs.contains(p)) {
                        dirs.add(p);
                        dirs.add(p.substring(0, p.lastIndexOf('/')));
                    }
                } else if (kind <= 6 || files.isEmpty()) {
                    // Long names fill linear directories fast: the writer must index them before a third block.
                    String name = randomName(rnd, rnd.nextInt(5) == 0 ? 120 : 24);
                    String p = dir + "/" + name;
                    if (links.containsKey(p) || dirs.contains(p) || isFixtureEntry(w, p, files)) {
                        continue;
                    }
                    byte[] data = new byte[rnd.nextInt(8) == 0 ? rnd.nextInt(200_000) : rnd.nextInt(3 * bs)];
                    rnd.nextBytes(data);
                    w.writeFile(p, data, 0600 + rnd.nextInt(0100), rnd.nextInt(70000), rnd.nextInt(70000), t);
                    files.put(p, data);
                } else if (kind <= 8) {
                    List<String> ps = new ArrayList<>(files.keySet());
                    String p = ps.get(rnd.nextInt(ps.size()));
                    byte[] data = new byte[rnd.nextInt(4 * bs)];
                    rnd.nextBytes(data);
                    w.writeFile(p, data, 0644, 0, 0, t);
                    files.put(p, data);
                } else {
                    String p = dir + "/link-" + randomName(rnd, 10);
                    if (files.containsKey(p) || dirs.contains(p) || isFixtureEntry(w, p, files) && !links.containsKey(p)) {
                        continue;
                    }
                    String target = "/" + randomName(rnd, rnd.nextBoolean() ? 40 : 150).replace('.', '/');
                    w.symlink(p, target, 0, 0, t);
                    links.put(p, target);
                }
            }
            w.flush();
            assertEquals(List.of(), Ext4Volume.open(ov).check(), "our check, seed " + seed + " batch " + batch);
            Ext4WriterTest.writeBack(ov, img);
            Oracles.assertE2fsckClean(img, 0);
            Oracles.assertE2fsckFixesNothing(img, 0, Files.size(img));
            List<String> cmds = new ArrayList<>();
            Map<String, Path> dumps = new TreeMap<>();
            int k = 0;
            for (String p : files.keySet()) {
                Path out = tmp.resolve("dump-" + k++);
                dumps.put(p, out);
                cmds.add("dump \"" + p + "\" " + out);
            }
            for (String p : links.keySet()) {
                cmds.add("stat \"" + p + "\"");
            }
            Map<String, String> res = Ext4VolumeTest.debugfs(img, cmds, tmp);
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                assertArrayEquals(e.getValue(), Files.readAllBytes(dumps.get(e.getKey())), e.getKey() + " seed " + seed);
            }
            try (Ext4Volume v = Ext4Volume.open(FileBlockDevice.openReadOnly(img))) {
                for (Map.Entry<String, String> e : links.entrySet()) {
                    String stat = res.get("stat \"" + e.getKey() + "\"");
                    if (e.getValue().getBytes(StandardCharsets.UTF_8).length < 60) {
                        assertTrue(stat.contains("Fast link dest: \"" + e.getValue() + "\""), e.getKey() + ":\n" + stat);
                    } else {
                        assertArrayEquals(e.getValue().getBytes(StandardCharsets.UTF_8),
                                Oracles.debugfsCat(img, 0, e.getKey()), e.getKey());
                    }
                    assertEquals(e.getValue(), v.readLink(e.getKey()));
                }
            }
        }
    }

    /** Whether the path names something the fixture already has that the model does not track. */
    private static boolean isFixtureEntry(Ext4Writer w, String p, Map<String, byte[]> files) throws IOException {
        return !files.containsKey(p) && w.volume().stat(p).isPresent();
    }
}
