// SPDX-License-Identifier: Apache-2.0
package hydrapi.verify;

import hydrapi.HydrapiException;
import hydrapi.disk.PartitionEntry;
import hydrapi.ext4.Ext4Volume;
import hydrapi.fat.FatVolume;
import hydrapi.image.BaseImage;
import hydrapi.image.ImageView;
import hydrapi.io.ProgressListener;
import hydrapi.trust.OpenPgpVerifier;
import hydrapi.trust.Sha256Sums;
import hydrapi.xz.XzFile;
import hydrapi.xz.XzStreamInfo;
import hydrapi.xz.XzVerifier;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks an image file end to end: its sha256sum sidecar, every xz block's check value and the Index, the
 * partition table, and each filesystem's own structure. A check that fails is reported and the rest still run
 * where they can.
 */
public final class ImageVerifier {

    /**
     * The input report details name ({@link HydrapiException#mention}): the public keys to check the image's signature
     * with.
     */
    public static final String KEY = "public key";

    private final ProgressListener progress;
    private final int threads;
    private final OpenPgpVerifier keys;

    /** {@code keys}: public keys to check an {@code IMAGE.asc} or {@code IMAGE.sig} signature against, or null. */
    public ImageVerifier(ProgressListener progress, int threads, OpenPgpVerifier keys) {
        this.progress = progress;
        this.threads = threads;
        this.keys = keys;
    }

    public VerifyReport verify(Path image, Path scratchDir) throws IOException {
        if (!Files.isRegularFile(image)) {
            throw new java.nio.file.NoSuchFileException(image.toString());
        }
        List<VerifyReport.Check> checks = new ArrayList<>();
        checkSidecar(image, checks);
        checkSignature(image, checks);

        boolean xz;
        try (InputStream in = Files.newInputStream(image)) {
            xz = XzFile.hasXzMagic(in.readNBytes(6));
        }
        if (xz) {
            try {
                List<XzStreamInfo> streams = XzVerifier.verify(image, threads,
                        progress.phase("check xz blocks", 0));
                int blocks = streams.stream().mapToInt(s -> s.blocks().size()).sum();
                checks.add(new VerifyReport.Check("xz", "ok", streams.size() + " stream(s), " + blocks
                        + " block(s), every block check and the index match"));
            } catch (HydrapiException e) {
                checks.add(new VerifyReport.Check("xz", "failed", e.getMessage()));
                return new VerifyReport(checks);
            }
        } else {
            checks.add(new VerifyReport.Check("xz", "skipped", "not an .xz file"));
        }

        try (BaseImage base = BaseImage.open(image, scratchDir, progress, threads, true, true)) {
            ImageView view;
            try {
                view = ImageView.open(base.device(), image.getFileName().toString());
            } catch (HydrapiException e) {
                checks.add(new VerifyReport.Check("partition table", "failed", e.getMessage()));
                return new VerifyReport(checks);
            }
            StringBuilder parts = new StringBuilder();
            for (PartitionEntry e : view.disk().partitions()) {
                parts.append(parts.length() == 0 ? "" : ", ").append('p').append(e.index()).append(' ')
                        .append(e.typeName());
            }
            checks.add(new VerifyReport.Check("partition table", "ok", "MBR, disk id "
                    + String.format("%08x", view.disk().mbr().diskId()) + ": " + parts));
            for (ImageView.PartitionInfo p : view.partitions()) {
                if (p.problem() != null) {
                    checks.add(new VerifyReport.Check("p" + p.entry().index() + " filesystem", "failed",
                            p.problem()));
                }
            }
            for (Map.Entry<Integer, FatVolume> e : view.fatVolumes().entrySet()) {
                checks.add(fsCheck("p" + e.getKey() + " " + e.getValue().type().name().toLowerCase(
                        java.util.Locale.ROOT), e.getValue().check()));
            }
            for (Map.Entry<Integer, Ext4Volume> e : view.ext4Volumes().entrySet()) {
                checks.add(fsCheck("p" + e.getKey() + " ext4", e.getValue().check()));
            }
        } catch (HydrapiException e) {
            checks.add(new VerifyReport.Check("image", "failed", e.getMessage()));
        }
        return new VerifyReport(checks);
    }

    private static VerifyReport.Check fsCheck(String name, List<String> problems) {
        if (problems.isEmpty()) {
            return new VerifyReport.Check(name, "ok", "structure consistent");
        }
        return new VerifyReport.Check(name, "failed", problems.size() + " problem(s): "
                + String.join("; ", problems.subList(0, Math.min(5, problems.size()))));
    }

    private void checkSignature(Path image, List<VerifyReport.Check> checks) throws IOException {
        Path sig = null;
        for (String ext : new String[] {".asc", ".sig"}) {
            Path p = image.resolveSibling(image.getFileName() + ext);
            if (Files.isRegularFile(p)) {
                sig = p;
                break;
            }
        }
        if (keys == null) {
            checks.add(new VerifyReport.Check("signature", "skipped", sig == null
                    ? "no " + HydrapiException.mention(KEY) + " given"
                    : sig.getFileName() + " present; give " + HydrapiException.mention(KEY) + " to check it"));
            return;
        }
        if (sig == null) {
            checks.add(new VerifyReport.Check("signature", "failed", HydrapiException.mention(KEY) + " given but no "
                    + image.getFileName() + ".asc or .sig beside the image"));
            return;
        }
        try {
            OpenPgpVerifier.Verified v = keys.verify(image, sig, null);
            checks.add(new VerifyReport.Check("signature", "ok", sig.getFileName() + ": good signature by "
                    + v.primaryFingerprint() + " made " + v.created()));
        } catch (HydrapiException e) {
            checks.add(new VerifyReport.Check("signature", "failed", e.getMessage()));
        }
    }

    private void checkSidecar(Path image, List<VerifyReport.Check> checks) throws IOException {
        Path sidecar = image.resolveSibling(image.getFileName() + ".sha256");
        if (!Files.isRegularFile(sidecar)) {
            checks.add(new VerifyReport.Check("sha256", "skipped", "no " + sidecar.getFileName() + " beside it"));
            return;
        }
        Sha256Sums.Entry want;
        try {
            want = Sha256Sums.read(sidecar);
        } catch (HydrapiException e) {
            checks.add(new VerifyReport.Check("sha256", "failed", e.getMessage()));
            return;
        }
        String got = Sha256Sums.hash(image, progress.phase("sha256", Files.size(image)));
        if (!want.fileName().equals(image.getFileName().toString())) {
            checks.add(new VerifyReport.Check("sha256", "failed", sidecar.getFileName() + " names "
                    + want.fileName() + ", not " + image.getFileName()));
        } else if (!want.hex().equals(got)) {
            checks.add(new VerifyReport.Check("sha256", "failed", "the file hashes to " + got + " but "
                    + sidecar.getFileName() + " says " + want.hex()));
        } else {
            checks.add(new VerifyReport.Check("sha256", "ok", got + " matches " + sidecar.getFileName()));
        }
    }
}
