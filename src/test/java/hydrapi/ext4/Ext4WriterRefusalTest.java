// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.CorruptImageException;
import hydrapi.HydrapiException;
import hydrapi.ImageFullException;
import hydrapi.UnsupportedImageException;
import hydrapi.io.FileBlockDevice;
import hydrapi.io.OverlayDevice;
import hydrapi.testkit.Oracles;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every refusal the issue lists: named in a one-line message, raised before anything is written, and the image
 * (overlay written back) byte-identical afterwards.
 */
class Ext4WriterRefusalTest {

    private static final Instant T = Instant.parse("2026-05-06T07:08:09Z");

    private interface Edit {
        void apply(Ext4Writer w) throws IOException;
    }

    /** Opens a writer, runs {@code edit}, flushes when open succeeded, writes the overlay back: bytes unchanged. */
    private static <E extends HydrapiException> E refuse(Path img, Class<E> kind, String messagePart, Edit edit)
            throws IOException {
        byte[] before = Files.readAllBytes(img);
        OverlayDevice ov = new OverlayDevice(FileBlockDevice.openReadOnly(img));
        E e = assertThrows(kind, () -> {
            Ext4Writer w = Ext4Writer.open(ov);
            edit.apply(w);
        });
        assertTrue(e.getMessage().contains(messagePart), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        Ext4WriterTest.writeBack(ov, img);
        assertArrayEquals(before, Files.readAllBytes(img), "image changed: " + e.getMessage());
        return e;
    }

    private static void debugfsW(Path img, String cmd) throws IOException {
        Oracles.check("debugfs", "-w", "-R", cmd, img.toString());
    }

    private static long number(String out, String regex) {
        Matcher m = Pattern.compile(regex).matcher(out);
        assertTrue(m.find(), regex + " in " + out);
        return Long.parseLong(m.group(1));
    }

    private static String debugfs(Path img, String cmd) throws IOException {
        return new String(Oracles.check("debugfs", "-R", cmd, img.toString()), StandardCharsets.UTF_8);
    }

    private static void xorByte(Path img, long offset, int x) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.seek(offset);
            int b = f.read();
            f.seek(offset);
            f.write(b ^ x);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"bookworm", "trixie"})
    void open_refusesNeedsRecovery(String style, @TempDir Path tmp) throws IOException {
        Path img = Ext4Fixtures.copy(style, tmp);
        debugfsW(img, "feature needs_recovery");
        refuse(img, UnsupportedImageException.class, "journal needs recovery", w -> { });
    }

    @ParameterizedTest
    @ValueSource(strings = {"bookworm", "1k"})
    void open_refusesJournalWithNonZeroStart(String style, @TempDir Path tmp) throws IOException {
        Path img = Ext4Fixtures.copy(style, tmp);
        long bs = number(debugfs(img, "stats"), "Block size:\\s+(\\d+)");
        long jsb = number(debugfs(img, "bmap <8> 0"), "(\\d+)");
        // jbd2 journal_superblock_t s_start (0x1C, big-endian): a transaction waits to be replayed.
        xorByte(img, jsb * bs + 0x1F, 1);
        assertTrue(debugfs(img, "logdump").contains("Journal starts at block 1"), "debugfs sees the dirty journal");
        refuse(img, UnsupportedImageException.class, "journal needs recovery", w -> { });
    }

    @Test
    void open_refusesUnknownIncompatFeature(@TempDir Path tmp) throws IOException {
        Path img = Ext4Fixtures.copy("bookworm", tmp);
        long incompat;
        try (Ext4Volume v = Ext4Volume.open(FileBlockDevice.openReadOnly(img))) {
            incompat = v.superblock().features().incompat();
        }
        debugfsW(img, String.format("ssv feature_incompat 0x%x", incompat | 0x80000000L));
        refuse(img, UnsupportedImageException.class, "0x80000000", w -> { });
    }

    @Test
    void open_refusesFeatureWeDoNotWrite(@TempDir Path tmp) throws IOException {
        Path img = Ext4Fixtures.copy("bookworm", tmp);
        debugfsW(img, "feature encrypt");
        refuse(img, UnsupportedImageException.class, "encrypt", w -> { });
    }

    @Test
    void open_refusesRoCompatFeatureWeDoNotWrite_byName(@TempDir Path tmp) throws IOException {
        Path img = Ext4Fixtures.copy("bookworm", tmp);
        // quota adds hidden quota inodes whose usage we would have to keep in step.
        debugfsW(img, "feature quota");
        refuse(img, UnsupportedImageException.class, "'quota'", w -> { });
    }

    @ParameterizedTest
    @ValueSource(strings = {"bookworm", "64bit"})
    void open_refusesCorruptGroupDescriptor(String style, @TempDir Path tmp) throws IOException {
        Path img = Ext4Fixtures.copy(style, tmp);
        long bs = number(debugfs(img, "stats"), "Block size:\\s+(\\d+)");
        long ds = style.equals("64bit") ? 64 : 32;
        long gdt = (bs == 1024 ? 2L : 1L) * bs;
        // bg_free_inodes_count_lo of group 1 changes; its bg_checksum no longer matches.
        xorByte(img, gdt + ds + 0x0E, 0x01);
        refuse(img, CorruptImageException.class, "group 1 descriptor checksum", w -> { });
    }

    @ParameterizedTest
    @ValueSource(strings = {"bookworm", "1k"})
    void writeFile_refusesWhenBlocksRunOut(String style, @TempDir Path tmp) throws IOException {
        Path img = Ext4Fixtures.copy(style, tmp);
        long bs = number(debugfs(img, "stats"), "Block size:\\s+(\\d+)");
        long free = number(debugfs(img, "stats"), "Free blocks:\\s+(\\d+)");
        byte[] big = new byte[(int) ((free + 10) * bs)];
        refuse(img, ImageFullException.class, (free + 10) + " blocks needed, " + free + " free",
                w -> w.writeFile("/big", big, 0644, 0, 0, T));
    }

    @Test
    void writeFile_refusesWhenInodesRunOut(@TempDir Path tmp) throws IOException {
        Path img = tmp.resolve("few-inodes.img");
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(8 << 20);
        }
        Oracles.check("mke2fs", "-q", "-F", "-t", "ext4", "-N", "32", "-O", "^64bit,^huge_file", img.toString());
        long freeInodes = number(debugfs(img, "stats"), "Free inodes:\\s+(\\d+)");
        // Fill them in one session, then refuse the next one in a second session over the written-back image.
        OverlayDevice ov = new OverlayDevice(FileBlockDevice.openReadOnly(img));
        Ext4Writer w = Ext4Writer.open(ov);
        for (int i = 0; i < freeInodes; i++) {
            w.writeFile("/f" + i, new byte[] {(byte) i}, 0644, 0, 0, T);
        }
        w.flush();
        Ext4WriterTest.writeBack(ov, img);
        Oracles.assertE2fsckClean(img, 0);
        refuse(img, ImageFullException.class, "1 inode needed, 0 free",
                x -> x.writeFile("/one-more", new byte[1], 0644, 0, 0, T));
        // unlink makes room again
        OverlayDevice ov2 = new OverlayDevice(FileBlockDevice.openReadOnly(img));
        Ext4Writer w2 = Ext4Writer.open(ov2);
        w2.unlink("/f3", T);
        w2.writeFile("/one-more", new byte[1], 0644, 0, 0, T);
        w2.flush();
        Ext4WriterTest.writeBack(ov2, img);
        Oracles.assertE2fsckClean(img, 0);
    }

    @Test
    void writeFile_refusesDirectoryBlockWithBadChecksum(@TempDir Path tmp) throws IOException {
        Path img = Ext4Fixtures.copy("bookworm", tmp);
        long bs = number(debugfs(img, "stats"), "Block size:\\s+(\\d+)");
        long block = number(debugfs(img, "blocks /etc/systemd"), "(\\d+)");
        xorByte(img, block * bs + bs - 1, 0x40);
        refuse(img, CorruptImageException.class, "directory block checksum",
                w -> w.writeFile("/etc/systemd/new.conf", new byte[3], 0644, 0, 0, T));
    }

    @Test
    void writeFile_refusesBlockBitmapWithBadChecksum(@TempDir Path tmp) throws IOException {
        Path img = Ext4Fixtures.copy("bookworm", tmp);
        long bs = number(debugfs(img, "stats"), "Block size:\\s+(\\d+)");
        String gd = new String(Oracles.check("dumpe2fs", img.toString()), StandardCharsets.UTF_8);
        long bitmap = number(gd, "Group 0:[\\s\\S]*?Block bitmap at (\\d+)");
        // A used block's bit cleared: the data block we are about to allocate from looks free, the checksum says no.
        xorByte(img, bitmap * bs + 3, 0x01);
        refuse(img, CorruptImageException.class, "block bitmap checksum",
                w -> w.writeFile("/new.bin", new byte[10_000], 0644, 0, 0, T));
    }

    @Test
    void writeFile_refusesReplacingInodeWithBadChecksum(@TempDir Path tmp) throws IOException {
        Path img = Ext4Fixtures.copy("trixie", tmp);
        String imap = debugfs(img, "imap /etc/fstab");
        long block = number(imap, "located at block (\\d+)");
        long offset = Long.decode(imap.replaceAll("(?s).*offset (0x[0-9a-f]+).*", "$1").trim());
        long bs = number(debugfs(img, "stats"), "Block size:\\s+(\\d+)");
        xorByte(img, block * bs + offset + 0x10, 0x01);
        refuse(img, CorruptImageException.class, "checksum",
                w -> w.writeFile("/etc/fstab", new byte[3], 0644, 0, 0, T));
    }
}
