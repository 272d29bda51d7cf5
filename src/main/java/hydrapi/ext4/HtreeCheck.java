// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * e2fsck pass 2's htree rules for one indexed directory (e2fsck/pass2.c parse_int_node and the leaf hash range
 * check), reported as problem lines for {@link ConsistencyCheck}.
 */
final class HtreeCheck {

    private final Superblock sb;
    private final Consumer<String> problems;

    HtreeCheck(Superblock sb, Consumer<String> problems) {
        this.sb = sb;
        this.problems = problems;
    }

    private void problem(String p) {
        problems.accept(p);
    }

    /**
     * e2fsck pass 2's htree rules: each leaf referenced once, every non-index block a referenced leaf, hashes
     * ascending within an index block, and every name's hash inside the range its index entry gives.
     */
    void check(Directory dir) {
        long dirNo = dir.inode().inodeNo();
        int version = Htree.rootHashVersion(dir.rootBlock());
        if (sb.unsignedDirHash()) {
            version += 3;
        }
        int[] seed = sb.hashSeed();
        Map<Long, Integer> leafRefs = new HashMap<>();
        checkIndex(dir, 0L, 0, 0x1_0000_0000L, false, Htree.rootIndirectLevels(dir.rootBlock()), version, seed,
                leafRefs);
        for (long l : dir.leaves().keySet()) {
            int n = leafRefs.getOrDefault(l, 0);
            if (n != 1) {
                problem("directory inode " + dirNo + " htree references leaf block " + l + " " + n + " times");
            }
        }
    }

    private void checkIndex(Directory dir, long lblk, long lowHash, long highHash, boolean highContinued,
            int levelsBelow, int version, int[] seed, Map<Long, Integer> leafRefs) {
        long dirNo = dir.inode().inodeNo();
        Htree.DxBlock dx = dir.indexBlocks().get(lblk);
        List<Htree.DxEntry> es = dx.entries();
        long prev = -1;
        for (int i = 0; i < es.size(); i++) {
            long lo = i == 0 ? lowHash : Integer.toUnsignedLong(es.get(i).hash());
            if (i > 0 && (lo < prev || lo < lowHash)) {
                problem("directory inode " + dirNo + " htree block " + lblk + " entry " + i + " hash is out of order");
            }
            prev = lo;
            boolean last = i + 1 == es.size();
            long hi = last ? highHash : Integer.toUnsignedLong(es.get(i + 1).hash());
            boolean hiCont = last ? highContinued : (hi & 1) != 0;
            long child = es.get(i).logicalBlock();
            if (levelsBelow > 0) {
                if (dir.indexBlocks().containsKey(child)) {
                    checkIndex(dir, child, lo, hi, hiCont, levelsBelow - 1, version, seed, leafRefs);
                }
                continue;
            }
            leafRefs.merge(child, 1, Integer::sum);
            DirectoryBlock leaf = dir.leaves().get(child);
            if (leaf == null) {
                problem("directory inode " + dirNo + " htree entry points to index block " + child + " as a leaf");
                continue;
            }
            long loMasked = lo & ~1L;
            long hiMasked = hi & ~1L;
            for (DirEntry e : leaf.entries()) {
                if (e.inodeNo() == 0) {
                    continue;
                }
                long h = Integer.toUnsignedLong(DirHash.hash(version, seed, e.name()));
                boolean inRange = h >= loMasked && (h < hiMasked || (hiCont && h == hiMasked));
                if (!inRange) {
                    problem(String.format("directory inode %d leaf block %d: '%s' hash 0x%08x is outside"
                            + " [0x%x, 0x%x)", dirNo, child, e.nameString(), h, loMasked, hiMasked));
                }
            }
        }
    }
}
