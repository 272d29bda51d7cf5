// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** ExtentWriter.remap: one logical block moved, every other mapping kept, contiguous pieces merged. */
class ExtentWriterTest {

    private static long physical(List<Extent> extents, long logical) {
        for (Extent e : extents) {
            if (logical >= e.logicalBlock() && logical < e.logicalEnd()) {
                return e.physicalBlock() + logical - e.logicalBlock();
            }
        }
        return -1;
    }

    @Test
    void remap_movesOneBlockAndKeepsEveryOtherMapping() {
        long seed = Long.getLong("hydrapi.seed", new Random().nextLong());
        System.out.println("ExtentWriterTest seed " + seed + " (replay with -Dhydrapi.seed=" + seed + ")");
        Random rnd = new Random(seed);
        for (int trial = 0; trial < 2000; trial++) {
            List<Extent> extents = new ArrayList<>();
            long logical = 0;
            long phys = 1000;
            for (int i = 0; i < 1 + rnd.nextInt(6); i++) {
                int len = 1 + rnd.nextInt(20);
                extents.add(new Extent(logical, phys, len, false));
                logical += len;
                phys += len + (rnd.nextBoolean() ? 0 : 1 + rnd.nextInt(50));
            }
            long size = logical;
            long moved = rnd.nextInt((int) size);
            // Sometimes onto the block right after or before its neighbour, so the pieces merge.
            long target = switch (rnd.nextInt(3)) {
                case 0 -> physical(extents, moved - 1) + 1;
                case 1 -> physical(extents, moved + 1) - 1;
                default -> 100_000 + rnd.nextInt(1000);
            };
            if (target <= 0) {
                target = 100_000;
            }
            List<Extent> out = ExtentWriter.remap(extents, moved, target);
            for (long l = 0; l < size; l++) {
                long want = l == moved ? target : physical(extents, l);
                assertEquals(want, physical(out, l), "logical " + l + " (seed " + seed + ", trial " + trial + ")");
            }
            for (int i = 1; i < out.size(); i++) {
                Extent a = out.get(i - 1);
                Extent b = out.get(i);
                assertEquals(a.logicalEnd(), b.logicalBlock(), "no gap, no overlap (seed " + seed + ")");
                assertTrue(a.physicalBlock() + a.length() != b.physicalBlock(), "neighbours that continue each"
                        + " other are merged: " + out + " (seed " + seed + ")");
            }
        }
    }
}
