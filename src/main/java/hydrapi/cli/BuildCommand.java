// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import hydrapi.InvalidInputException;
import hydrapi.assemble.BuildRequest;
import hydrapi.assemble.BuildResult;
import hydrapi.assemble.Builder;
import hydrapi.io.ProgressListener;
import hydrapi.recipe.HeadlessRecipe;
import hydrapi.recipe.HeadlessSettings;
import hydrapi.recipe.HydraOptions;
import hydrapi.recipe.HydraServerRecipe;
import hydrapi.recipe.RaspberryPiBoot;
import hydrapi.recipe.Recipe;
import hydrapi.source.SourceRequest;
import hydrapi.source.SourceResolver;
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

    @Mixin
    HydraServerOptions hydraServer;

    @Mixin
    HeadlessOptions headlessOptions;

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
        for (String text : cmdlineAppend) {
            if (text.chars().anyMatch(c -> c < 0x20 || c == 0x7F)) {
                // cmdline.txt is one line: the firmware reads only the first, so a line break drops the words after it.
                throw new InvalidInputException("--cmdline-append '" + visible(text) + "': holds a line break or"
                        + " control character; cmdline.txt must stay one line of words separated by spaces");
            }
        }
        Path outDir = out.toAbsolutePath().getParent();
        BuildResult r;
        HydraOptions hydra = hydraServer.options(main, overlays);
        SourceRequest sources = hydraServer.sources();
        OpenPgpSigner signer = signer();
        HeadlessSettings headless = headlessOptions.settings();
        try (ProgressScope progress = ProgressScope.open(main, common, spec)) {
            BuildRequest req = new BuildRequest(base.source(), base.policy(), out, overlays,
                    recipes(hydra, sources, headless, progress), common.threads(), xzBlockMiB << 20, 6,
                    Context.now(main), outDir != null ? outDir : Context.tmpDir(), Context.cacheDir(main), signer,
                    imagerManifest, hydra != null ? (hydra.isFleetBuilder() ? "Nix builder " : "Hydra server ") + hydra.hostname() : null, imagerUrl, !noCache);
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
            String signedBy = signerLine(r.base());
            if (signedBy != null) {
                o.println(signedBy);
            }
        }
        o.flush();
        warnAboutBase(r.base());
        // Not a progress line: --quiet keeps it, or an image nobody can log in to would pass unnoticed.
        String loginWarning = hydraServer.loginWarning();
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

    /**
     * The recipes the options ask for, in the order they apply: the Hydra server (or the admin login alone), the
     * headless settings, then the boot partition's switches, which stand above the overlays.
     */
    private List<Recipe> recipes(HydraOptions hydra, SourceRequest sources, HeadlessSettings headless,
                                 ProgressListener progress) {
        List<Recipe> recipes = new ArrayList<>();
        if (hydra != null) {
            Path cache = Context.cacheDir(main);
            recipes.add(new HydraServerRecipe(hydra, pin -> new SourceResolver(cache, progress).resolve(sources, pin)));
        }
        if (headless.any()) {
            recipes.add(new HeadlessRecipe(headless));
        }
        if (ssh || !cmdlineAppend.isEmpty()) {
            recipes.add(new RaspberryPiBoot(ssh, cmdlineAppend));
        }
        return recipes;
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
}
