// SPDX-License-Identifier: Apache-2.0
package hydrapi.assemble;

import hydrapi.InvalidInputException;
import hydrapi.image.BaseImage;
import hydrapi.image.ImageView;
import hydrapi.io.AtomicOutput;
import hydrapi.io.ByteRange;
import hydrapi.io.OverlayDevice;
import hydrapi.io.ProgressListener;
import hydrapi.io.ScratchWriteException;
import hydrapi.plan.Content;
import hydrapi.plan.FileSpec;
import hydrapi.plan.ImagePlan;
import hydrapi.recipe.Contribution;
import hydrapi.recipe.FirstBoot;
import hydrapi.recipe.ImageFacts;
import hydrapi.recipe.Recipe;
import hydrapi.source.BaseResolver;
import hydrapi.source.BaseSource;
import hydrapi.source.ToolVersion;
import hydrapi.trust.BuildManifest;
import hydrapi.trust.ImagerManifest;
import hydrapi.trust.OpenPgpSigner;
import hydrapi.trust.Sha256Sums;
import hydrapi.xz.CompressedBlockCache;
import hydrapi.xz.ParallelXzWriter;
import hydrapi.xz.XzDecodedDigest;
import hydrapi.xz.XzWriteSummary;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.BiPredicate;
import java.util.Map;

/**
 * The build pipeline: resolve and check the base (download, SHA-256, signature) → open it read-only → apply the
 * plan through a copy-on-write overlay → record what changed in the build manifest and write it into the image →
 * compress the whole disk into one multi-block .xz while hashing it → write the sidecars (sha256sum, manifest,
 * signatures, Imager entry) → rename all into place.
 */
public final class Builder {

    /**
     * Memory the disk's copy-on-write overlay uses before it spills pages to a scratch file in the output directory;
     * with the filesystems' staging overlays it bounds what an overlay's size costs in memory (issue 14).
     */
    static final long DISK_OVERLAY_MEMORY_BYTES = 48L << 20;

    /** Size the compressed-block cache is trimmed to after each build: a few builds of a Raspberry Pi OS image. */
    public static final long BLOCK_CACHE_BYTES = 2L << 30;

    private final ProgressListener progress;

    public Builder(ProgressListener progress) {
        this.progress = progress;
    }

