// SPDX-License-Identifier: Apache-2.0
package hydrapi.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A scratch file (pages spilled from memory, decoded base blocks) could not be made or written in {@code dir}: most
 * often a full disk. It names the directory and keeps the OS's reason, so a caller can restate it for the file the
 * scratch space serves (the user never sees the scratch file, which is gone by the time the message is read).
 */
public final class ScratchWriteException extends IOException {

    private final transient Path dir;
    private final String reason;

    public ScratchWriteException(Path dir, IOException cause) {
        super(dir + ": a scratch file cannot be written there (" + osReason(cause) + ")", cause);
        this.dir = dir;
        this.reason = osReason(cause);
    }

    /** The directory the scratch file is in. */
    public Path dir() {
        return dir;
    }

    /** The OS's reason, e.g. "No space left on device". */
    public String reason() {
        return reason;
    }

    /**
     * The OS's words for {@code e} without the file name a {@link java.nio.file.FileSystemException}'s message
     * starts with (a temporary file's, which the user never sees).
     */
    public static String osReason(IOException e) {
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "Permission denied";
        }
        if (e instanceof java.nio.file.FileSystemException f) {
            return f.getReason() != null ? f.getReason() : f.getClass().getSimpleName();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
