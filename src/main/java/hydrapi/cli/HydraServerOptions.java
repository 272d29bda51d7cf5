// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import hydrapi.InvalidInputException;
import hydrapi.fleet.FleetDirectory;
import hydrapi.fleet.FleetMember;
import hydrapi.image.MountTable;
import hydrapi.recipe.HydraOptions;
import hydrapi.recipe.Jobset;
import hydrapi.recipe.Pin;
import hydrapi.source.SourceRequest;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The options of the Hydra server recipe (the admin login, host name, pin, sources, jobsets), for {@code build}. */
final class HydraServerOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--user", paramLabel = "NAME",
            description = "The admin login to create (group sudo, home from /etc/skel). Turns on the Hydra server "
                + "recipe: accounts, host name, SSH, first-boot provisioning.")
    String user;

    @Option(names = "--hostname", paramLabel = "NAME", defaultValue = "hydra",
            description = "Host name written to /etc/hostname and /etc/hosts (default: ${DEFAULT-VALUE}).")
    String hostname;

    @Option(names = "--ssh-key", paramLabel = "FILE",
            description = "OpenSSH public key file for the admin's authorized_keys (repeatable).")
    List<Path> sshKeys = new ArrayList<>();

    @Option(names = "--password-hash", paramLabel = "HASH",
            description = "The admin's crypt(3) hash ($6$ or $y$), used as is. Without a password the account is "
                + "locked and reached by key only.")
    String passwordHash;

    @Option(names = "--password-file", paramLabel = "FILE",
            description = "File whose first line is the admin's password; only its SHA-512 crypt hash lands in "
                + "the image.")
    Path passwordFile;

    @Option(names = "--hydra-pin", paramLabel = "PIN", defaultValue = "modern",
            description = "Hydra revision: legacy-2016 (993647d, built on the Pi against Nix 1.11.16; bookworm) or "
                + "modern (241ab71, from nixpkgs through Nix; aarch64). Default: ${DEFAULT-VALUE}.")
    String hydraPin;

    @Option(names = "--hydra-source", paramLabel = "FILE|URL",
            description = "legacy-2016: Hydra source tarball (a file, or an http(s) URL downloaded once into the "
                + "user's cache directory; default: GitHub's archive of the pinned commit), checked against its NAR "
                + "hash and put in the image.")
    String hydraSource;

    @Option(names = "--hydra-hash", paramLabel = "sha256-…",
            description = "Expected SRI hash of the unpacked source (what `nix hash path` prints); default: the pin's.")
    String hydraHash;

    @Option(names = "--nix-source", paramLabel = "FILE|URL",
            description = "legacy-2016: the Nix 1.11.16 release tarball (default: nixos.org's), checked against "
                + "its SHA-256 and put in the image.")
    String nixSource;

    @Option(names = "--nix-hash", paramLabel = "sha256-…",
            description = "Expected SHA-256 of the Nix tarball file (SRI, Nix base-32 or hex); default: the pin's.")
    String nixHash;

    @Option(names = "--cpan-source", paramLabel = "DIR|URL",
            description = "legacy-2016: the pinned CPAN distributions, a directory of Name-Version.tar.gz or a CPAN "
                + "mirror's authors/id URL (default: https://cpan.metacpan.org/authors/id).")
    String cpanSource;

    @Option(names = "--cpan-hash", paramLabel = "FILE=sha256-…",
            description = "Use Name-Version.tar.gz, with this SHA-256, instead of the pin's release of that "
                + "distribution (repeatable).")
    List<String> cpanHashes = new ArrayList<>();

    @Option(names = "--download-on-pi",
            description = "legacy-2016: leave the sources not given as files for the Pi to download on first boot "
                + "(checked against the same hashes) instead of downloading them now.")
    boolean downloadOnPi;

    @Option(names = "--jobset", paramLabel = "NAME=DIR|GIT-URL",
            description = "A Hydra project and jobset NAME evaluating release.nix at the root of DIR (copied into "
                + "the image) or of a git repository (URL[#BRANCH]), created on first boot (repeatable).")
    List<String> jobsets = new ArrayList<>();

    @Option(names = "--hydra-admin-email", paramLabel = "ADDRESS", description = "E-mail of Hydra's admin user.")
    String adminEmail;

    @Option(names = "--build-users", paramLabel = "N", defaultValue = "4",
            description = "Nix build users nixbld1..N (default: ${DEFAULT-VALUE}).")
    int buildUsers;

    @Option(names = "--fleet", paramLabel = "DIR",
            description = "Fleet directory (from fleet init): build this image as the fleet's machine --role. The "
                + "image then holds one of the fleet's private keys: do not publish it.")
    Path fleet;

    @Option(names = "--role", paramLabel = "NAME",
            description = "With --fleet: which machine this image is, the server (Hydra, dialling the builders) or a "
                + "builder (Nix only, taking the server's builds); also its host name.")
    String role;

    @Option(names = "--no-hydra",
            description = "With --user: accounts, host name and SSH only, no Hydra provisioning.")
    boolean noHydra;

    /** Said after a successful build only, so that a refusal stays one line. */
    private String loginWarning;

    /** Why nobody may be able to log in to the image, or null. */
    String loginWarning() {
        return loginWarning;
    }

    /** The recipe's options, or null when no --user asks for it (then recipe options are a usage error). */
    HydraOptions options(Main main, List<Path> overlays) throws IOException {
        if (user == null) {
            List<String> given = new ArrayList<>();
            for (String o : List.of("--hostname", "--ssh-key", "--password-hash", "--password-file", "--hydra-pin",
                    "--hydra-source", "--hydra-hash", "--nix-source", "--nix-hash", "--cpan-source", "--cpan-hash",
                    "--download-on-pi", "--jobset", "--hydra-admin-email", "--build-users", "--no-hydra", "--fleet",
                    "--role")) {
                if (mixee.commandLine().getParseResult().hasMatchedOption(o)) {
                    given.add(o);
                }
            }
            if (!given.isEmpty()) {
                throw new InvalidInputException(String.join(", ", given) + " need --user NAME (the admin login)");
            }
            return null;
        }
        List<String> keys = new ArrayList<>();
        for (Path f : sshKeys) {
            int before = keys.size();
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                if (!line.isBlank() && !line.strip().startsWith("#")) {
                    keys.add(line.strip());
                }
            }
            if (keys.size() == before) {
                throw new InvalidInputException("--ssh-key " + f + ": holds no public key line; give the .pub file"
                        + " of a key (ssh-keygen makes one)");
            }
        }
        if (keys.isEmpty() && passwordHash == null && passwordFile == null && !overlayAuthorizesKeys(overlays)) {
            loginWarning = user + " gets neither an SSH key nor a password, so nobody can log in to the image; give"
                    + " --ssh-key or --password-file";
        }
        boolean reproducible = main.env.get("SOURCE_DATE_EPOCH") != null;
        List<Jobset> parsed = new ArrayList<>();
        for (String j : jobsets) {
            parsed.add(Jobset.parse(j, "--jobset"));
        }
        if ((fleet == null) != (role == null)) {
            throw new InvalidInputException(fleet == null ? "--role needs --fleet DIR (the fleet it is a role in)"
                    : "--fleet needs --role NAME (which of its machines this image is)");
        }
        FleetMember member = fleet == null ? null : FleetMember.of(FleetDirectory.read(fleet), role);
        // A fleet's machine is called what the fleet calls it, unless --hostname says otherwise (then refused).
        String name = member != null && !mixee.commandLine().getParseResult().hasMatchedOption("--hostname")
                ? role : hostname;
        // The sources are resolved by the build, once the image shows the pin can run there.
        return new HydraOptions(name, user, keys, passwordHash, passwordFile, Pin.parse(hydraPin), null,
                adminEmail, buildUsers, noHydra, Context.now(main), reproducible, MountTable.DEFAULT_BOOT_MOUNT,
                parsed, member);
    }

    /** Whether an overlay brings the admin's own authorized_keys, so no --ssh-key is needed to log in. */
    private boolean overlayAuthorizesKeys(List<Path> overlays) {
        return overlays.stream().anyMatch(d -> Files.isRegularFile(d.resolve("home").resolve(user).resolve(".ssh")
                .resolve("authorized_keys")));
    }

    /** The source options as given; what they name is checked by the build. */
    SourceRequest sources() throws InvalidInputException {
        Map<String, String> hashes = new LinkedHashMap<>();
        for (String h : cpanHashes) {
            int eq = h.indexOf('=');
            if (eq <= 0 || eq == h.length() - 1) {
                throw new InvalidInputException("--cpan-hash '" + h + "': give Name-Version.tar.gz=sha256-…");
            }
            if (hashes.put(h.substring(0, eq), h.substring(eq + 1)) != null) {
                throw new InvalidInputException("--cpan-hash: " + h.substring(0, eq) + " is given twice");
            }
        }
        if (hydraHash != null && hydraSource == null) {
            // A hash of nothing would be recorded in the manifest as if a source had been checked.
            throw new InvalidInputException("--hydra-hash needs --hydra-source (the tarball it is the hash of)");
        }
        if (nixHash != null && nixSource == null) {
            throw new InvalidInputException("--nix-hash needs --nix-source (the tarball it is the hash of)");
        }
        if (!hashes.isEmpty() && cpanSource == null) {
            throw new InvalidInputException("--cpan-hash needs --cpan-source (where the file it names lies)");
        }
        return new SourceRequest(hydraSource, hydraHash, nixSource, nixHash, cpanSource, hashes, downloadOnPi);
    }
}
