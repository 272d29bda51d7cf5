// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import hydrapi.CorruptImageException;
import hydrapi.ImageFullException;
import hydrapi.InvalidInputException;
import hydrapi.UnsupportedImageException;
import hydrapi.VerificationFailedException;

import java.io.IOException;

/** The one mapping from outcome to process exit code; {@code --help} lists it from here. */
public enum ExitCode {
    OK(0, "success"),
    CHECK_FAILED(1, "verification ran and found a mismatch; try: a stage that can run offline is not done"),
    USAGE(2, "usage error or invalid input (bad option, bad overlay, not a disk image)"),
    UNSUPPORTED(3, "unsupported image (GPT disk, refused filesystem feature)"),
    BAD_IMAGE(4, "corrupt image (truncated or damaged xz, bad checksum, broken partition table)"),
    NO_SPACE(5, "no space left in a filesystem of the image"),
    IO(6, "I/O error on the host (missing file or program such as QEMU, permission, disk full)"),
    INTERNAL(70, "internal error: a bug; re-run with --stacktrace and report it");

    public final int code;
    public final String description;

    ExitCode(int code, String description) {
        this.code = code;
        this.description = description;
    }

    public static ExitCode of(Throwable t) {
        if (t instanceof VerificationFailedException) {
            return CHECK_FAILED;
        }
        if (t instanceof InvalidInputException || t instanceof picocli.CommandLine.ParameterException) {
            return USAGE;
        }
        if (t instanceof UnsupportedImageException) {
            return UNSUPPORTED;
        }
        if (t instanceof CorruptImageException) {
            return BAD_IMAGE;
        }
        if (t instanceof ImageFullException) {
            return NO_SPACE;
        }
        if (t instanceof IOException || t instanceof java.io.UncheckedIOException) {
            return IO;
        }
        return INTERNAL;
    }

    /** "0:success" style lines for picocli's exitCodeList. */
    static String[] helpList() {
        ExitCode[] all = values();
        String[] out = new String[all.length];
        for (int i = 0; i < all.length; i++) {
            out[i] = String.format("%2d:%s", all[i].code, all[i].description);
        }
        return out;
    }
}
