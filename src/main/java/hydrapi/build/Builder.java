// SPDX-License-Identifier: Apache-2.0
package hydrapi.build;

import hydrapi.InvalidInputException;
import hydrapi.io.ByteRange;
import hydrapi.io.OverlayDevice;
import hydrapi.plan.FileSpec;
import hydrapi.plan.ImagePlan;
import hydrapi.recipe.HydraOptions;
import hydrapi.recipe.RaspberryPiBoot;
import hydrapi.trust.ImagerManifest;
import hydrapi.trust.OpenPgpSigner;
import hydrapi.trust.Sha256Sums;
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
 * The build pipeline: open the base read-only → apply the plan through a copy-on-write overlay → compress the
 * whole disk into one multi-block .xz while hashing it → write the sha256sum sidecar → rename both into place.
 */
public final class Builder {

    private final ProgressListener progress;

    public Builder(ProgressListener progress) {
        this.progress = progress;
    }

    public BuildResult build(BuildRequest req) throws IOException {
        checkPaths(req);
        HydraOptions hydra = req.hydra();
        if (hydra != null) {
            hydra.validate();
            if (req.hydraSourceUrl() != null) {
                hydra = hydra.withHydraSource(SourceFetcher.fetch(req.hydraSourceUrl(), req.cacheDir(), progress));
            }
        }
        List<FileSpec> overlaySpecs = new ArrayList<>();
        for (Path dir : req.overlays()) {
            overlaySpecs.addAll(OverlayScanner.scan(dir));
        }
        Map<String, OverlayManifest.Rule> rules = OverlayManifest.readAll(req.overlays());
        Path out = req.out().toAbsolutePath();
        Path sidecar = out.resolveSibling(out.getFileName() + ".sha256");
        try (BaseImage base = BaseImage.open(req.base(), req.scratchDir(), progress, req.threads(), false, false);
             AtomicOutput output = new AtomicOutput()) {
            OverlayDevice disk = new OverlayDevice(base.device());
            ImageView view = ImageView.open(disk, req.base().getFileName().toString());
            String bootMount = view.bootMount().orElse(MountTable.DEFAULT_BOOT_MOUNT);
            // Precedence, lowest first: the recipe, the user's overlays, then --ssh / --cmdline-append edits.
            List<FileSpec> specs = new ArrayList<>();
            if (hydra != null) {
                specs.addAll(RecipeInputs.hydraSpecs(hydra.withBootMount(bootMount), view));
            }
            specs.addAll(overlaySpecs);
            specs.addAll(RaspberryPiBoot.specs(bootMount, req.ssh(), req.cmdlineAppend()));
            List<BuildResult.Change> changes = PlanApplier.apply(ImagePlan.of(specs), rules, view, req.now());

            List<ByteRange> changed = disk.changedRanges();
            long changedBytes = changed.stream().mapToLong(ByteRange::lengthBytes).sum();

            Path tmpImage = output.create(out);
            MessageDigest md = Sha256Sums.newDigest();
            XzWriteSummary xz;
            try (OutputStream os = new DigestOutputStream(
                    new BufferedOutputStream(Files.newOutputStream(tmpImage), 1 << 20), md)) {
                ParallelXzWriter writer = new ParallelXzWriter(req.threads(), req.xzBlockBytes(), req.xzPreset());
                java.util.function.LongConsumer p = progress.phase("compress", disk.sizeBytes());
                xz = base.xzBlocks() == null ? writer.write(disk, os, p)
                        : writer.writeReusing(disk, base.source(), base.xzBlocks(), changedIn(changed), os, p);
            }
            String hex = HexFormat.of().formatHex(md.digest());
            Path tmpSidecar = output.create(sidecar);
            Files.writeString(tmpSidecar, Sha256Sums.line(hex, out.getFileName().toString()), StandardCharsets.UTF_8);
            Path signature = null;
            if (req.signer() != null) {
                // Signed over the finished bytes; the signature's creation time is the build clock.
                signature = out.resolveSibling(out.getFileName() + ".asc");
                req.signer().signDetached(tmpImage, output.create(signature), req.now(),
                        OpenPgpSigner.Digest.SHA512);
            }
            if (req.imagerManifest() != null) {
                // Imager checks the decoded image against extract_sha256: hash what was written, decoded in parallel.
                XzDecodedDigest raw = XzDecodedDigest.sha256(tmpImage, req.threads(),
                        progress.phase("hash decoded image", disk.sizeBytes()));
                String name = req.hydra() != null ? "Hydra server " + req.hydra().hostname() : out.getFileName().toString();
                ImagerManifest m = ImagerManifest.describe(name, "Raspberry Pi OS Lite customised by hydrapi",
                        req.imagerUrl() != null ? req.imagerUrl() : out.getFileName().toString(), null,
                        LocalDate.ofInstant(req.now(), ZoneOffset.UTC), ImagerManifest.DEVICES_ARM64, tmpImage,
                        raw.sizeBytes(), raw.sha256Hex());
                m.write(output.create(req.imagerManifest().toAbsolutePath()));
            }
            output.commit();
            return new BuildResult(out, sidecar, signature, hex, xz.compressedBytes(), xz.uncompressedBytes(), xz.blocks(),
                    xz.zeroBlocks(), xz.reusedBlocks(), changes, changedBytes, changed.size());
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
        String name = out.getFileName().toString();
        if (!name.endsWith(".xz")) {
            throw new InvalidInputException("--out " + req.out() + ": the output is xz-compressed, so its name must"
                    + " end in .xz (e.g. hydra.img.xz)");
        }
        Path base = req.base().toAbsolutePath().normalize();
        if (out.equals(base) || Files.exists(out) && Files.exists(base) && Files.isSameFile(out, base)
                || out.resolveSibling(name + ".sha256").equals(base)) {
            throw new InvalidInputException("--out " + req.out() + " is the base image; the base is never"
                    + " overwritten, choose another output name");
        }
        if (!Files.isDirectory(out.getParent())) {
            throw new InvalidInputException("--out " + req.out() + ": directory " + out.getParent()
                    + " does not exist");
        }
        if (req.imagerManifest() != null
                && !Files.isDirectory(req.imagerManifest().toAbsolutePath().normalize().getParent())) {
            throw new InvalidInputException("--imager-manifest " + req.imagerManifest() + ": its directory does not"
                    + " exist");
        }
        if (req.threads() < 1) {
            throw new InvalidInputException("--threads " + req.threads() + ": give 1 or more");
        }
    }
}
