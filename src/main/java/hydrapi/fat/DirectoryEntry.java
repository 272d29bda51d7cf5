// SPDX-License-Identifier: Apache-2.0
package hydrapi.fat;

import hydrapi.io.LittleEndian;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;

/** A 32-byte short (8.3) directory entry, as static accessors on a directory buffer (fatgen103 §6). */
final class DirectoryEntry {

    static final int SIZE = 32;
    static final int DIR_NAME = 0x00;
    static final int DIR_ATTR = 0x0B;
    static final int DIR_NT_RES = 0x0C;
    static final int DIR_CRT_TIME_TENTH = 0x0D;
    static final int DIR_CRT_TIME = 0x0E;
    static final int DIR_CRT_DATE = 0x10;
    static final int DIR_LST_ACC_DATE = 0x12;
    static final int DIR_FST_CLUS_HI = 0x14;
    static final int DIR_WRT_TIME = 0x16;
    static final int DIR_WRT_DATE = 0x18;
    static final int DIR_FST_CLUS_LO = 0x1A;
    static final int DIR_FILE_SIZE = 0x1C;

    static final int ATTR_READ_ONLY = 0x01;
    static final int ATTR_HIDDEN = 0x02;
    static final int ATTR_SYSTEM = 0x04;
    static final int ATTR_VOLUME_ID = 0x08;
    static final int ATTR_DIRECTORY = 0x10;
    static final int ATTR_ARCHIVE = 0x20;
    static final int ATTR_LONG_NAME = 0x0F;

    /** Windows NT / Linux vfat: DIR_NTRes bits saying the base or extension is displayed in lower case. */
    static final int NT_LOWER_BASE = 0x08;
    static final int NT_LOWER_EXT = 0x10;

    static final int FREE = 0xE5;
    static final int END = 0x00;

    private static final LocalDateTime FAT_EPOCH = LocalDateTime.of(1980, 1, 1, 0, 0, 0);
    private static final LocalDateTime FAT_MAX = LocalDateTime.of(2107, 12, 31, 23, 59, 58);

    private DirectoryEntry() {
    }

    static int attr(byte[] b, int off) {
        return b[off + DIR_ATTR] & 0xFF;
    }

    static boolean isLongName(byte[] b, int off) {
        return (attr(b, off) & 0x3F) == ATTR_LONG_NAME;
    }

    static long firstCluster(byte[] b, int off, FatType type) {
        long lo = LittleEndian.u16(b, off + DIR_FST_CLUS_LO);
        return type == FatType.FAT32 ? lo | (long) LittleEndian.u16(b, off + DIR_FST_CLUS_HI) << 16 : lo;
    }

    static void setFirstCluster(byte[] b, int off, long cluster) {
        LittleEndian.put16(b, off + DIR_FST_CLUS_LO, (int) cluster & 0xFFFF);
        LittleEndian.put16(b, off + DIR_FST_CLUS_HI, (int) (cluster >>> 16) & 0xFFFF);
    }

    static long size(byte[] b, int off) {
        return LittleEndian.u32(b, off + DIR_FILE_SIZE);
    }

    /** The 11 raw name bytes, with the 0x05 escape for a leading 0xE5 undone. */
    static byte[] rawName(byte[] b, int off) {
        byte[] n = new byte[11];
        System.arraycopy(b, off, n, 0, 11);
        if ((n[0] & 0xFF) == 0x05) {
            n[0] = (byte) 0xE5;
        }
        return n;
    }

    /** "CONFIG.TXT": base and extension trimmed of padding, upper case as stored. */
    static String shortName(byte[] raw11) {
        String base = new String(raw11, 0, 8, StandardCharsets.ISO_8859_1).stripTrailing();
        String ext = new String(raw11, 8, 3, StandardCharsets.ISO_8859_1).stripTrailing();
        return ext.isEmpty() ? base : base + "." + ext;
    }

