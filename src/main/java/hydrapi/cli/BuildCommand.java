// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import hydrapi.InvalidInputException;
import hydrapi.assemble.BuildRequest;
import hydrapi.assemble.BuildResult;
import hydrapi.assemble.Builder;
import hydrapi.image.MountTable;
import hydrapi.recipe.HeadlessSettings;
import hydrapi.recipe.HydraOptions;
import hydrapi.recipe.Jobset;
import hydrapi.recipe.Pin;
import hydrapi.source.SourceRequest;
import hydrapi.trust.BuildManifest;
import hydrapi.trust.OpenPgpSigner;
import hydrapi.trust.OpenPgpVerifier;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "build", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Builds OUT.img.xz, OUT.img.xz.sha256 and the build manifest OUT.img.xz.manifest.json from a "
                + "base image (.img, .img.xz or .zip; a URL; or latest), checked against its .sha256 and .sig.",
            "Paths are written as the running Pi sees them: DIR/boot/firmware/config.txt lands in the boot "
                + "partition's config.txt. Timestamps come from SOURCE_DATE_EPOCH when set."})
final class BuildCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Mixin
    BaseOptions base;

    @Option(names = "--out", required = true, paramLabel = "OUT.img.xz", description = "Output image (.xz).")
    Path out;

    @Option(names = "--overlay", paramLabel = "DIR",
            description = "Directory mirroring the image's tree; files created or replaced (repeatable, later wins).")
    List<Path> overlays = new ArrayList<>();

    @Option(names = "--ssh", description = "Put an empty 'ssh' file on the boot partition (enables sshd).")
    boolean ssh;

    @Option(names = "--cmdline-append", paramLabel = "TEXT",
            description = "Append words to cmdline.txt's single line, skipping words already there (repeatable).")
    List<String> cmdlineAppend = new ArrayList<>();

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

    @Option(names = "--no-hydra",
            description = "With --user: accounts, host name and SSH only, no Hydra provisioning.")
    boolean noHydra;

    @Option(names = "--wifi-ssid", paramLabel = "NAME",
            description = "Wi-Fi network to join (a NetworkManager connection; needs --wifi-psk-file and "
                + "--wifi-country).")
    String wifiSsid;

    @Option(names = "--wifi-psk-file", paramLabel = "FILE",
            description = "File whose first line is the Wi-Fi passphrase; only the key derived from it (what "
                + "wpa_passphrase prints) lands in the image.")
    Path wifiPskFile;

    @Option(names = "--wifi-country", paramLabel = "CC",
            description = "Wi-Fi regulatory country, ISO 3166-1 alpha-2 (e.g. DE), as Imager sets it on cmdline.txt.")
    String wifiCountry;

    @Option(names = "--timezone", paramLabel = "AREA/CITY",
            description = "Time zone (/etc/timezone, /etc/localtime), e.g. Europe/Berlin.")
    String timezone;

    @Option(names = "--locale", paramLabel = "LOCALE",
            description = "System locale (/etc/default/locale), e.g. en_GB.UTF-8; generated on the Pi's first boot.")
    String locale;

    @Option(names = "--sign-key", paramLabel = "FILE",
            description = "OpenPGP secret key (ASCII-armored) to sign the image with: writes OUT.img.xz.asc. The "
                + "passphrase comes from --sign-passphrase-file or the HYDRAPI_SIGN_PASSPHRASE environment variable.")
    Path signKey;

    @Option(names = "--sign-passphrase-file", paramLabel = "FILE",
            description = "File whose first line is the signing key's passphrase.")
    Path signPassphraseFile;

    @Option(names = "--imager-manifest", paramLabel = "FILE",
            description = "Also write a Raspberry Pi Imager repository file (os_list JSON) for the image, with "
                + "init_format none so Imager does not customise it a second time.")
    Path imagerManifest;

    @Option(names = "--imager-url", paramLabel = "URL",
            description = "Where the image will be published, for the Imager manifest (default: its file name).")
    String imagerUrl;

    @Option(names = "--xz-block-size", paramLabel = "MiB", defaultValue = "24",
            description = "Uncompressed size of each independent xz block in MiB (default: ${DEFAULT-VALUE}).")
    int xzBlockMiB;

    /** Said after a successful build only, so that a refusal stays one line. */
    private String loginWarning;

    @Option(names = "--no-cache",
            description = "Neither read nor fill the cache of compressed blocks in the user's cache directory "
                + "(it makes a rebuild recompress only what changed; the output is the same without it).")
    boolean noCache;

    @Override
    public Integer call() throws Exception {
        if (xzBlockMiB < 1 || xzBlockMiB > 1024) {
            throw new hydrapi.InvalidInputException("--xz-block-size " + xzBlockMiB + ": give 1 to 1024 (MiB)");
        }
        for (String text : cmdlineAppend) {
            if (text.chars().anyMatch(c -> c < 0x20 || c == 0x7F)) {
                // cmdline.txt is one line: the firmware reads only the first, so a line break drops the words after it.
                throw new InvalidInputException("--cmdline-append '" + visible(text) + "': holds a line break or"
                        + " control character; cmdline.txt must stay one line of words separated by spaces");
            }
        }
        Path outDir = out.toAbsolutePath().getParent();
        BuildRequest req = new BuildRequest(base.source(), base.policy(), out, overlays, ssh, cmdlineAppend,
                common.threads(), xzBlockMiB << 20, 6, Context.now(main), outDir != null ? outDir : Context.tmpDir(),
                hydraOptions(), sources(), Context.cacheDir(main), signer(), imagerManifest, imagerUrl, headless(),
                !noCache);
        BuildResult r;
        try (ProgressScope progress = ProgressScope.open(main, common, spec)) {
            r = new Builder(progress).build(req);
        }
        PrintWriter o = spec.commandLine().getOut();
        if (common.json) {
            o.print(Json.write(r));
        } else if (!common.quiet) {
            o.printf("wrote %s (%d bytes; %d xz blocks: %d copied from the base, %d recompressed, %d of those all"
                    + " zeros, %d from the block cache; %d bytes of disk)%n", r.image(), r.compressedBytes(),
                    r.xzBlocks(), r.xzReusedBlocks(), r.xzRecompressedBlocks(), r.xzZeroBlocks(), r.xzCachedBlocks(),
                    r.uncompressedBytes());
            o.printf("wrote %s (sha256 %s)%n", r.sha256File(), r.sha256());
            o.printf("wrote %s (build manifest, also in the image at %s)%n", r.manifestFile(),
                    BuildManifest.IN_IMAGE_PATH);
            if (r.signatureFile() != null) {
                o.printf("wrote %s and %s (detached OpenPGP signatures)%n", r.signatureFile(),
                        r.manifestSignatureFile());
            }
            for (BuildResult.Change c : r.changes()) {
                o.printf("  %-8s %s%n", c.action(), c.path());
            }
            o.printf("%d bytes of the disk changed in %d ranges%n", r.changedBytes(), r.changedRanges());
            o.printf("base's own first boot: %s%n", r.firstBoot());
            String signer = signerLine(r.base());
            if (signer != null) {
                o.println(signer);
            }
        }
        o.flush();
        warnAboutBase(r.base());
        // Not a progress line: --quiet keeps it, or an image nobody can log in to would pass unnoticed.
        if (loginWarning != null) {
            spec.commandLine().getErr().println("hydrapi: warning: " + loginWarning);
            spec.commandLine().getErr().flush();
        }
        return ExitCode.OK.code;
    }

    /** Who signed the base, named when it is one of Raspberry Pi's keys; null for an unverified base. */
    static String signerLine(BuildManifest.Base b) {
        if (b.signerFingerprint() == null) {
            return null;
        }
        return "base " + b.name() + ": signature verified, key " + b.signerFingerprint()
                + OpenPgpVerifier.raspberryPiKey(b.signerFingerprint()).map(n -> " (" + n + ")")
                        .orElse(" (not one of Raspberry Pi's keys; the key given with --base-key)");
    }

    /** After a successful build only: a refused build's one line stays one line. */
    private void warnAboutBase(BuildManifest.Base b) {
        String why = switch (b.signature()) {
            case VERIFIED -> null;
            case UNSIGNED -> "has no .sig beside it, so nobody vouches for where it came from";
            case UNSIGNED_INSECURE -> "was published without a signature and used because of --insecure";
            case UNCHECKED_INSECURE -> "has a signature no key was given to check (--insecure)";
            case BAD_SIGNATURE_INSECURE -> "has a signature that did not verify (--insecure)";
        };
        if (why != null && !common.quiet) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("hydrapi: warning: base " + b.name() + " " + why + "; the build manifest records it as "
                    + b.signature().json());
            err.flush();
        }
    }

    /** Loads the signing key first, so a wrong passphrase fails before minutes of compression. */
    private OpenPgpSigner signer() throws IOException {
        if (signKey == null) {
            if (signPassphraseFile != null) {
                throw new InvalidInputException("--sign-passphrase-file needs --sign-key");
            }
            return null;
        }
        String env = main.env.get("HYDRAPI_SIGN_PASSPHRASE");
        char[] passphrase = signPassphraseFile != null ? OpenPgpSigner.readPassphrase(signPassphraseFile)
                : env != null ? env.toCharArray() : new char[0];
        return OpenPgpSigner.load(signKey, passphrase);
    }

    /** The recipe's options, or null when no --user asks for it (then recipe options are a usage error). */
    private HydraOptions hydraOptions() throws IOException {
        if (user == null) {
            List<String> given = new ArrayList<>();
            for (String o : List.of("--hostname", "--ssh-key", "--password-hash", "--password-file", "--hydra-pin",
                    "--hydra-source", "--hydra-hash", "--nix-source", "--nix-hash", "--cpan-source", "--cpan-hash",
                    "--download-on-pi", "--jobset", "--hydra-admin-email", "--build-users", "--no-hydra")) {
                if (spec.commandLine().getParseResult().hasMatchedOption(o)) {
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
        if (keys.isEmpty() && passwordHash == null && passwordFile == null && !overlayAuthorizesKeys()) {
            loginWarning = user + " gets neither an SSH key nor a password, so nobody can log in to the image; give"
                    + " --ssh-key or --password-file";
        }
        boolean reproducible = main.env.get("SOURCE_DATE_EPOCH") != null;
        List<Jobset> parsed = new ArrayList<>();
        for (String j : jobsets) {
            parsed.add(Jobset.parse(j, "--jobset"));
        }
        // The sources are resolved by the build, once the image shows the pin can run there.
        return new HydraOptions(hostname, user, keys, passwordHash, passwordFile, Pin.parse(hydraPin), null,
                adminEmail, buildUsers, noHydra, Context.now(main), reproducible, MountTable.DEFAULT_BOOT_MOUNT,
                parsed);
    }

    /** The Wi-Fi passphrase is read here and turned into its key at once; nothing keeps it. */
    private HeadlessSettings headless() throws IOException {
        String passphrase = null;
        if (wifiPskFile != null) {
            String text = Files.readString(wifiPskFile, StandardCharsets.UTF_8);
            int eol = text.indexOf('\n');
            passphrase = (eol < 0 ? text : text.substring(0, eol)).replace("\r", "");
        }
        return HeadlessSettings.of(wifiSsid, passphrase, wifiCountry, timezone, locale);
    }

    /** {@code text} with control characters as \\n, \\r, \\t or \\xHH, for a one-line message. */
    static String visible(String text) {
        StringBuilder b = new StringBuilder();
        for (char c : text.toCharArray()) {
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> b.append(c < 0x20 || c == 0x7F ? String.format("\\x%02x", (int) c) : String.valueOf(c));
            }
        }
        return b.toString();
    }

    /** Whether an overlay brings the admin's own authorized_keys, so no --ssh-key is needed to log in. */
    private boolean overlayAuthorizesKeys() {
        return overlays.stream().anyMatch(d -> Files.isRegularFile(d.resolve("home").resolve(user).resolve(".ssh")
                .resolve("authorized_keys")));
    }

    /** The source options as given; what they name is checked by the build. */
    private SourceRequest sources() throws InvalidInputException {
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
