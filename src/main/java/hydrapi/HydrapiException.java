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

    protected HydrapiException(String message) {
        super(message);
    }

    protected HydrapiException(String message, Throwable cause) {
        super(message, cause);
    }
}
