// SPDX-License-Identifier: Apache-2.0
package hydrapi.recipe;

import hydrapi.InvalidInputException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/** The admin's password as /etc/shadow holds it: a crypt hash given, or made from a password file with a salt. */
final class AdminPassword {

    private AdminPassword() {
    }

    /** The admin's crypt hash: given as is, made from the password file, or null for none. */
    static String hash(HydraOptions options) throws IOException {
        if (options.passwordHash() != null) {
            return options.passwordHash();
        }
        if (options.passwordFile() == null) {
            return null;
        }
        String text = Files.readString(options.passwordFile(), StandardCharsets.UTF_8);
        int eol = text.indexOf('\n');
        String password = (eol < 0 ? text : text.substring(0, eol)).replace("\r", "");
        if (password.isEmpty()) {
            throw InvalidInputException.about(HydraOptions.PASSWORD_FILE, options.passwordFile()
                    + " has an empty first line");
        }
        return Sha512Crypt.crypt(password.getBytes(StandardCharsets.UTF_8), salt(options, password));
    }

    /**
     * 16 salt characters: random, or with SOURCE_DATE_EPOCH derived from the inputs so the image is reproducible
     * (raspberry-pi-os-image.md §8 "fixed salts").
     */
    private static String salt(HydraOptions options, String password) {
        byte[] seed = new byte[16];
        if (options.reproducible()) {
            MessageDigest md = sha256();
            md.update(String.join("\0", "hydrapi-salt", options.hostname(), options.adminUser(),
                    Long.toString(options.now().getEpochSecond()), password).getBytes(StandardCharsets.UTF_8));
            System.arraycopy(md.digest(), 0, seed, 0, 16);
        } else {
            new SecureRandom().nextBytes(seed);
        }
        StringBuilder s = new StringBuilder();
        for (byte b : seed) {
            s.append(Sha512Crypt.ITOA64.charAt(b & 0x3f));
        }
        return s.toString();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("JDK without SHA-256", e);
        }
    }
}
