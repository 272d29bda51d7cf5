// SPDX-License-Identifier: Apache-2.0
package hydrapi.io;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Where on a device new data costs least: a hint from whoever stores the device's bytes to whoever chooses where
 * data goes. The build's one use: an image rewritten as a copy of its base's compressed blocks, where a block that
 * already has to be recompressed takes more data for free and a clean one costs a recompression (issue 5 point 6).
 * Asked anew before each allocation, since every write may make more ranges cheap.
 */
@FunctionalInterface
public interface PreferredRanges {

    /** No preference: a writer's own placement rules alone. */
    PreferredRanges NONE = List::of;

    /** The preferred ranges now, in this device's byte offsets, sorted and disjoint. */
    List<ByteRange> now() throws IOException;

    /**
     * Where to go next when the preferred ranges are full: ranges that cost least to start using, cheapest first
     * (the build: untouched compressed blocks of the base, smallest first, so new data makes an almost empty block
     * dirty rather than one full of old data that would have to be recompressed with it). Empty: no opinion.
     */
    default List<ByteRange> cheapest() throws IOException {
        return List.of();
    }

    /** The same hint as seen by a window [startBytes, startBytes+sizeBytes) of the device, in its own offsets. */
    default PreferredRanges window(long startBytes, long sizeBytes) {
        PreferredRanges whole = this;
        return new PreferredRanges() {
            @Override
            public List<ByteRange> now() throws IOException {
                return clip(whole.now(), startBytes, sizeBytes);
            }

            @Override
            public List<ByteRange> cheapest() throws IOException {
                return clip(whole.cheapest(), startBytes, sizeBytes);
            }
        };
    }

    /** The parts of {@code ranges} inside the window, in the window's offsets, in the same order. */
    private static List<ByteRange> clip(List<ByteRange> ranges, long startBytes, long sizeBytes) {
        List<ByteRange> out = new ArrayList<>();
        long end = startBytes + sizeBytes;
        for (ByteRange r : ranges) {
            long s = Math.max(r.startBytes(), startBytes);
            long e = Math.min(r.endBytes(), end);
            if (s < e) {
                out.add(new ByteRange(s - startBytes, e - startBytes));
            }
        }
        return out;
    }
}
