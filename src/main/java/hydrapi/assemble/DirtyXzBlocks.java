// SPDX-License-Identifier: Apache-2.0
package hydrapi.assemble;

import hydrapi.io.ByteRange;
import hydrapi.io.PreferredRanges;
import hydrapi.xz.XzBlockInfo;
import hydrapi.xz.XzStreamInfo;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiPredicate;

/**
 * The base's compressed blocks that the build has already made dirty, as ranges of the decoded disk. The output
 * copies every untouched base block and recompresses every touched one whole (xz.ParallelXzWriter#writeReusing),
 * so a dirty block takes more data for free and a clean one costs a recompression: the filesystem writers are told
 * to fill dirty blocks first, and then to open the clean block that is cheapest to recompress: the one with the
 * smallest compressed size, mostly free space (issue 14). Computed anew on each call from {@code touched}, which
 * sees every write so far.
 */
final class DirtyXzBlocks implements PreferredRanges {

    private final List<ByteRange> blocks;
    /** Compressed size of each block, its cost to recompress; empty when unknown. */
    private final List<Long> costs;
    private final BiPredicate<Long, Long> touched;

    /** {@code touched.test(start, end)}: whether the build has written any byte of the disk in [start, end). */
    DirtyXzBlocks(List<ByteRange> blocks, BiPredicate<Long, Long> touched) {
        this(blocks, List.of(), touched);
    }

    /** With {@code costs}: each block's compressed size, for {@link #cheapest}. */
    DirtyXzBlocks(List<ByteRange> blocks, List<Long> costs, BiPredicate<Long, Long> touched) {
        if (!costs.isEmpty() && costs.size() != blocks.size()) {
            throw new IllegalArgumentException(costs.size() + " costs for " + blocks.size() + " blocks");
        }
        this.blocks = List.copyOf(blocks);
        this.costs = List.copyOf(costs);
        this.touched = touched;
    }

    /** Each block's compressed size (Block Header, data, Check), in the order of {@link #blocksOf}. */
    static List<Long> costsOf(List<XzStreamInfo> structure) {
        List<Long> out = new ArrayList<>();
        for (XzStreamInfo s : structure) {
            for (XzBlockInfo b : s.blocks()) {
                out.add(b.unpaddedSize());
            }
        }
        return out;
    }

    /** The untouched blocks, smallest compressed size first (ties: lower offset first). */
    @Override
    public List<ByteRange> cheapest() {
        List<Integer> clean = new ArrayList<>();
        for (int i = 0; i < blocks.size() && !costs.isEmpty(); i++) {
            if (!touched.test(blocks.get(i).startBytes(), blocks.get(i).endBytes())) {
                clean.add(i);
            }
        }
        clean.sort(java.util.Comparator.comparing((Integer i) -> costs.get(i)).thenComparing(i -> i));
        return clean.stream().map(blocks::get).toList();
    }

    /** Each block's decoded range, in order, over all streams of a base. */
    static List<ByteRange> blocksOf(List<XzStreamInfo> structure) {
        List<ByteRange> out = new ArrayList<>();
        for (XzStreamInfo s : structure) {
            for (XzBlockInfo b : s.blocks()) {
                out.add(new ByteRange(b.uncompressedOffset(), b.uncompressedOffset() + b.uncompressedSize()));
            }
        }
        return out;
    }

    @Override
    public List<ByteRange> now() {
        List<ByteRange> out = new ArrayList<>();
        for (ByteRange b : blocks) {
            if (!touched.test(b.startBytes(), b.endBytes())) {
                continue;
            }
            int last = out.size() - 1;
            if (last >= 0 && out.get(last).endBytes() == b.startBytes()) {
                out.set(last, new ByteRange(out.get(last).startBytes(), b.endBytes()));
            } else {
                out.add(b);
            }
        }
        return out;
    }
}
