// SPDX-License-Identifier: Apache-2.0
package hydrapi;

/**
 * A bad option value or input file: the user's input, not the image, is wrong. {@link #input()} names which input in
 * the library's words ("host name", "admin user"), and the message mentions it ({@link HydrapiException#mention}); the
 * command line writes the option that gave it in its place, so that only the command line speaks of flags.
 */
public final class InvalidInputException extends HydrapiException {

    private static final long serialVersionUID = 1L;

    private final String input;
    private final String value;

    public InvalidInputException(String message) {
        this(null, null, message, null);
    }

    public InvalidInputException(String message, Throwable cause) {
        this(null, null, message, cause);
    }

    private InvalidInputException(String input, String value, String message, Throwable cause) {
        super(message, cause);
        this.input = input;
        this.value = value;
    }

    /**
     * A refusal of one named input, e.g. {@code about("admin user", "'daemon' is …")}: the message reads
     * "‹admin user›: 'daemon' is …".
     */
    public static InvalidInputException about(String input, String message) {
        return new InvalidInputException(input, null, mention(input) + ": " + message, null);
    }

    /**
     * A refusal of {@code value} given as {@code input}, e.g. {@code about("output", path, "directory /x does not
     * exist")}: the message reads "‹output› PATH: directory /x does not exist"; without an input, "PATH: …".
     */
    public static InvalidInputException about(String input, Object value, String message) {
        return about(input, value, message, null);
    }

    /** As {@link #about(String, Object, String)}, caused by {@code cause}. */
    public static InvalidInputException about(String input, Object value, String message, Throwable cause) {
        String v = String.valueOf(value);
        return new InvalidInputException(input, v, (input == null ? "" : mention(input) + " ") + v + ": " + message,
                cause);
    }

    /** Which input was refused, or null when the message says it all (a path, a file). */
    public String input() {
        return input;
    }

    /** The refused value as given, or null when the message quotes it itself (or it is a secret). */
    public String value() {
        return value;
    }
}