    public BuildResult build(BuildRequest req) throws IOException {
        checkPaths(req);
        for (Recipe r : req.recipes()) {
            r.validate();
        }
        BaseResolver.Resolved resolved = BaseResolver.resolve(req.base(), req.basePolicy(), req.cacheDir(), progress);
        refuseOutIsBase(req.out(), resolved.file());
        List<FileSpec> overlaySpecs = new ArrayList<>();
        for (Path dir : req.overlays()) {
            overlaySpecs.addAll(OverlayScanner.scan(dir));
        }
        Map<String, OverlayManifest.Rule> rules = OverlayManifest.readAll(req.overlays());
        Path out = req.out().toAbsolutePath();
        Path sidecar = out.resolveSibling(out.getFileName() + ".sha256");
        try (BaseImage base = BaseImage.open(resolved.file(), req.scratchDir(), progress, req.threads(),
                resolved.contentChecked(), false);
             AtomicOutput output = new AtomicOutput();
             // Closing it closes the base device too, which BaseImage then closes again: harmless.
             OverlayDevice disk = new OverlayDevice(base.device(), DISK_OVERLAY_MEMORY_BYTES, req.scratchDir())) {
            ImageView view = ImageView.open(disk, resolved.file().getFileName().toString());
            // Read from the base before anything is written: what the image does on its own first boot (its
            // release, read once, is also what recipes check).
            RecipeInputs facts = new RecipeInputs(view);
            FirstBoot firstBoot = facts.firstBoot();
            List<FileSpec> specs = new ArrayList<>();
            List<BuildManifest.RecipeRecord> recipes = planRecipes(req.recipes(), facts, overlaySpecs, specs);
            refuseManifestPath(specs, rules);
            PlanApplier applier = new PlanApplier(view, req.now(), rules, req.scratchDir());
            if (base.xzBlocks() != null) {
                applier.preferDirtyBlocks(DirtyXzBlocks.blocksOf(base.xzBlocks()),
                        DirtyXzBlocks.costsOf(base.xzBlocks()), disk);
            }
            applier.apply(ImagePlan.of(specs));
            byte[] manifest = BuildManifest.of(ToolVersion.get(), resolved.provenance(), firstBoot.id(),
                    recipes, req.now().getEpochSecond(), applier.written()).toJson()
                    .getBytes(StandardCharsets.UTF_8);
            applier.writeManifest(FileSpec.file(BuildManifest.IN_IMAGE_PATH, 0644, new Content.Bytes(manifest)));
            applier.flush();
            List<BuildResult.Change> changes = applier.changes();

            List<ByteRange> changed = disk.changedRanges();
            long changedBytes = changed.stream().mapToLong(ByteRange::lengthBytes).sum();

            Path tmpImage = output.create(out);
            CompressedBlockCache cache = req.blockCache() ? new CompressedBlockCache(
                    req.cacheDir().resolve("xz-blocks"), BLOCK_CACHE_BYTES, "hydrapi " + ToolVersion.get()) : null;
            MessageDigest md = Sha256Sums.newDigest();
            XzWriteSummary xz;
            try (OutputStream os = new DigestOutputStream(
                    new BufferedOutputStream(AtomicOutput.open(out, tmpImage), 1 << 20), md)) {
                ParallelXzWriter writer = new ParallelXzWriter(req.threads(), req.xzBlockBytes(), req.xzPreset(),
                        cache);
                java.util.function.LongConsumer p = progress.phase("compress", disk.sizeBytes());
                xz = base.xzBlocks() == null ? writer.write(disk, changedIn(changed), os, p)
                        : writer.writeReusing(disk, base.source(), base.xzBlocks(), changedIn(changed), os, p);
            }
            trim(cache);
            String hex = HexFormat.of().formatHex(md.digest());
            output.write(sidecar, Sha256Sums.line(hex, out.getFileName().toString()).getBytes(StandardCharsets.UTF_8));
            // Beside the image, the very bytes written into it: cmp or sha256sum shows they agree.
            Path manifestFile = out.resolveSibling(out.getFileName() + ".manifest.json");
            Path tmpManifest = output.write(manifestFile, manifest);
            Path signature = null;
            Path manifestSignature = null;
            if (req.signer() != null) {
                // Signed over the finished bytes; a signature's creation time is the build clock. The image's
                // signature covers the manifest inside it; the sidecar copy gets its own.
                signature = out.resolveSibling(out.getFileName() + ".asc");
                output.write(signature, req.signer().signDetached(tmpImage, req.now(), OpenPgpSigner.Digest.SHA512));
                manifestSignature = manifestFile.resolveSibling(manifestFile.getFileName() + ".asc");
                output.write(manifestSignature, req.signer().signDetached(tmpManifest, req.now(),
                        OpenPgpSigner.Digest.SHA512));
            }
            if (req.imagerManifest() != null) {
                writeImagerManifest(req, out, tmpImage, disk.sizeBytes(), output);
            }
            output.commit();
            return new BuildResult(out, sidecar, signature, manifestFile, manifestSignature, hex,
                    resolved.provenance(), xz.compressedBytes(), xz.uncompressedBytes(), xz.blocks(), xz.zeroBlocks(),
                    xz.reusedBlocks(), xz.blocks() - xz.reusedBlocks(), xz.cachedBlocks(), changes, changedBytes,
                    changed.size(), firstBoot.id());
        } catch (ScratchWriteException e) {
            // Scratch space in the output's directory is part of writing the output: say so, as for the output.
            if (e.dir().toAbsolutePath().equals(out.getParent())) {
                throw AtomicOutput.failure(out, e);
            }
            throw e;
        }
    }

    /** The cache only saves time: a cache directory that cannot be listed or trimmed never fails a build. */
    private static void trim(CompressedBlockCache cache) {
        if (cache != null) {
            try {
                cache.trim();
            } catch (IOException | RuntimeException ignored) {
                // the next build trims again
            }
        }
    }

