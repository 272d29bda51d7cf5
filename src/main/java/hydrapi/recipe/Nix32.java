// SPDX-License-Identifier: Apache-2.0
package hydrapi.recipe;

/**
 * Nix's base-32 ("0123456789abcdfghijklmnpqrsvwxyz", no e o u t), as in {@code sha256:115z4prn…}: least significant
 * 5-bit group last. Source: NixOS/nix src/libutil/hash.cc printHash32 / parseHash32.
 */
public final class Nix32 {

    static final String CHARS = "0123456789abcdfghijklmnpqrsvwxyz";

    private Nix32() {
    }

    public static String encode(byte[] hash) {
        int len = (hash.length * 8 - 1) / 5 + 1;
        StringBuilder s = new StringBuilder(len);
        for (int n = len - 1; n >= 0; n--) {
            int b = n * 5;
            int i = b / 8;
            int j = b % 8;
            int c = (hash[i] & 0xff) >>> j;
            if (i + 1 < hash.length) {
                c |= (hash[i + 1] & 0xff) << (8 - j);
            }
            s.append(CHARS.charAt(c & 0x1f));
        }
        return s.toString();
    }

    /** Decodes {@code text} into {@code sizeBytes} bytes; null if it is not valid base-32 of that size. */
    public static byte[] decode(String text, int sizeBytes) {
        if (text.length() != (sizeBytes * 8 - 1) / 5 + 1) {
            return null;
        }
        byte[] out = new byte[sizeBytes];
        for (int n = 0; n < text.length(); n++) {
            int digit = CHARS.indexOf(text.charAt(text.length() - 1 - n));
            if (digit < 0) {
                return null;
            }
            int b = n * 5;
            int i = b / 8;
            int j = b % 8;
            out[i] |= (byte) (digit << j);
            int carry = digit >>> (8 - j);
            if (i + 1 < sizeBytes) {
                out[i + 1] |= (byte) carry;
            } else if (carry != 0) {
                return null;
            }
        }
        return out;
    }
}
