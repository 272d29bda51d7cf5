// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.CorruptImageException;
import hydrapi.io.FileBlockDevice;
import hydrapi.io.LittleEndian;
import hydrapi.testkit.Oracles;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Targeted corruptions, each one also caught by {@code e2fsck -fn} (so it is real), must make {@code check()} or
 * {@code open()} complain.
 */
class CorruptionTest {

    private static void flipByte(Path img, long offset, int xor) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.seek(offset);
            int b = f.read();
            f.seek(offset);
            f.write(b ^ xor);
        }
    }

    private static void assertE2fsckComplains(Path img) {
        assertThrows(AssertionError.class, () -> Oracles.assertE2fsckClean(img, 0), "e2fsck -fn finds it too");
    }

    private static List<String> check(Path img) throws IOException {
        try (Ext4Volume v = Ext4Volume.open(FileBlockDevice.openReadOnly(img))) {
            return v.check();
        }
    }

    private static long debugfsFirstBlock(Path img, String path) throws IOException {
        String out = new String(Oracles.check("debugfs", "-R", "blocks " + path, img.toString()),
                StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("(\\d+)").matcher(out);
        assertTrue(m.find(), out);
        return Long.parseLong(m.group(1));
    }

    private static long inodeNo(Path img, String path) throws IOException {
        String out = Oracles.debugfsStat(img, 0, path);
        Matcher m = Pattern.compile("Inode: (\\d+)").matcher(out);
        assertTrue(m.find());
        return Long.parseLong(m.group(1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"bookworm", "trixie", "1k", "64bit", "gdtcsum"})
    void open_refusesBadGroupDescriptorChecksum(String style, @TempDir Path tmp) throws IOException {
        Path img = Ext4Fixtures.copy(style, tmp);
        int bs;
        int ds;
        try (Ext4Volume v = Ext4Volume.open(FileBlockDevice.openReadOnly(img))) {
            bs = v.superblock().blockSize();
            ds = v.superblock().descSize();
        }
        long gdt = (bs == 1024 ? 2L : 1L) * bs;
        flipByte(img, gdt + ds + GroupDescriptor.BG_CHECKSUM, 0x5A);
        CorruptImageException e = assertThrows(CorruptImageException.class,
                () -> Ext4Volume.open(FileBlockDevice.openReadOnly(img)));
        assertTrue(e.getMessage().contains("group 1 descriptor checksum"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        assertE2fsckComplains(img);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bookworm", "trixie", "1k", "64bit"})
    void check_findsBadInodeChecksum(String style, @TempDir Path tmp) throws IOException {
        Path img = Ext4Fixtures.copy(style, tmp);
        long ino = inodeNo(img, "/etc/passwd");
        long off;
        try (Ext4Volume v = Ext4Volume.open(FileBlockDevice.openReadOnly(img))) {
            off = v.inodeOffsetBytes(ino);
        }
        flipByte(img, off + Inode.L_I_CHECKSUM_LO, 0x01);
        List<String> problems = check(img);
        assertTrue(problems.stream().anyMatch(p -> p.contains("inode " + ino + " checksum")), problems.toString());
        try (Ext4Volume v = Ext4Volume.open(FileBlockDevice.openReadOnly(img))) {
            assertThrows(CorruptImageException.class, () -> v.readFile("/etc/passwd"));
        }
        assertE2fsckComplains(img);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bookworm", "1k", "64bit", "gdtcsum"})
    void check_findsBitmapBitFlipEvenWithChecksumsRecomputed(String style, @TempDir Path tmp) throws IOException {
        Path img = Ext4Fixtures.copy(style, tmp);
        try (FileBlockDevice dev = FileBlockDevice.openReadWrite(img)) {
            Ext4Volume v = Ext4Volume.open(dev);
            Superblock sb = v.superblock();
            GroupDescriptor gd = v.groupDescriptors().get(0);
            Bitmap bm = new Bitmap(v.readBlock(gd.blockBitmapBlock()));
            long free = bm.firstClear(0, sb.blocksInGroup(0));
            bm.set(free, true);
            dev.write(gd.blockBitmapBlock() * sb.blockSize(), bm.bytes());
            // Recompute the bitmap and descriptor checksums: only the usage walk can see the flip now.
            if (sb.features().metadataCsum()) {
                gd.setBlockBitmapChecksum(bm.checksum(sb.csumSeed(), (int) (sb.blocksPerGroup() / 8)));
            }
            gd.updateChecksum(sb.features(), sb.csumSeed(), sb.uuidBytes());
            GroupDescriptorTable t = v.groupDescriptors();
            dev.write(t.firstBlockNo() * sb.blockSize(), t.bytes());
        }
        List<String> problems = check(img);
        assertTrue(problems.stream().anyMatch(p -> p.contains("unused but marked in use")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.contains("free blocks count")), problems.toString());
        assertE2fsckComplains(img);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bookworm", "trixie", "1k", "unsigned"})
    void check_findsDamagedDirectoryBlock(String style, @TempDir Path tmp) throws IOException {
        Path img = Ext4Fixtures.copy(style, tmp);
        long block = debugfsFirstBlock(img, "/etc/systemd/system");
        int bs;
        try (Ext4Volume v = Ext4Volume.open(FileBlockDevice.openReadOnly(img))) {
            bs = v.superblock().blockSize();
        }
        // A byte of the ".." entry's name: a content change only the leaf checksum can reveal.
        flipByte(img, block * bs + 12 + 8, 0x20);
        List<String> problems = check(img);
        assertTrue(problems.stream().anyMatch(p -> p.contains("directory block checksum")), problems.toString());
        try (Ext4Volume v = Ext4Volume.open(FileBlockDevice.openReadOnly(img))) {
            assertThrows(CorruptImageException.class, () -> v.list("/etc/systemd/system"));
        }
        assertE2fsckComplains(img);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bookworm", "unsigned"})
    void check_findsDamagedHtreeIndex(String style, @TempDir Path tmp) throws IOException {
        Path img = Ext4Fixtures.copy(style, tmp);
        long block = debugfsFirstBlock(img, "/etc/many");
        int bs;
        try (Ext4Volume v = Ext4Volume.open(FileBlockDevice.openReadOnly(img))) {
            bs = v.superblock().blockSize();
        }
        // Swap the hashes of dx_root entries 1 and 2: out of order, checksum now wrong too.
        long e1 = block * bs + Htree.ROOT_COUNT_OFFSET + 8;
        byte[] two = new byte[16];
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.seek(e1);
            f.readFully(two);
            int h1 = LittleEndian.s32(two, 0);
            LittleEndian.put32(two, 0, LittleEndian.s32(two, 8));
            LittleEndian.put32(two, 8, h1);
            f.seek(e1);
            f.write(two);
        }
        List<String> problems = check(img);
        assertTrue(problems.stream().anyMatch(p -> p.contains("htree index checksum")), problems.toString());
        assertE2fsckComplains(img);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bookworm", "unsigned", "1k"})
    void check_findsHtreeOrderErrorBehindValidChecksum(String style, @TempDir Path tmp) throws IOException {
        Path img = Ext4Fixtures.copy(style, tmp);
        try (FileBlockDevice dev = FileBlockDevice.openReadWrite(img)) {
            Ext4Volume v = Ext4Volume.open(dev);
            int bs = v.superblock().blockSize();
            Inode dir = v.inode(v.stat("/etc/many").orElseThrow().inodeNo());
            long p = v.extentTree(dir).physicalBlock(0);
            byte[] root = v.readBlock(p);
            // Raise entry 1's hash past entry 2's, then re-seal the dx tail: only the ordering rules can tell.
            int e1 = Htree.ROOT_COUNT_OFFSET + 8;
            LittleEndian.put32(root, e1, LittleEndian.u32(root, e1 + 8) + 2);
            int limit = LittleEndian.u16(root, Htree.ROOT_COUNT_OFFSET);
            LittleEndian.put32(root, Htree.ROOT_COUNT_OFFSET + limit * 8 + 4,
                    Htree.checksum(v.inodeSeed(dir), root, Htree.ROOT_COUNT_OFFSET));
            dev.write(p * bs, root);
        }
        List<String> problems = check(img);
        assertTrue(problems.stream().anyMatch(p -> p.contains("out of order") || p.contains("is outside")),
                problems.toString());
        assertFalse(problems.stream().anyMatch(p -> p.contains("checksum")), problems.toString());
        assertE2fsckComplains(img);
    }
}
