// SPDX-License-Identifier: Apache-2.0
package hydrapi.fat;

import hydrapi.io.LittleEndian;

/**
 * VFAT long-name directory entries: 13 UTF-16 code units each, stored last-part-first before the short entry they
 * belong to, tied to it by a checksum of its 11 name bytes (fatgen103 §7, "FAT Long Directory Entries").
 */
final class LongNameEntry {

    static final int LDIR_ORD = 0x00;
    static final int LDIR_CHKSUM = 0x0D;
    static final int LAST_LONG_ENTRY = 0x40;
    static final int CHARS_PER_ENTRY = 13;
    static final int MAX_NAME_CHARS = 255;

    /** Offsets of the 13 UTF-16 units: LDIR_Name1 (5), LDIR_Name2 (6), LDIR_Name3 (2). */
    private static final int[] CHAR_OFFSETS = {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30};

    private LongNameEntry() {
    }

    /** fatgen103 §7 ChkSum(): rotate right by one, add the next byte, over the 11 short-name bytes. */
    static int checksum(byte[] raw11) {
        int sum = 0;
        for (int i = 0; i < 11; i++) {
            sum = (((sum & 1) << 7) + (sum >>> 1) + (raw11[i] & 0xFF)) & 0xFF;
        }
        return sum;
    }

    static int entriesFor(String longName) {
        return (longName.length() + CHARS_PER_ENTRY - 1) / CHARS_PER_ENTRY;
    }

    /**
     * Writes the long-name entries for {@code longName} into {@code b} from slot offset {@code off}, in on-disk
     * order (highest ordinal, flagged LAST_LONG_ENTRY, first). The name ends with one 0x0000 unit if there is
     * room, then 0xFFFF padding.
     */
    static void encode(byte[] b, int off, String longName, int checksum) {
        int n = entriesFor(longName);
        for (int i = 0; i < n; i++) {
            int ord = n - i;
            int e = off + i * DirectoryEntry.SIZE;
            java.util.Arrays.fill(b, e, e + DirectoryEntry.SIZE, (byte) 0);
            b[e + LDIR_ORD] = (byte) (ord == n ? ord | LAST_LONG_ENTRY : ord);
            b[e + DirectoryEntry.DIR_ATTR] = (byte) DirectoryEntry.ATTR_LONG_NAME;
            b[e + LDIR_CHKSUM] = (byte) checksum;
            for (int k = 0; k < CHARS_PER_ENTRY; k++) {
                int idx = (ord - 1) * CHARS_PER_ENTRY + k;
                int unit = idx < longName.length() ? longName.charAt(idx) : idx == longName.length() ? 0 : 0xFFFF;
                LittleEndian.put16(b, e + CHAR_OFFSETS[k], unit);
            }
        }
    }

    static int ordinal(byte[] b, int off) {
        return b[off + LDIR_ORD] & 0xFF;
    }

    static int storedChecksum(byte[] b, int off) {
        return b[off + LDIR_CHKSUM] & 0xFF;
    }

    /** Appends this entry's part of the name to {@code sb}; returns false once the 0x0000 terminator is seen. */
    static boolean appendChars(byte[] b, int off, StringBuilder sb) {
        for (int k : CHAR_OFFSETS) {
            int unit = LittleEndian.u16(b, off + k);
            if (unit == 0) {
                return false;
            }
            sb.append((char) unit);
        }
        return true;
    }
}