    private void writeImagerManifest(BuildRequest req, Path out, Path tmpImage, long diskBytes, AtomicOutput output)
            throws IOException {
        // Imager checks the decoded image against extract_sha256: hash what was written, decoded in parallel.
        XzDecodedDigest raw = XzDecodedDigest.sha256(tmpImage, req.threads(),
                progress.phase("hash decoded image", diskBytes));
        String name = req.imagerName() != null ? req.imagerName() : out.getFileName().toString();
        ImagerManifest m = ImagerManifest.describe(name, "Raspberry Pi OS Lite customised by hydrapi",
                req.imagerUrl() != null ? req.imagerUrl() : out.getFileName().toString(), null,
                LocalDate.ofInstant(req.now(), ZoneOffset.UTC), ImagerManifest.DEVICES_ARM64, tmpImage,
                raw.sizeBytes(), raw.sha256Hex());
        output.write(req.imagerManifest().toAbsolutePath(), m.toJson().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Every recipe's check (no downloads yet), then their files in precedence order, lowest first: the recipes
     * below the overlays, the user's overlays, the recipes above them. Returns what the manifest records of them.
     */
    private static List<BuildManifest.RecipeRecord> planRecipes(List<Recipe> recipes, ImageFacts facts,
            List<FileSpec> overlaySpecs, List<FileSpec> specs) throws IOException {
        for (Recipe r : recipes) {
            r.check(facts);
        }
        List<BuildManifest.RecipeRecord> records = new ArrayList<>();
        for (Recipe.Layer layer : Recipe.Layer.values()) {
            if (layer == Recipe.Layer.ABOVE_OVERLAYS) {
                specs.addAll(overlaySpecs);
            }
            for (Recipe r : recipes) {
                if (r.layer() == layer) {
                    Contribution c = r.contribute(facts);
                    specs.addAll(c.specs());
                    records.add(new BuildManifest.RecipeRecord(r.name(), c.facts()));
                }
            }
        }
        return records;
    }

    /** The manifest's path is the build's own: an overlay or rule for it would be silently overwritten. */
    private static void refuseManifestPath(List<FileSpec> specs, Map<String, OverlayManifest.Rule> rules)
            throws InvalidInputException {
        String path = BuildManifest.IN_IMAGE_PATH;
        if (rules.containsKey(path) || specs.stream().anyMatch(f -> f.path().equals(path))) {
            throw new InvalidInputException(path + ": hydrapi writes the build manifest there; remove it from the"
                    + " overlay");
        }
    }

    /** Whether [start, end) overlaps one of the sorted, disjoint changed ranges (binary search). */
    static BiPredicate<Long, Long> changedIn(List<ByteRange> changed) {
        return (start, end) -> {
            int lo = 0;
            int hi = changed.size() - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                ByteRange r = changed.get(mid);
                if (r.endBytes() <= start) {
                    lo = mid + 1;
                } else if (r.startBytes() >= end) {
                    hi = mid - 1;
                } else {
                    return true;
                }
            }
            return false;
        };
    }

    private static void checkPaths(BuildRequest req) throws IOException {
        Path out = req.out().toAbsolutePath().normalize();
        if (!out.getFileName().toString().endsWith(".xz")) {
            throw InvalidInputException.about(BuildRequest.OUTPUT, req.out(), "the output is xz-compressed, so its"
                    + " name must end in .xz (e.g. hydra.img.xz)");
        }
        if (req.base() instanceof BaseSource.Local local) {
            refuseOutIsBase(req.out(), local.file());
        }
        if (!Files.isDirectory(out.getParent())) {
            throw InvalidInputException.about(BuildRequest.OUTPUT, req.out(), "directory " + out.getParent()
                    + " does not exist");
        }
        if (req.imagerManifest() != null
                && !Files.isDirectory(req.imagerManifest().toAbsolutePath().normalize().getParent())) {
            throw InvalidInputException.about(BuildRequest.IMAGER_MANIFEST, req.imagerManifest(), "its directory"
                    + " does not exist");
        }
        if (req.threads() < 1) {
            throw InvalidInputException.about(BuildRequest.THREADS, req.threads(), "give 1 or more");
        }
        // Every file the build will write takes a new file in its directory and is not a directory itself.
        String name = out.getFileName().toString();
        for (String suffix : new String[] {"", ".sha256", ".manifest.json"}) {
            AtomicOutput.probe(out.resolveSibling(name + suffix));
        }
        if (req.signer() != null) {
            AtomicOutput.probe(out.resolveSibling(name + ".asc"));
            AtomicOutput.probe(out.resolveSibling(name + ".manifest.json.asc"));
        }
        if (req.imagerManifest() != null) {
            AtomicOutput.probe(req.imagerManifest().toAbsolutePath().normalize());
        }
    }

    /** Refuses an output (or one of its sidecars) that would replace the base: the base is never written. */
    private static void refuseOutIsBase(Path outPath, Path basePath) throws IOException {
        Path out = outPath.toAbsolutePath().normalize();
        String name = out.getFileName().toString();
        Path base = basePath.toAbsolutePath().normalize();
        boolean clash = out.equals(base) || Files.exists(out) && Files.exists(base) && Files.isSameFile(out, base);
        for (String suffix : new String[] {".sha256", ".asc", ".manifest.json", ".manifest.json.asc"}) {
            clash |= out.resolveSibling(name + suffix).equals(base);
        }
        if (clash) {
            throw InvalidInputException.about(BuildRequest.OUTPUT, outPath, "is the base image; the base is never"
                    + " overwritten, choose another output name");
        }
    }
}
