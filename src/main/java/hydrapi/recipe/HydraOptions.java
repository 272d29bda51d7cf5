// SPDX-License-Identifier: Apache-2.0
package hydrapi.recipe;

import hydrapi.InvalidInputException;
import hydrapi.fleet.FleetMember;

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
 * boot. {@code fleet} makes the image one machine of a fleet (null for a Hydra server on its own): its server, or a
 * builder that installs Nix only and takes builds from the server over SSH.
 */
public record HydraOptions(String hostname, String adminUser, List<String> sshPublicKeys, String passwordHash,
                           Path passwordFile, Pin pin, PinnedSources sources, String adminEmail, int buildUsers,
                           boolean noHydra, Instant now, boolean reproducible, String bootMount,
                           List<Jobset> jobsets, FleetMember fleet) {

    // RFC 1123 label; userconf-pi's rule for names (raspberry-pi-os-image.md §2.5).
    private static final Pattern HOSTNAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final Pattern USER = Pattern.compile("[a-z][a-z0-9-]{0,31}");
    // crypt(5): $6$[rounds=N$]SALT$ and 86 characters of ./0-9A-Za-z; $y$PARAMS$SALT$ and 43 of them. A prefix
    // alone ("$6$x") would lock the account as surely as "!" while looking like a password.
    private static final Pattern FULL_HASH = Pattern.compile(
            "\\$6\\$(rounds=[0-9]{1,9}\\$)?[./0-9A-Za-z]{1,16}\\$[./0-9A-Za-z]{86}"
            + "|\\$y\\$[./0-9A-Za-z]+\\$[./0-9A-Za-z]{1,86}\\$[./0-9A-Za-z]{43}");
    // Accounts the image has or the recipe makes; the admin must be none of them.
    private static final Pattern RESERVED_USERS =
            Pattern.compile("root|nixbld[0-9]*|hydra|hydra-queue-runner|hydra-www|nix-ssh");

    /** The inputs refusals name ({@link InvalidInputException#input()}). */
    public static final String HOST_NAME = "host name";
    public static final String ADMIN_USER = "admin user";
    public static final String PASSWORD = "password";
    public static final String PASSWORD_HASH = "password hash";
    public static final String PASSWORD_FILE = "password file";
    public static final String SSH_KEY_INPUT = "SSH key";
    public static final String ADMIN_EMAIL = "Hydra admin e-mail";
    public static final String BUILD_USERS = "Nix build users";
    public static final String JOBSET = "jobset";
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

    /** Options for a Hydra server on its own, outside any fleet. */
    public HydraOptions(String hostname, String adminUser, List<String> sshPublicKeys, String passwordHash,
                        Path passwordFile, Pin pin, PinnedSources sources, String adminEmail, int buildUsers,
                        boolean noHydra, Instant now, boolean reproducible, String bootMount, List<Jobset> jobsets) {
        this(hostname, adminUser, sshPublicKeys, passwordHash, passwordFile, pin, sources, adminEmail, buildUsers,
                noHydra, now, reproducible, bootMount, jobsets, null);
    }

    /** The same options for one machine of a fleet. */
    public HydraOptions withFleet(FleetMember member) {
        return new HydraOptions(hostname, adminUser, sshPublicKeys, passwordHash, passwordFile, pin, sources,
                adminEmail, buildUsers, noHydra, now, reproducible, bootMount, jobsets, member);
    }

    /** Whether this image is a fleet's builder: Nix only, no Hydra, no PostgreSQL. */
    public boolean isFleetBuilder() {
        return fleet != null && !fleet.isServer();
    }

    /** The same options for an image whose boot partition the Pi mounts at {@code mount} (read from its fstab). */
    public HydraOptions withBootMount(String mount) {
        return new HydraOptions(hostname, adminUser, sshPublicKeys, passwordHash, passwordFile, pin, sources,
                adminEmail, buildUsers, noHydra, now, reproducible, mount, jobsets, fleet);
    }

    /** The same options with the sources the build resolved (local copies, hashes). */
    public HydraOptions withSources(PinnedSources resolved) {
        return new HydraOptions(hostname, adminUser, sshPublicKeys, passwordHash, passwordFile, pin, resolved,
                adminEmail, buildUsers, noHydra, now, reproducible, bootMount, jobsets, fleet);
    }

    /**
     * Rejects values that would break a file we write, or an account that cannot work; each refusal says which input
     * ({@link InvalidInputException#input()}) so that the command line can name its option.
     */
    public void validate() throws InvalidInputException {
        if (!HOSTNAME.matcher(hostname).matches()) {
            throw InvalidInputException.about(HOST_NAME, "'" + hostname + "' is not a host name (letters, digits,"
                    + " '-', at most 63)");
        }
        if (!USER.matcher(adminUser).matches()) {
            throw InvalidInputException.about(ADMIN_USER, "'" + adminUser + "' is not a login name"
                    + " ([a-z][a-z0-9-]{0,31})");
        }
        if (RESERVED_USERS.matcher(adminUser).matches()) {
            throw InvalidInputException.about(ADMIN_USER, "'" + adminUser + "' is an account of the system, Nix or"
                    + " Hydra (root, nixbld*, hydra*, nix-ssh); choose a login name of your own");
        }
        if (passwordHash != null && passwordFile != null) {
            throw InvalidInputException.about(PASSWORD, "a hash and a password file exclude each other; give one");
        }
        if (passwordHash != null && !FULL_HASH.matcher(passwordHash).matches()) {
            // Not echoed: a plain password given by mistake would land in a terminal's scrollback and in logs.
            throw InvalidInputException.about(PASSWORD_HASH, "not a complete SHA-512 ($6$) or yescrypt ($y$) crypt"
                    + " hash; make one with mkpasswd -m sha-512");
        }
        for (String key : sshPublicKeys) {
            if (!SSH_KEY.matcher(key.strip()).matches() || key.contains("\n")) {
                throw InvalidInputException.about(SSH_KEY_INPUT, "'" + abbreviate(key)
                        + "' is not one OpenSSH public key line");
            }
        }
        if (adminEmail != null && !EMAIL.matcher(adminEmail).matches()) {
            throw InvalidInputException.about(ADMIN_EMAIL, "'" + adminEmail + "' is not an e-mail address");
        }
        if (buildUsers < 1 || buildUsers > 32) {
            throw InvalidInputException.about(BUILD_USERS, buildUsers + " is outside 1..32");
        }
        Set<String> names = new HashSet<>();
        for (Jobset j : jobsets) {
            if (!names.add(j.name())) {
                throw InvalidInputException.about(JOBSET, "the name '" + j.name() + "' is given twice");
            }
        }
        if (!jobsets.isEmpty() && noHydra) {
            throw InvalidInputException.about(JOBSET, "jobsets need Hydra, and this image is to have none");
        }
        if (fleet != null) {
            if (!hostname.equals(fleet.name())) {
                // The server dials a builder, and pins its host key, by the name the fleet gives it.
                throw InvalidInputException.about(HOST_NAME, hostname, "the fleet knows this machine as "
                        + fleet.name() + "; build it with that host name");
            }
            if (noHydra) {
                throw InvalidInputException.about(FleetMember.ROLE, fleet.name(), "a fleet's machines need Nix, which"
                        + " an image without Hydra provisioning does not install");
            }
            if (isFleetBuilder() && !jobsets.isEmpty()) {
                throw InvalidInputException.about(JOBSET, "jobsets belong on the fleet's server, "
                        + fleet.fleet().fleet().server() + "; " + fleet.name() + " is a builder");
            }
        }
        if (!bootMount.startsWith("/") || bootMount.endsWith("/")) {
            throw new InvalidInputException("boot mount point '" + bootMount + "' is not an absolute path");
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }
}
