// SPDX-License-Identifier: Apache-2.0
package hydrapi.recipe;

import hydrapi.InvalidInputException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * A Hydra project and its one jobset, both named {@code name}, evaluating {@code release.nix} at the root of input
 * {@code src}: a directory the image carries ({@code dir}) or a git repository ({@code gitUrl}, optional
 * {@code branch}). First boot creates them through Hydra's API (stage 13).
 */
public record Jobset(String name, Path dir, String gitUrl, String branch) {

    /** Where a directory input lands in the image, below the hydra user's home. */
    public static final String IMAGE_DIR = "/var/lib/hydra/jobsets";

    // Hydra's projectNameRE (src/lib/Hydra/Helper/CatalystUtils.pm@993647d); its jobset names allow a subset more.
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]{0,63}");
    // What git clones: a URL with a scheme, or scp-like user@host:path; no white space (the stage splits on it).
    private static final Pattern GIT = Pattern.compile("((https?|git|ssh|file)://\\S+|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:\\S+)");
    private static final Pattern BRANCH = Pattern.compile("[A-Za-z0-9._/-]{1,200}");

    /** Parses NAME=DIR or NAME=GIT-URL[#BRANCH]; {@code what} names the option in messages. */
    public static Jobset parse(String spec, String what) throws InvalidInputException {
        int eq = spec.indexOf('=');
        if (eq < 0) {
            throw new InvalidInputException(what + " '" + spec + "': give NAME=DIR or NAME=GIT-URL");
        }
        String name = spec.substring(0, eq);
        String value = spec.substring(eq + 1);
        if (!NAME.matcher(name).matches()) {
            throw new InvalidInputException(what + " '" + spec + "': the name '" + name + "' must start with a"
                    + " letter or '_' and hold only letters, digits, '_' and '-' (Hydra's project names)");
        }
        if (GIT.matcher(value.replaceFirst("#[^#]*$", "")).matches()) {
            int hash = value.lastIndexOf('#');
            String url = hash < 0 ? value : value.substring(0, hash);
            String branch = hash < 0 ? null : value.substring(hash + 1);
            if (branch != null && !BRANCH.matcher(branch).matches()) {
                throw new InvalidInputException(what + " '" + spec + "': '" + branch + "' is not a branch name");
            }
            return new Jobset(name, null, url, branch);
        }
        Path dir = Path.of(value);
        if (!Files.isDirectory(dir)) {
            throw new InvalidInputException(what + " '" + spec + "': " + value + " is neither a directory nor a git"
                    + " URL (https://, git://, ssh://, file:// or user@host:path)");
        }
        if (!Files.isRegularFile(dir.resolve("release.nix"))) {
            throw new InvalidInputException(what + " '" + spec + "': " + dir.resolve("release.nix") + " is missing;"
                    + " the jobset evaluates release.nix at the directory's root");
        }
        return new Jobset(name, dir, null, null);
    }

    /** The line stage 13 reads: NAME TYPE VALUE [BRANCH]. */
    String configLine() {
        if (dir != null) {
            return name + " path " + IMAGE_DIR + "/" + name;
        }
        return name + " git " + gitUrl + (branch != null ? " " + branch : "");
    }
}
