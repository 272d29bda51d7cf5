// SPDX-License-Identifier: Apache-2.0
package hydrapi;

/** A bad option value or input file: the user's input, not the image, is wrong. */
public final class InvalidInputException extends HydrapiException {

    private static final long serialVersionUID = 1L;

    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
