// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.io.BlockDevice;
import hydrapi.io.FileBlockDevice;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lookups against debugfs's listing (the oracle): every name it lists is found with its inode, names it does not
 * list are not, and an htree lookup reads only the index path and one leaf.
 */
class DirectoryLookupTest {

    private static final Pattern LS_P = Pattern.compile("/(\\d+)/(\\d+)/(\\d+)/(\\d+)/(.*)/(\\d*)/");

    /** name → inode of the live entries debugfs lists in {@code dir}, "." and ".." included. */
    private static Map<String, Long> debugfsEntries(Path img, String dir, Path tmp) throws IOException {
        Map<String, String> out = Ext4VolumeTest.debugfs(img, List.of("ls -p \"" + dir + "\""), tmp);
        Map<String, Long> entries = new TreeMap<>();
        Matcher m = LS_P.matcher(out.values().iterator().next());
        while (m.find()) {
            if (!m.group(1).equals("0")) {
                entries.put(m.group(5), Long.parseLong(m.group(1)));
            }
        }
        return entries;
    }

    /** Counts block-sized reads, to see how much of a directory a lookup reads. */
    private static final class CountingDevice implements BlockDevice {
        final BlockDevice base;
        int reads;

        CountingDevice(BlockDevice base) {
            this.base = base;
        }

        @Override
        public long sizeBytes() {
            return base.sizeBytes();
        }

        @Override
        public void read(long offsetBytes, byte[] buf, int off, int len) throws IOException {
            reads++;
            base.read(offsetBytes, buf, off, len);
        }

        @Override
        public void write(long offsetBytes, byte[] buf, int off, int len) {
            throw new IllegalStateException("read-only");
        }
    }

    @Test
    void find_agreesWithDebugfsInEveryFixture(@TempDir Path tmp) throws IOException {
        long seed = Long.getLong("hydrapi.seed", new Random().nextLong());
        System.out.println("DirectoryLookupTest seed " + seed + " (replay with -Dhydrapi.seed=" + seed + ")");
        Random rnd = new Random(seed);
        int checked = 0;
        for (String style : Ext4Fixtures.STYLES) {
            Path img = Ext4Fixtures.image(style);
            try (Ext4Volume vol = Ext4Volume.open(FileBlockDevice.openReadOnly(img))) {
                for (String dir : List.of("/", "/etc", "/etc/many", "/var/bigdir")) {
                    if (vol.stat(dir).isEmpty()) {
                        continue;
                    }
                    Inode d = vol.resolve(dir, true).orElseThrow().inode();
                    Map<String, Long> want = debugfsEntries(img, dir, tmp);
                    for (Map.Entry<String, Long> e : want.entrySet()) {
                        DirEntry got = DirectoryLookup.find(vol, d, e.getKey().getBytes(StandardCharsets.UTF_8));
                        assertEquals(e.getValue(), got == null ? null : got.inodeNo(), style + " " + dir + "/"
                                + e.getKey());
                        checked++;
                    }
                    for (int i = 0; i < 200; i++) {
                        String n = Ext4WriterPropertyTest.randomName(rnd, 60);
                        if (!want.containsKey(n)) {
                            assertNull(DirectoryLookup.find(vol, d, n.getBytes(StandardCharsets.UTF_8)),
                                    style + " " + dir + "/" + n + " (seed " + seed + ")");
                        }
                    }
                }
            }
        }
        assertTrue(checked > 3000, "names checked: " + checked);
    }

    @Test
    void find_inAnHtreeReadsTheIndexPathAndOneLeaf() throws IOException {
        for (String style : List.of("bookworm", "1k")) {
            String dir = style.equals("1k") ? "/var/bigdir" : "/etc/many";
            CountingDevice dev = new CountingDevice(FileBlockDevice.openReadOnly(Ext4Fixtures.image(style)));
            try (Ext4Volume vol = Ext4Volume.open(dev)) {
                Inode d = vol.resolve(dir, true).orElseThrow().inode();
                assertTrue(d.hasFlag(Inode.INDEX_FL), style + " " + dir + " is an htree");
                int blocks = (int) (d.sizeBytes() / vol.superblock().blockSize());
                String name = vol.list(dir).get(blocks).name();
                int indexBlocks = style.equals("1k") ? 2 : 1;
                int treeBlocks = vol.extentTree(d).treeBlocks().size();
                dev.reads = 0;
                assertTrue(DirectoryLookup.find(vol, d, name.getBytes(StandardCharsets.UTF_8)) != null);
                assertEquals(treeBlocks + indexBlocks + 1, dev.reads, style + ": reads for a directory of " + blocks
                        + " blocks (" + treeBlocks + " extent tree blocks)");
            }
        }
    }

    @Test
    void lookup_cachesHitsAndMissesUntilTheWriterChangesThem() throws IOException {
        try (Ext4Volume vol = Ext4Volume.open(FileBlockDevice.openReadOnly(Ext4Fixtures.image("bookworm")))) {
            Inode etc = vol.resolve("/etc/many", true).orElseThrow().inode();
            byte[] absent = "no-such-entry".getBytes(StandardCharsets.UTF_8);
            assertEquals(0, vol.lookup(etc, absent));
            vol.lookupChanged(etc.inodeNo(), absent, 12345);
            assertEquals(12345, vol.lookup(etc, absent), "the writer's word is taken over the disk's");
            vol.forgetLookups();
            assertEquals(0, vol.lookup(etc, absent), "after a rollback the disk is read again");
        }
    }
}
