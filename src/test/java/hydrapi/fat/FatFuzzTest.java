// SPDX-License-Identifier: Apache-2.0
package hydrapi.fat;

import hydrapi.testkit.ByteArrayDevice;
import static org.junit.jupiter.api.Assertions.fail;

import hydrapi.HydrapiException;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Mutates the boot sector, FAT and directories of a fixture: reading must fail only with our exceptions. */
class FatFuzzTest {

    private static final int ROUNDS = Integer.getInteger("hydrapi.fat.fuzzRounds", 400);

    @ParameterizedTest
    @ValueSource(strings = {"fat32.img", "fat16.img"})
    void openListRead_onlyHydrapiExceptions(String fixture) throws IOException {
        long seed = Long.getLong("hydrapi.seed", System.nanoTime());
        System.out.println("FatFuzzTest " + fixture + " seed=" + seed + " (replay with -Dhydrapi.seed=" + seed + ")");
        byte[] pristine = Files.readAllBytes(FatFixtures.built().resolve(fixture));
        BootSector boot = BootSector.parse(pristine, pristine.length);
        long overlays = findOverlays(pristine);
        long[][] regions = {
            {0, 512},
            {boot.fatOffsetBytes(0), boot.fatOffsetBytes(0) + 4096},
            {boot.type == FatType.FAT32 ? boot.clusterOffsetBytes(boot.rootCluster) : boot.rootDirOffsetBytes(), 0},
            {boot.clusterOffsetBytes(overlays), 0},
            {512, 1024},
        };
        regions[2][1] = regions[2][0] + 512;
        regions[3][1] = regions[3][0] + boot.clusterBytes();
        Random r = new Random(seed);
        for (int round = 0; round < ROUNDS; round++) {
            byte[] img = pristine.clone();
            long[] region = regions[r.nextInt(regions.length)];
            int mutations = 1 + r.nextInt(8);
            for (int m = 0; m < mutations; m++) {
                int off = (int) (region[0] + r.nextInt((int) (region[1] - region[0])));
                img[off] = r.nextInt(4) == 0 ? (byte) (img[off] ^ (1 << r.nextInt(8))) : (byte) r.nextInt(256);
            }
            try {
                exercise(new ByteArrayDevice(img));
            } catch (HydrapiException expected) {
                // refusing a damaged image is the point
            } catch (IOException | RuntimeException | StackOverflowError | OutOfMemoryError e) {
                e.printStackTrace();
                fail("seed " + seed + " round " + round + ": " + e);
            }
        }
    }

    private static void exercise(ByteArrayDevice dev) throws IOException {
        FatVolume v = FatVolume.open(dev);
        v.label();
        v.freeBytes();
        for (FatEntry e : v.list("/")) {
            v.stat("/" + e.name());
            if (e.directory()) {
                for (FatEntry child : v.list("/" + e.name())) {
                    if (!child.directory()) {
                        v.readFile("/" + e.name() + "/" + child.name());
                    }
                }
            } else {
                v.readFile("/" + e.name());
            }
        }
        v.check();
        if (v.type() != FatType.FAT12) {
            v.writeFile("/overlays/fuzz written file.txt", new byte[3000], Instant.EPOCH);
            v.mkdirs("/new/dir", Instant.EPOCH);
            v.flush();
        }
    }

    private static long findOverlays(byte[] img) throws IOException {
        try (ByteArrayDevice dev = new ByteArrayDevice(img.clone())) {
            BootSector boot = BootSector.parse(img, img.length);
            FatTable fat = new FatTable(boot.type, dev.read(boot.fatOffsetBytes(0),
                    FatTable.loadedBytes(boot.type, boot.clusterCount, boot.bytesPerSector)), boot.clusterCount,
                    boot.bytesPerSector);
            for (Directory.Record rec : Directory.root(dev, boot, fat).records()) {
                if (rec.shortName().equals("OVERLAYS")) {
                    return rec.cluster();
                }
            }
        }
        throw new AssertionError("fixture has no /overlays");
    }
}
