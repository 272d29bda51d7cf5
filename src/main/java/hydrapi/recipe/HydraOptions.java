// SPDX-License-Identifier: Apache-2.0
package hydrapi.recipe;

import hydrapi.InvalidInputException;

import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the Hydra recipe is asked for. {@code passwordHash} ({@code $6$}/{@code $y$}) and {@code passwordFile} are
 * optional and exclusive; neither locks the password. {@code sources} are the pin's pinned sources, with the local
 * copies the build resolved (null for a pin without any). {@code now} is the build's one clock; {@code reproducible}
 * says it came from SOURCE_DATE_EPOCH, so salts are derived instead of random. {@code jobsets} are created on first
 * boot.
 */
public record HydraOptions(String hostname, String adminUser, List<String> sshPublicKeys, String passwordHash,
                           Path passwordFile, Pin pin, PinnedSources sources, String adminEmail, int buildUsers,
                           boolean noHydra, Instant now, boolean reproducible, String bootMount,
                           List<Jobset> jobsets) {

    // RFC 1123 label; userconf-pi's rule for names (raspberry-pi-os-image.md §2.5).
    private static final Pattern HOSTNAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final Pattern USER = Pattern.compile("[a-z][a-z0-9-]{0,31}");
    private static final Pattern HASH = Pattern.compile("\\$(6|y)\\$[^:\\s]+");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s'\"]+@[^@\\s'\"]+");
    private static final Pattern SSH_KEY = Pattern.compile("(ssh-|ecdsa-|sk-)\\S+ [A-Za-z0-9+/=]+( .*)?");

    public HydraOptions {
        Objects.requireNonNull(hostname, "hostname");
        Objects.requireNonNull(adminUser, "adminUser");
        sshPublicKeys = List.copyOf(sshPublicKeys);
        Objects.requireNonNull(pin, "pin");
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(bootMount, "bootMount");
        jobsets = List.copyOf(jobsets);
    }

    /** The same options for an image whose boot partition the Pi mounts at {@code mount} (read from its fstab). */
    public HydraOptions withBootMount(String mount) {
        return new HydraOptions(hostname, adminUser, sshPublicKeys, passwordHash, passwordFile, pin, sources,
                adminEmail, buildUsers, noHydra, now, reproducible, mount, jobsets);
    }

    /** The same options with the sources the build resolved (local copies, hashes). */
    public HydraOptions withSources(PinnedSources resolved) {
        return new HydraOptions(hostname, adminUser, sshPublicKeys, passwordHash, passwordFile, pin, resolved,
                adminEmail, buildUsers, noHydra, now, reproducible, bootMount, jobsets);
    }

    /** Rejects values that would break a file we write; messages name the option. */
    public void validate() throws InvalidInputException {
        if (!HOSTNAME.matcher(hostname).matches()) {
            throw new InvalidInputException("--hostname: '" + hostname + "' is not a host name (letters, digits, '-')");
        }
        if (!USER.matcher(adminUser).matches() || adminUser.equals("root")) {
            throw new InvalidInputException("--admin-user: '" + adminUser
                    + "' must match [a-z][a-z0-9-]{0,31} and not be root");
        }
        if (passwordHash != null && passwordFile != null) {
            throw new InvalidInputException("--password-hash and --password-file exclude each other; give one");
        }
        if (passwordHash != null && !HASH.matcher(passwordHash).matches()) {
            throw new InvalidInputException("--password-hash: not a $6$ or $y$ crypt hash; make one with mkpasswd");
        }
        for (String key : sshPublicKeys) {
            if (!SSH_KEY.matcher(key.strip()).matches() || key.contains("\n")) {
                throw new InvalidInputException("--ssh-key: '" + abbreviate(key) + "' is not one OpenSSH public key line");
            }
        }
        if (adminEmail != null && !EMAIL.matcher(adminEmail).matches()) {
            throw new InvalidInputException("--admin-email: '" + adminEmail + "' is not an e-mail address");
        }
        if (buildUsers < 1 || buildUsers > 32) {
            throw new InvalidInputException("--build-users: " + buildUsers + " is outside 1..32");
        }
        Set<String> names = new HashSet<>();
        for (Jobset j : jobsets) {
            if (!names.add(j.name())) {
                throw new InvalidInputException("--jobset: the name '" + j.name() + "' is given twice");
            }
        }
        if (!jobsets.isEmpty() && noHydra) {
            throw new InvalidInputException("--jobset needs Hydra; it cannot go with --no-hydra");
        }
        if (!bootMount.startsWith("/") || bootMount.endsWith("/")) {
            throw new InvalidInputException("boot mount point '" + bootMount + "' is not an absolute path");
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }
}
