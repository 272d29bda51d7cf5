// SPDX-License-Identifier: Apache-2.0
package hydrapi;

/**
 * A bad option value or input file: the user's input, not the image, is wrong. {@link #input()} names which input in
 * the library's words ("host name", "admin user"); the command line maps that to the option that gave it, so that
 * only the command line speaks of flags.
 */
public final class InvalidInputException extends HydrapiException {

    private static final long serialVersionUID = 1L;

    private final String input;

    public InvalidInputException(String message) {
        this(null, message, null);
    }

    public InvalidInputException(String message, Throwable cause) {
        this(null, message, cause);
    }

    private InvalidInputException(String input, String message, Throwable cause) {
        super(message, cause);
        this.input = input;
    }

    /** A refusal of the value of one named input, e.g. {@code about("admin user", "'daemon' is …")}. */
    public static InvalidInputException about(String input, String message) {
        return new InvalidInputException(input, message, null);
    }

    /** Which input was refused, or null when the message says it all (a path, a file). */
    public String input() {
        return input;
    }
}
