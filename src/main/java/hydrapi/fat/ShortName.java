// SPDX-License-Identifier: Apache-2.0
package hydrapi.fat;

import hydrapi.ImageFullException;
import hydrapi.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;

/**
 * 8.3 names: whether a name is one already (in one case per part, shown through the NT lowercase flags as Linux
 * vfat and mtools do), and the basis-name and numeric-tail generation of fatgen103 §7 ("The Basis-Name
 * Generation Algorithm", "The Numeric-Tail Generation Algorithm").
 *
 * @param raw11 the 11 stored name bytes, space padded
 * @param ntRes DIR_NTRes lowercase flags; non-zero only for names that need no long-name entries
 */
record ShortName(byte[] raw11, int ntRes) {

    /** Characters fatgen103 §6.1 allows in short names besides A-Z and 0-9 (we leave out space and 0x80-0xFF). */
    private static final String SPECIALS = "!#$%&'()-@^_`{}~";
    /** Characters that are legal in long names but not in short names: each becomes '_' (a lossy conversion). */
    private static final String LONG_ONLY = "+,;=[] ";
    /** Characters illegal in any FAT name (fatgen103 §7, plus the path separator). */
    private static final String ILLEGAL = "\"*/:<>?\\|";

    String display() {
        return DirectoryEntry.shortName(raw11);
    }

    /** Rejects what no FAT directory can hold: empty, ".", "..", control or reserved characters, over 255 units. */
    static void validateLongName(String name, String path) throws InvalidInputException {
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.length() > LongNameEntry.MAX_NAME_CHARS) {
            throw new InvalidInputException("FAT path " + path + ": name '" + name
                    + "' is empty, '.', '..' or longer than 255 characters; choose another name");
        }
        // Windows and Linux vfat drop trailing dots and spaces silently; refusing keeps the stored name exact.
        if (name.endsWith(".") || name.endsWith(" ")) {
            throw new InvalidInputException("FAT path " + path + ": name '" + name
                    + "' ends with a dot or space, which FAT drivers strip; remove it");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || ILLEGAL.indexOf(c) >= 0) {
                throw new InvalidInputException("FAT path " + path + ": name '" + name
                        + "' contains a character FAT forbids (control or \" * / : < > ? \\ |); rename it");
            }
        }
    }

    /** The name as a short entry without long-name entries, or null if it is not 8.3 in one case per part. */
    static ShortName exact(String name) {
        int dot = name.indexOf('.');
        String base = dot < 0 ? name : name.substring(0, dot);
        String ext = dot < 0 ? "" : name.substring(dot + 1);
        if (base.isEmpty() || base.length() > 8 || ext.length() > 3 || (dot >= 0 && ext.isEmpty())
                || ext.indexOf('.') >= 0 || !plain(base) || !plain(ext)) {
            return null;
        }
        int baseCase = letterCase(base);
        int extCase = letterCase(ext);
        if (baseCase == MIXED || extCase == MIXED) {
            return null;
        }
        int nt = (baseCase == LOWER ? DirectoryEntry.NT_LOWER_BASE : 0) | (extCase == LOWER ? DirectoryEntry.NT_LOWER_EXT : 0);
        return new ShortName(pad(upper(base), upper(ext)), nt);
    }

    /**
     * A short name for a name that needs long-name entries: the basis name alone when the conversion was lossless
     * and the result differs from the name only by case, else basis~N with the lowest N not in {@code taken}.
     *
     * @param taken the short names (display form, "CONFIG.TXT") already in the directory
     */
    static ShortName generate(String name, Set<String> taken) throws ImageFullException {
        boolean lossy = false;
        String upper = upper(name);
        // Strip all leading and embedded spaces and all leading periods.
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < upper.length(); i++) {
            char c = upper.charAt(i);
            if (c == ' ' || (c == '.' && s.length() == 0)) {
                continue;
            }
            s.append(c);
        }
        String stripped = s.toString();
        int lastDot = stripped.lastIndexOf('.');
        String basePart = lastDot < 0 ? stripped : stripped.substring(0, lastDot);
        String extPart = lastDot < 0 ? "" : stripped.substring(lastDot + 1);
        StringBuilder base = new StringBuilder();
        for (int i = 0; i < basePart.length() && base.length() < 8; i++) {
            char c = basePart.charAt(i);
            if (c == '.') {
                continue;
            }
            lossy |= !plain(String.valueOf(c));
            base.append(plain(String.valueOf(c)) ? c : '_');
        }
        StringBuilder ext = new StringBuilder();
        for (int i = 0; i < extPart.length() && ext.length() < 3; i++) {
            char c = extPart.charAt(i);
            lossy |= !plain(String.valueOf(c));
            ext.append(plain(String.valueOf(c)) ? c : '_');
        }
        if (base.length() == 0) {
            base.append('_');
            lossy = true;
        }
        String basisDisplay = ext.length() == 0 ? base.toString() : base + "." + ext;
        if (!lossy && basisDisplay.equals(upper) && !taken.contains(basisDisplay)) {
            return new ShortName(pad(base.toString(), ext.toString()), 0);
        }
        for (int n = 1; n <= 999_999; n++) {
            String tail = "~" + n;
            String b = base.substring(0, Math.min(base.length(), 8 - tail.length())) + tail;
            String display = ext.length() == 0 ? b : b + "." + ext;
            if (!taken.contains(display)) {
                return new ShortName(pad(b, ext.toString()), 0);
            }
        }
        throw new ImageFullException("FAT directory holds 999999 short names like " + basisDisplay
                + "; no numeric tail is left, choose a different name");
    }

    private static final int NONE = 0;
    private static final int LOWER = 1;
    private static final int UPPER = 2;
    private static final int MIXED = 3;

    private static int letterCase(String s) {
        int c = NONE;
        for (char ch : s.toCharArray()) {
            if (ch >= 'a' && ch <= 'z') {
                c |= LOWER;
            } else if (ch >= 'A' && ch <= 'Z') {
                c |= UPPER;
            }
        }
        return c;
    }

    /** True if every character is a letter, digit or allowed special, i.e. storable in a short name as is. */
    private static boolean plain(String s) {
        for (char ch : s.toCharArray()) {
            boolean ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')
                    || SPECIALS.indexOf(ch) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** ASCII-only upper case: FAT drivers compare short names through the OEM code page, we store ASCII only. */
    static String upper(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            sb.append(c >= 'a' && c <= 'z' ? (char) (c - 32) : c);
        }
        return sb.toString();
    }

    private static byte[] pad(String base, String ext) {
        byte[] raw = new byte[11];
        Arrays.fill(raw, (byte) ' ');
        byte[] b = base.getBytes(StandardCharsets.US_ASCII);
        byte[] e = ext.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, raw, 0, b.length);
        System.arraycopy(e, 0, raw, 8, e.length);
        return raw;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ShortName other && Arrays.equals(raw11, other.raw11) && ntRes == other.ntRes;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(raw11) * 31 + ntRes;
    }

    @Override
    public String toString() {
        return display() + (ntRes != 0 ? " (nt 0x" + Integer.toHexString(ntRes) + ")" : "");
    }
}
