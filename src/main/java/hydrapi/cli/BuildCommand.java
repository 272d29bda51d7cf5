// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import hydrapi.build.BuildRequest;
import hydrapi.build.BuildResult;
import hydrapi.build.Builder;
import hydrapi.build.MountTable;
import hydrapi.build.SourceFetcher;
import hydrapi.InvalidInputException;
import hydrapi.recipe.HydraOptions;
import hydrapi.recipe.Pin;
import hydrapi.trust.BuildManifest;
import hydrapi.trust.OpenPgpSigner;

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
import java.util.List;
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
            description = "Hydra source tarball for the pin (a file, or an http(s) URL downloaded once into the "
                + "user's cache directory), checked against its NAR hash and put in the image.")
    String hydraSource;

    @Option(names = "--hydra-hash", paramLabel = "sha256-…",
            description = "Expected SRI hash of the unpacked source (what `nix hash path` prints); default: the pin's.")
    String hydraHash;

    @Option(names = "--hydra-admin-email", paramLabel = "ADDRESS", description = "E-mail of Hydra's admin user.")
    String adminEmail;

    @Option(names = "--build-users", paramLabel = "N", defaultValue = "4",
            description = "Nix build users nixbld1..N (default: ${DEFAULT-VALUE}).")
    int buildUsers;

    @Option(names = "--no-hydra",
            description = "With --user: accounts, host name and SSH only, no Hydra provisioning.")
    boolean noHydra;

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

    @Option(names = "--no-cache",
            description = "Neither read nor fill the cache of compressed blocks in the user's cache directory "
                + "(it makes a rebuild recompress only what changed; the output is the same without it).")
    boolean noCache;

    @Override
    public Integer call() throws Exception {
        if (xzBlockMiB < 1 || xzBlockMiB > 1024) {
            throw new hydrapi.InvalidInputException("--xz-block-size " + xzBlockMiB + ": give 1 to 1024 (MiB)");
        }
        Path outDir = out.toAbsolutePath().getParent();
        BuildRequest req = new BuildRequest(base.source(), base.policy(), out, overlays, ssh, cmdlineAppend,
                common.threads(), xzBlockMiB << 20, 6, Context.now(main), outDir != null ? outDir : Context.tmpDir(),
                hydraOptions(), hydraSource != null && SourceFetcher.isUrl(hydraSource) ? hydraSource : null,
                Context.cacheDir(main), signer(), imagerManifest, imagerUrl, !noCache);
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
        }
        o.flush();
        warnAboutBase(r.base());
        return ExitCode.OK.code;
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
                    "--hydra-source", "--hydra-hash", "--hydra-admin-email", "--build-users", "--no-hydra")) {
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
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                if (!line.isBlank() && !line.strip().startsWith("#")) {
                    keys.add(line.strip());
                }
            }
        }
        if (keys.isEmpty() && passwordHash == null && passwordFile == null && !common.quiet) {
            spec.commandLine().getErr().println("hydrapi: warning: " + user + " gets neither an SSH key nor a"
                    + " password, so nobody can log in to the image; give --ssh-key or --password-file");
        }
        boolean reproducible = main.env.get("SOURCE_DATE_EPOCH") != null;
        Path sourceFile = hydraSource == null || SourceFetcher.isUrl(hydraSource) ? null : Path.of(hydraSource);
        return new HydraOptions(hostname, user, keys, passwordHash, passwordFile, Pin.parse(hydraPin), sourceFile,
                hydraHash, adminEmail, buildUsers, noHydra, Context.now(main), reproducible,
                MountTable.DEFAULT_BOOT_MOUNT);
    }
}
