// SPDX-License-Identifier: Apache-2.0
package hydrapi.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.junit.jupiter.api.Test;

class Sha512CryptTest {

    @Test
    void crypt_matchesDrepperSpecVectors() {
        // akkadia.org/drepper/SHA-crypt.txt, SHA-512 tests 1 and 2 (default rounds).
        assertEquals("$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1",
                Sha512Crypt.crypt("Hello world!".getBytes(StandardCharsets.UTF_8), "saltstring"));
        // Test 4's salt is longer than 16 characters and gets cut; rounds differ there, so only the salt rule is
        // checked here through openssl below.
    }

    @Test
    void crypt_matchesOpensslPasswd6() throws Exception {
        long seed = Long.getLong("hydrapi.seed", System.nanoTime());
        System.out.println("Sha512CryptTest seed " + seed + " (replay with -Dhydrapi.seed=" + seed + ")");
        Random r = new Random(seed);
        String alphabet = Sha512Crypt.ITOA64;
        // Lengths around the 64-byte digest boundary of step 11 and the 16-character salt cap (openssl -stdin
        // cannot pass an empty password).
        int[] lengths = {1, 7, 63, 64, 65, 127, 129, 200};
        for (int len : lengths) {
            StringBuilder pw = new StringBuilder();
            for (int i = 0; i < len; i++) {
                pw.append((char) (33 + r.nextInt(94)));
            }
            StringBuilder salt = new StringBuilder();
            int saltLen = 1 + r.nextInt(20);
            for (int i = 0; i < saltLen; i++) {
                salt.append(alphabet.charAt(r.nextInt(64)));
            }
            String expected = openssl(pw.toString(), salt.toString());
            assertEquals(expected, Sha512Crypt.crypt(pw.toString().getBytes(StandardCharsets.UTF_8), salt.toString()),
                    "password length " + len + " salt " + salt);
        }
    }

    @Test
    void crypt_rejectsSaltWithSeparator() {
        assertThrows(IllegalArgumentException.class, () -> Sha512Crypt.crypt(new byte[1], "ab$cd"));
    }

    private static String openssl(String password, String salt) throws Exception {
        // Password on stdin so it never sits in a process list; -stdin takes one line.
        Process p = new ProcessBuilder("openssl", "passwd", "-6", "-salt", salt, "-stdin").redirectErrorStream(true)
                .start();
        p.getOutputStream().write((password + "\n").getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, p.waitFor(), "openssl passwd failed: " + out);
        return out;
    }
}
