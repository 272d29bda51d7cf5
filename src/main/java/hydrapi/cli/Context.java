// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import hydrapi.InvalidInputException;

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

    /** The user's cache directory: $XDG_CACHE_HOME/hydrapi, %LOCALAPPDATA%\\hydrapi, or ~/.cache/hydrapi. */
    static Path cacheDir(Main main) {
        String xdg = main.env.get("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "hydrapi");
        }
        String local = main.env.get("LOCALAPPDATA");
        if (local != null && !local.isBlank()) {
            return Path.of(local, "hydrapi");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "hydrapi");
    }

    static Path tmpDir() {
        return Path.of(System.getProperty("java.io.tmpdir"));
    }
}
