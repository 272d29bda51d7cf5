// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import hydrapi.testkit.ByteArrayDevice;
import static org.junit.jupiter.api.Assertions.fail;

import hydrapi.HydrapiException;
import hydrapi.io.FileBlockDevice;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random byte mutations of metadata blocks (superblock, descriptors, bitmaps, used inode-table blocks, directory
 * and extent blocks): every operation must succeed or throw a HydrapiException, never anything else, never hang.
 * Seed: -Dhydrapi.seed=N replays a run.
 */
class Ext4FuzzTest {

    private static final int ITERATIONS = 150;
    private static final String[] PATHS = {"/etc/passwd", "/etc/many/entry-123.conf", "/lib/os-release",
        "/var/lib/big.bin", "/var/lib/fragmented.bin", "/etc/slowlink", "/etc/localtime", "/etc/systemd/system"};

    @ParameterizedTest
    @ValueSource(strings = {"bookworm", "trixie", "1k", "64bit", "gdtcsum"})
    void operations_throwOnlyHydrapiExceptions(String style) throws IOException {
        long seed = Long.getLong("hydrapi.seed", new Random().nextLong());
        System.out.println("Ext4FuzzTest " + style + " seed " + seed + " (replay with -Dhydrapi.seed=" + seed + ")");
        byte[] base = Files.readAllBytes(Ext4Fixtures.image(style));
        List<long[]> targets = metadataRanges(style);
        Random rnd = new Random(seed);
        ByteArrayDevice dev = new ByteArrayDevice(base.clone());
        for (int it = 0; it < ITERATIONS; it++) {
            List<Long> touched = new ArrayList<>();
            int n = 1 + rnd.nextInt(8);
            for (int k = 0; k < n; k++) {
                long[] r = targets.get(rnd.nextInt(targets.size()));
                long off = r[0] + (long) (rnd.nextDouble() * r[1]);
                touched.add(off);
                dev.bytes()[(int) off] = (byte) (rnd.nextBoolean() ? rnd.nextInt(256) : dev.bytes()[(int) off] ^ (1 << rnd.nextInt(8)));
            }
            try {
                exercise(dev);
            } catch (HydrapiException expected) {
                // refusing is fine
            } catch (Throwable t) {
                fail(style + " seed " + seed + " iteration " + it + " mutated " + touched + ": " + t, t);
            }
            for (long off : touched) {
                dev.bytes()[(int) off] = base[(int) off];
            }
        }
    }

    private static void exercise(ByteArrayDevice dev) throws IOException {
        Ext4Volume v = Ext4Volume.open(dev);
        v.label();
        v.journalNeedsRecovery();
        for (String p : PATHS) {
            try {
                v.stat(p);
                if (p.startsWith("/etc/systemd")) {
                    v.list(p);
                } else if (p.endsWith("link") || p.endsWith("localtime")) {
                    v.readLink(p);
                } else {
                    try (InputStream in = v.openFile(p)) {
                        in.readNBytes(64 * 1024);
                    }
                }
            } catch (HydrapiException e) {
                // go on with the next path: one refusal must not hide a crash elsewhere
            }
        }
        try {
            v.list("/etc/many");
        } catch (HydrapiException e) {
            // as above
        }
        v.check();
    }

    /** {offset, length} of the blocks worth mutating, found with the reader on the pristine image. */
    private static List<long[]> metadataRanges(String style) throws IOException {
        List<long[]> out = new ArrayList<>();
        try (Ext4Volume v = Ext4Volume.open(FileBlockDevice.openReadOnly(Ext4Fixtures.image(style)))) {
            Superblock sb = v.superblock();
            int bs = sb.blockSize();
            out.add(new long[] {1024, 1024});
            out.add(new long[] {v.groupDescriptors().firstBlockNo() * bs, sb.gdtBlocks() * bs});
            TreeSet<Long> blocks = new TreeSet<>();
            for (GroupDescriptor gd : v.groupDescriptors().all()) {
                blocks.add(gd.blockBitmapBlock());
                blocks.add(gd.inodeBitmapBlock());
                long used = sb.inodesPerGroup() - gd.itableUnused();
                for (long i = 0; i < (used * sb.inodeSize() + bs - 1) / bs && i < 64; i++) {
                    blocks.add(gd.inodeTableBlock() + i);
                }
            }
            for (String d : new String[] {"/", "/etc", "/etc/many", "/etc/systemd/system", "/var/lib"}) {
                Inode ino = v.inode(v.stat(d).orElseThrow().inodeNo());
                ExtentTree t = v.extentTree(ino);
                for (Extent e : t.extents()) {
                    for (long b = 0; b < e.length(); b++) {
                        blocks.add(e.physicalBlock() + b);
                    }
                }
            }
            Inode frag = v.inode(v.stat("/var/lib/fragmented.bin").orElseThrow().inodeNo());
            blocks.addAll(v.extentTree(frag).treeBlocks());
            for (long b : blocks) {
                out.add(new long[] {b * bs, bs});
            }
        }
        return out;
    }
}
