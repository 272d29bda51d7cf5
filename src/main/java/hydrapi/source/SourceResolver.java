// SPDX-License-Identifier: Apache-2.0
package hydrapi.source;

import hydrapi.InvalidInputException;
import hydrapi.io.ProgressListener;
import hydrapi.recipe.NarHash;
import hydrapi.recipe.Pin;
import hydrapi.recipe.PinnedSources;
import hydrapi.trust.Sha256Sums;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns what the user named into the pin's sources with local, checked copies: a given file is used as is, a given
 * URL or the pin's own location is downloaded once into the user's cache ({@link SourceFetcher}); each is checked
 * against its pinned hash (or the one the user gave) before it goes into the image, so the image never carries bytes
 * its first boot would refuse. Without a network the build stops here, naming what it could not fetch.
 */
public final class SourceResolver {

    private final Path cacheDir;
    private final ProgressListener progress;

    public SourceResolver(Path cacheDir, ProgressListener progress) {
        this.cacheDir = cacheDir;
        this.progress = progress;
    }

    /** The pin's sources, resolved; null for a pin that has none (then nothing may be asked for). */
    public PinnedSources resolve(SourceRequest req, Pin pin) throws IOException {
        PinnedSources pinned = PinnedSources.of(pin);
        if (pinned == null) {
            if (req.anyGiven()) {
                throw new InvalidInputException("the " + pin.id() + " pin installs Nix and Hydra through Nix and"
                        + " takes no source tarballs; the Nix, Hydra and CPAN source options apply to legacy-2016");
            }
            return null;
        }
        Map<String, String> cpanHashes = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : req.cpanHashes().entrySet()) {
            cpanHashes.put(e.getKey(), sha256Hex(e.getValue(), "CPAN file " + e.getKey()));
        }
        pinned = pinned.withCpanOverrides(cpanHashes);

        PinnedSources.Source nix = pinned.nix();
        if (req.nixHash() != null) {
            nix = nix.withHash(sha256Hex(req.nixHash(), "Nix tarball"));
        }
        nix = fileOrDownload(nix, req.nix(), req.onPi());
        if (nix.file() != null) {
            checkSha256(nix);
        }

        PinnedSources.Source hydra = pinned.hydra();
        if (req.hydraHash() != null) {
            try {
                hydra = hydra.withHash(NarHash.sri(NarHash.parse(req.hydraHash())));
            } catch (InvalidInputException e) {
                throw InvalidInputException.about(SourceRequest.HYDRA_HASH, e.getMessage());
            }
        }
        hydra = fileOrDownload(hydra, req.hydra(), req.onPi());
        if (hydra.file() != null) {
            NarHash.verify(hydra.file(), hydra.hash());
            // Named by what it is, so stage 07's tar finds the compression (tar -xf reads it from the bytes too).
            String name = hydra.file().getFileName().toString();
            String ext = name.endsWith(".tar.xz") ? ".tar.xz" : name.endsWith(".tar") ? ".tar" : ".tar.gz";
            hydra = new PinnedSources.Source("hydra-" + pin.hydraRev() + ext, hydra.url(), hydra.hash(),
                    hydra.file());
        }

        List<PinnedSources.Source> cpan = new ArrayList<>();
        for (PinnedSources.Source c : pinned.cpan()) {
            PinnedSources.Source r;
            if (req.cpan() != null && !SourceFetcher.isUrl(req.cpan())) {
                Path dir = Path.of(req.cpan());
                if (!Files.isDirectory(dir)) {
                    throw new InvalidInputException("CPAN source " + dir + " is not a directory");
                }
                Path f = dir.resolve(c.name());
                if (!Files.isRegularFile(f)) {
                    throw new InvalidInputException("CPAN source " + dir + " has no " + c.name() + "; it needs "
                            + String.join(", ", pinned.cpan().stream().map(PinnedSources.Source::name).toList()));
                }
                r = c.withFile(f);
            } else if (req.cpan() != null) {
                String mirror = req.cpan().endsWith("/") ? req.cpan() : req.cpan() + "/";
                String author = c.url().substring(PinnedSources.CPAN_MIRROR.length() + 1);
                r = download(new PinnedSources.Source(c.name(), mirror + author, c.hash(), null));
            } else {
                r = req.onPi() ? c : download(c);
            }
            if (r.file() != null) {
                checkSha256(r);
            }
            cpan.add(r);
        }
        return new PinnedSources(nix, hydra, cpan);
    }

    /** {@code given} is a file, a URL, or null for the pin's own URL (or none at all with {@code onPi}). */
    private PinnedSources.Source fileOrDownload(PinnedSources.Source s, String given, boolean onPi) throws IOException {
        if (given == null) {
            return onPi ? s : download(s);
        }
        if (SourceFetcher.isUrl(given)) {
            return download(new PinnedSources.Source(s.name(), given, s.hash(), null));
        }
        Path f = Path.of(given);
        if (!Files.isRegularFile(f)) {
            throw new InvalidInputException("source " + given + " (for " + s.name() + ") is not a file");
        }
        return s.withFile(f);
    }

    private PinnedSources.Source download(PinnedSources.Source s) throws IOException {
        try {
            return s.withFile(SourceFetcher.fetch(s.url(), cacheDir, progress));
        } catch (InvalidInputException e) {
            throw e;
        } catch (IOException e) {
            throw new IOException("could not download " + s.name() + " (" + e.getMessage() + "); give it as a local"
                    + " file, or build the image with the sources left for the Pi to download", e);
        }
    }

    private static void checkSha256(PinnedSources.Source s) throws IOException {
        MessageDigest md = Sha256Sums.newDigest();
        try (InputStream in = new DigestInputStream(Files.newInputStream(s.file()), md)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        String got = HexFormat.of().formatHex(md.digest());
        if (!got.equals(s.hash())) {
            throw new InvalidInputException(s.file() + " has sha256 " + got + " but " + s.name() + " is pinned to "
                    + s.hash() + "; give the right file, or its hash if you trust this one");
        }
    }

    /** A SHA-256 in SRI, Nix base-32 or hex form, as lower-case hex. */
    private static String sha256Hex(String given, String what) throws InvalidInputException {
        try {
            return HexFormat.of().formatHex(NarHash.parse(given));
        } catch (InvalidInputException e) {
            throw new InvalidInputException(what + ": '" + given + "' is not a SHA-256 in SRI (sha256-…), Nix"
                    + " base-32 or hex form");
        }
    }
}
