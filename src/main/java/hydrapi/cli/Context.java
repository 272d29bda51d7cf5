// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import hydrapi.InvalidInputException;
import hydrapi.build.ProgressListener;

import java.nio.file.Path;
import java.time.Instant;

/** What commands derive from the environment and the common options. */
final class Context {

    private Context() {
    }

    /** The build clock: SOURCE_DATE_EPOCH (reproducible-builds.org) when set, else now, in whole seconds. */
    static Instant now(Main main) throws InvalidInputException {
        String sde = main.env.get("SOURCE_DATE_EPOCH");
        if (sde == null || sde.isBlank()) {
            return Instant.ofEpochSecond(Instant.now().getEpochSecond());
        }
        try {
            long s = Long.parseLong(sde.trim());
            if (s < 0) {
                throw new NumberFormatException();
            }
            return Instant.ofEpochSecond(s);
        } catch (NumberFormatException e) {
            throw new InvalidInputException("SOURCE_DATE_EPOCH=" + sde + " is not a whole number of seconds"
                    + " since 1970");
        }
    }

    static ProgressListener progress(Main main, CommonOptions common, TerminalProgress[] holder,
                                     java.io.PrintWriter err) {
        if (common.quiet || !main.terminal) {
            return ProgressListener.NONE;
        }
        holder[0] = new TerminalProgress(err);
        return holder[0];
    }

    static Path tmpDir() {
        return Path.of(System.getProperty("java.io.tmpdir"));
    }
}