    /** The short name with the NT lowercase flags applied, as Linux vfat and Windows show it. */
    static String displayName(byte[] raw11, int ntRes) {
        String base = new String(raw11, 0, 8, StandardCharsets.ISO_8859_1).stripTrailing();
        String ext = new String(raw11, 8, 3, StandardCharsets.ISO_8859_1).stripTrailing();
        if ((ntRes & NT_LOWER_BASE) != 0) {
            base = asciiLower(base);
        }
        if ((ntRes & NT_LOWER_EXT) != 0) {
            ext = asciiLower(ext);
        }
        return ext.isEmpty() ? base : base + "." + ext;
    }

    private static String asciiLower(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            sb.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
        }
        return sb.toString();
    }

    /** Fills a fresh short entry: name, attributes, all three timestamps from {@code mtime}, cluster and size. */
    static void encode(byte[] b, int off, byte[] raw11, int attr, int ntRes, Instant mtime, long cluster, long size) {
        java.util.Arrays.fill(b, off, off + SIZE, (byte) 0);
        System.arraycopy(raw11, 0, b, off, 11);
        if ((b[off] & 0xFF) == 0xE5) {
            b[off] = 0x05;
        }
        b[off + DIR_ATTR] = (byte) attr;
        b[off + DIR_NT_RES] = (byte) ntRes;
        LocalDateTime t = clamp(mtime);
        b[off + DIR_CRT_TIME_TENTH] = (byte) ((t.getSecond() % 2) * 100 + t.getNano() / 10_000_000);
        LittleEndian.put16(b, off + DIR_CRT_TIME, fatTime(t));
        LittleEndian.put16(b, off + DIR_CRT_DATE, fatDate(t));
        setModified(b, off, mtime);
        setFirstCluster(b, off, cluster);
        LittleEndian.put32(b, off + DIR_FILE_SIZE, size);
    }

    /** Sets the write time and date, and the access date to the same day. */
    static void setModified(byte[] b, int off, Instant mtime) {
        LocalDateTime t = clamp(mtime);
        LittleEndian.put16(b, off + DIR_WRT_TIME, fatTime(t));
        LittleEndian.put16(b, off + DIR_WRT_DATE, fatDate(t));
        LittleEndian.put16(b, off + DIR_LST_ACC_DATE, fatDate(t));
    }

    static void setSize(byte[] b, int off, long size) {
        LittleEndian.put32(b, off + DIR_FILE_SIZE, size);
    }

    static LocalDateTime clamp(Instant t) {
        LocalDateTime l = t.isBefore(FAT_EPOCH.toInstant(ZoneOffset.UTC)) ? FAT_EPOCH
                : t.isAfter(FAT_MAX.toInstant(ZoneOffset.UTC)) ? FAT_MAX : LocalDateTime.ofInstant(t, ZoneOffset.UTC);
        return l;
    }

    static int fatTime(LocalDateTime t) {
        return t.getHour() << 11 | t.getMinute() << 5 | t.getSecond() / 2;
    }

    static int fatDate(LocalDateTime t) {
        return (t.getYear() - 1980) << 9 | t.getMonthValue() << 5 | t.getDayOfMonth();
    }

    /** The write timestamp in UTC; out-of-range fields (a damaged entry) are clamped, never rejected. */
    static Instant modified(byte[] b, int off) {
        int date = LittleEndian.u16(b, off + DIR_WRT_DATE);
        int time = LittleEndian.u16(b, off + DIR_WRT_TIME);
        int year = 1980 + (date >>> 9);
        int month = Math.min(12, Math.max(1, (date >>> 5) & 0xF));
        int day = Math.min(YearMonth.of(year, month).lengthOfMonth(), Math.max(1, date & 0x1F));
        int hour = Math.min(23, time >>> 11);
        int minute = Math.min(59, (time >>> 5) & 0x3F);
        int second = Math.min(59, (time & 0x1F) * 2);
        return LocalDateTime.of(year, month, day, hour, minute, second).toInstant(ZoneOffset.UTC);
    }
}
