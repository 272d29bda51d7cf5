// SPDX-License-Identifier: Apache-2.0
package hydrapi.trust;

import hydrapi.InvalidInputException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code sha256sum} sidecar files: one line {@code <64 lowercase hex><space><space or *><file name>\n}
 * (coreutils' format, read by {@code sha256sum -c}); the name is the basename so it checks in place.
 */
public final class Sha256Sums {

    private static final Pattern LINE = Pattern.compile("([0-9a-fA-F]{64}) [ *](.+)");

    private Sha256Sums() {
    }

    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    public static String line(String hex, String fileName) {
        if (fileName.contains("\n") || fileName.contains("\\")) {
            throw new IllegalArgumentException("sha256sum would escape this name: " + fileName);
        }
        return hex + "  " + fileName + "\n";
    }

    /** The SHA-256 of {@code bytes} as lowercase hex. */
    public static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(newDigest().digest(bytes));
    }

    /** The file's SHA-256 as lowercase hex. */
    public static String hash(Path file, LongConsumer progress) throws IOException {
        MessageDigest md = newDigest();
        byte[] buf = new byte[1 << 20];
        long done = 0;
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
                done += n;
                if (progress != null) {
                    progress.accept(done);
                }
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** A parsed sidecar line. */
    public record Entry(String hex, String fileName) {
    }

    /** Reads the first line of a sidecar; a malformed one is an {@link InvalidInputException}. */
    public static Entry read(Path sidecar) throws IOException {
        // Decoded leniently: a line that is not hex and a name fails the pattern below all the same.
        String text = new String(Files.readAllBytes(sidecar), StandardCharsets.UTF_8);
        String first = text.lines().findFirst().orElse("");
        Matcher m = LINE.matcher(first.strip());
        if (!m.matches()) {
            throw new InvalidInputException(sidecar + ": not a sha256sum line (<64 hex>  <file name>)");
        }
        return new Entry(m.group(1).toLowerCase(java.util.Locale.ROOT), m.group(2));
    }
}
