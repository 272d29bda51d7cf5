// SPDX-License-Identifier: Apache-2.0
package hydrapi;

import java.io.IOException;

/**
 * Every failure hydrapi explains to its user. Messages are one line: what went wrong, where, and what to do.
 * Extends IOException (as xz-java's XZIOException does) so parsers throw it through ordinary I/O signatures;
 * the exit code is chosen in one place, {@code hydrapi.cli.ExitCode}.
 */
public abstract sealed class HydrapiException extends IOException
        permits InvalidInputException, CorruptImageException, UnsupportedImageException,
                ImageFullException, VerificationFailedException {

    private static final long serialVersionUID = 1L;

    /** The marks around an input's name in a message (‹ and ›); a name holds neither. */
    public static final char MENTION_OPEN = '\u2039';
    public static final char MENTION_CLOSE = '\u203A';

    protected HydrapiException(String message) {
        super(oneLine(message));
    }

    protected HydrapiException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    /**
     * One of the library's inputs named inside a message or a report, e.g. {@code "pass " + mention(INSECURE) + " to
     * use it unsigned"}: only the command line knows which option gives an input, so the text carries the input's
     * name ({@code ‹insecure›}) and the command line writes the option in its place. Shown as is, it reads as a
     * placeholder.
     */
    public static String mention(String input) {
        return MENTION_OPEN + input + MENTION_CLOSE;
    }

    /**
     * {@code message} with control characters written as {@code \n}, {@code \r}, {@code \t} or {@code \xHH}:
     * names read from an image or a file (a FAT entry holding a newline, a fuzz finding) must not break the one line
     * a user, a log or a script reads.
     */
    static String oneLine(String message) {
        if (message == null || message.chars().noneMatch(c -> c < 0x20 || c == 0x7F)) {
            return message;
        }
        StringBuilder b = new StringBuilder(message.length() + 8);
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7F) {
                        b.append(String.format("\\x%02x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
