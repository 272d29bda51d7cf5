// SPDX-License-Identifier: Apache-2.0
package hydrapi.recipe;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SHA-512 crypt ({@code $6$}), the hash /etc/shadow and chpasswd -e accept. Algorithm: Ulrich Drepper,
 * "Unix crypt using SHA-256 and SHA-512" (akkadia.org/drepper/SHA-crypt.txt), steps numbered as there.
 */
public final class Sha512Crypt {

    static final int DEFAULT_ROUNDS = 5000;
    static final int MAX_SALT_CHARS = 16;
    static final String ITOA64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    // Byte order of the final base-64 encoding (spec step 22e).
    private static final int[][] TRIPLES = {
        {0, 21, 42}, {22, 43, 1}, {44, 2, 23}, {3, 24, 45}, {25, 46, 4}, {47, 5, 26}, {6, 27, 48},
        {28, 49, 7}, {50, 8, 29}, {9, 30, 51}, {31, 52, 10}, {53, 11, 32}, {12, 33, 54}, {34, 55, 13},
        {56, 14, 35}, {15, 36, 57}, {37, 58, 16}, {59, 17, 38}, {18, 39, 60}, {40, 61, 19}, {62, 20, 41},
    };

    private Sha512Crypt() {
    }

    /** {@code $6$salt$hash} with the default 5000 rounds; the salt is cut to 16 characters as the spec says. */
    public static String crypt(byte[] password, String salt) {
        String s = salt.length() > MAX_SALT_CHARS ? salt.substring(0, MAX_SALT_CHARS) : salt;
        for (char c : s.toCharArray()) {
            if (c == '$' || c == ':' || c == '\n') {
                throw new IllegalArgumentException("salt character not allowed: " + c);
            }
        }
        byte[] p = password;
        byte[] saltBytes = s.getBytes(StandardCharsets.US_ASCII);

        // Steps 4-8: digest B = H(P S P).
        MessageDigest md = sha512();
        md.update(p);
        md.update(saltBytes);
        md.update(p);
        byte[] b = md.digest();

        // Steps 1-3, 9-12: digest A.
        md.update(p);
        md.update(saltBytes);
        int cnt;
        for (cnt = p.length; cnt > 64; cnt -= 64) {
            md.update(b, 0, 64);
        }
        md.update(b, 0, cnt);
        for (cnt = p.length; cnt > 0; cnt >>= 1) {
            if ((cnt & 1) != 0) {
                md.update(b);
            } else {
                md.update(p);
            }
        }
        byte[] a = md.digest();

        // Steps 13-16: P sequence.
        for (int i = 0; i < p.length; i++) {
            md.update(p);
        }
        byte[] pSeq = repeatTo(md.digest(), p.length);

        // Steps 17-20: S sequence.
        for (int i = 0; i < 16 + (a[0] & 0xff); i++) {
            md.update(saltBytes);
        }
        byte[] sSeq = repeatTo(md.digest(), saltBytes.length);

        // Step 21: the rounds.
        byte[] c = a;
        for (int i = 0; i < DEFAULT_ROUNDS; i++) {
            md.update((i & 1) != 0 ? pSeq : c);
            if (i % 3 != 0) {
                md.update(sSeq);
            }
            if (i % 7 != 0) {
                md.update(pSeq);
            }
            md.update((i & 1) != 0 ? c : pSeq);
            c = md.digest();
        }

        // Step 22: "$6$" salt "$" base-64 of C.
        StringBuilder out = new StringBuilder("$6$").append(s).append('$');
        for (int[] t : TRIPLES) {
            b64(out, c[t[0]], c[t[1]], c[t[2]], 4);
        }
        b64(out, (byte) 0, (byte) 0, c[63], 2);
        return out.toString();
    }

    private static void b64(StringBuilder out, byte b2, byte b1, byte b0, int n) {
        int w = ((b2 & 0xff) << 16) | ((b1 & 0xff) << 8) | (b0 & 0xff);
        for (int i = 0; i < n; i++) {
            out.append(ITOA64.charAt(w & 0x3f));
            w >>>= 6;
        }
    }

    private static byte[] repeatTo(byte[] digest, int length) {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            out[i] = digest[i % digest.length];
        }
        return out;
    }

    private static MessageDigest sha512() {
        try {
            return MessageDigest.getInstance("SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("JDK without SHA-512", e);
        }
    }
}
