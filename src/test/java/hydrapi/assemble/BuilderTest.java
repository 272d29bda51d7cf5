// SPDX-License-Identifier: Apache-2.0
package hydrapi.assemble;

import static org.junit.jupiter.api.Assertions.assertEquals;

import hydrapi.io.ByteRange;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BiPredicate;

import org.junit.jupiter.api.Test;

class BuilderTest {

    @Test
    void changedIn_matchesALinearScan_onRandomRangesAndBoundaries() {
        long seed = Long.getLong("hydrapi.seed", System.nanoTime());
        Random rnd = new Random(seed);
        for (int round = 0; round < 200; round++) {
            List<ByteRange> ranges = new ArrayList<>();
            long pos = 0;
            for (int i = 0; i < rnd.nextInt(8); i++) {
                pos += 1 + rnd.nextInt(50);
                long end = pos + 1 + rnd.nextInt(20);
                ranges.add(new ByteRange(pos, end));
                pos = end;
            }
            BiPredicate<Long, Long> p = Builder.changedIn(ranges);
            for (int q = 0; q < 100; q++) {
                long s = rnd.nextInt(400);
                long e = s + rnd.nextInt(60);
                boolean expected = ranges.stream().anyMatch(r -> r.overlaps(s, e));
                assertEquals(expected, p.test(s, e), "seed " + seed + " ranges " + ranges + " query " + s + "-" + e);
            }
        }
    }
}
