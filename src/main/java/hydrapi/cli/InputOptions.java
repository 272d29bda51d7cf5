// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import hydrapi.InvalidInputException;
import hydrapi.recipe.HydraOptions;
import hydrapi.recipe.Pin;

import java.util.Map;

/**
 * The one mapping from an input the library refused ({@link InvalidInputException#input()}, in its own words) to the
 * option that gave it: library messages never name flags, so a renamed option is renamed here only.
 */
final class InputOptions {

    private static final Map<String, String> OPTIONS = Map.of(
            HydraOptions.HOST_NAME, "--hostname",
            HydraOptions.ADMIN_USER, "--user",
            HydraOptions.PASSWORD, "--password-hash/--password-file",
            HydraOptions.PASSWORD_HASH, "--password-hash",
            HydraOptions.SSH_KEY_INPUT, "--ssh-key",
            HydraOptions.ADMIN_EMAIL, "--hydra-admin-email",
            HydraOptions.BUILD_USERS, "--build-users",
            HydraOptions.JOBSET, "--jobset",
            Pin.INPUT, "--hydra-pin");

    private InputOptions() {
    }

    /** The message as the user should read it: "--OPTION: message" when an option gave the refused input. */
    static String describe(Throwable t, String message) {
        if (t instanceof InvalidInputException e && e.input() != null) {
            String option = OPTIONS.get(e.input());
            return (option != null ? option : e.input()) + ": " + message;
        }
        return message;
    }
}
