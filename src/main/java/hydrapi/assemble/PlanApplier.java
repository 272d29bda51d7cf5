// SPDX-License-Identifier: Apache-2.0
package hydrapi.assemble;

import hydrapi.InvalidInputException;
import hydrapi.fat.FatVolume;
import hydrapi.image.ImageView;
import hydrapi.io.ByteRange;
import hydrapi.io.OverlayDevice;
import hydrapi.io.PreferredRanges;
import hydrapi.plan.FileSpec;
import hydrapi.plan.ImagePlan;
import hydrapi.trust.BuildManifest;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Applies a plan to the filesystems of an image, one {@link TargetFilesystem} per partition. A build takes these
 * steps, in order:
 * <ol>
 * <li>{@link #preferDirtyBlocks} (an xz base only): where the ext4 writers put new data;</li>
 * <li>{@link #apply}: the plan and the overlay manifest's rules, every path written (missing parents included)
 *     recorded in the state it is left in, for the build manifest ({@link #written()});</li>
 * <li>{@link #writeManifest}: the build manifest, written as a plan's file is but not recorded: it cannot list its
 *     own hash;</li>
 * <li>{@link #flush()}: everything down to the disk overlay; each ext4 filesystem is changed through a staging
 *     overlay of its own until then ({@link Ext4Staging}).</li>
 * </ol>
 * Every step is located and checked before the first byte is written, so a refused path changes nothing: a symlink or
 * a file among its parents, something of another kind in the way, an edit of a file that is not there, a symlink on
 * FAT, a rule alone for a FAT path or for one that does not exist. Rules:
 * <ul>
 * <li>Directories that already exist keep their mode and owner unless the overlay manifest names them: an
 *     overlay's intermediate directories ({@code DIR/boot}, {@code DIR/etc}) only say where files go. Missing
 *     parents are created 0755 root:root.</li>
 * <li>An edit ({@link hydrapi.plan.Content.Edit}) keeps the file's mode and owner; a created or replaced file takes
 *     the spec's. A rule of the overlay manifest overrides either.</li>
 * <li>Writes never pass through a symlink of the image: a path whose parent is a symlink is refused, naming it
 *     (the real path is unambiguous; following links could land outside the intended tree or partition).</li>
 * <li>The account databases (/etc/passwd, /etc/group, /etc/shadow, /etc/gshadow) are written first, so owner names
 *     in the manifest can name users the same build adds.</li>
 * </ul>
 */
final class PlanApplier {

    private static final Set<String> ACCOUNT_FILES = Set.of("/etc/passwd", "/etc/group", "/etc/shadow",
            "/etc/gshadow");

    private final ImageView view;
    private final Instant now;
    private final Map<String, OverlayManifest.Rule> rules;
    private final Ext4Staging staging;
    private final Map<Integer, TargetFilesystem> targets = new TreeMap<>();
    private final StepWriter writer = new StepWriter();
    private final WrittenPaths written = new WrittenPaths();

    PlanApplier(ImageView view, Instant now, Map<String, OverlayManifest.Rule> rules) {
        this(view, now, rules, null);
    }

    PlanApplier(ImageView view, Instant now, Map<String, OverlayManifest.Rule> rules, Path scratchDir) {
        this.view = view;
        this.now = now;
        this.rules = rules;
        this.staging = new Ext4Staging(view, scratchDir);
    }

    /**
     * Makes the ext4 writers fill the base's already-dirty compressed blocks first ({@code blocks}: their decoded
     * ranges; {@code disk}: the overlay this applier's view writes to). Dirt is what the disk overlay or a
     * filesystem's own staging overlay holds.
     */
    void preferDirtyBlocks(List<ByteRange> blocks, OverlayDevice disk) throws IOException {
        preferDirtyBlocks(blocks, List.of(), disk);
    }

    /** The same, with each block's compressed size ({@code costs}): clean blocks are opened cheapest first. */
    void preferDirtyBlocks(List<ByteRange> blocks, List<Long> costs, OverlayDevice disk) throws IOException {
        staging.prefer(new DirtyXzBlocks(blocks, costs, (start, end) -> disk.touches(start, end)
                || staging.staged(start, end)));
    }

    /** The hint in disk offsets, as the writers see it now. */
    PreferredRanges preferred() {
        return staging.preferred();
    }

    /** The changes made so far, in order, for the build's summary (the manifest's write included). */
    List<BuildResult.Change> changes() {
        return writer.changes();
    }

    /** Every path written by {@link #apply}, in its final state (unsorted; the manifest sorts). */
    List<BuildManifest.Entry> written() {
        return written.entries();
    }

    /** Applies the plan and the overlay manifest's rules; nothing reaches the disk before {@link #flush()}. */
    void apply(ImagePlan plan) throws IOException {
        List<Step> accounts = new ArrayList<>();
        List<Step> rest = new ArrayList<>();
        for (FileSpec spec : plan.files()) {
            Step s = locate(spec);
            if (s != null) {
                boolean account = s.fs().storesAttributes() && ACCOUNT_FILES.contains(s.path().inner());
                (account ? accounts : rest).add(s);
            }
        }
        List<Step> steps = new ArrayList<>(accounts);
        steps.addAll(rest);
        steps.addAll(locateRulesAlone(plan));
        check(steps);
        for (Step s : steps) {
            written.add(writer.write(s));
        }
    }

    /**
     * Writes the build manifest, made from {@link #written()}, as {@link #apply} writes a file; what it leaves is not
     * recorded (missing parents included): the manifest cannot list its own hash.
     */
    void writeManifest(FileSpec manifest) throws IOException {
        Step s = locate(manifest);
        check(List.of(s));
        writer.write(s);
    }

    /** Writes every change down to the disk overlay. */
    void flush() throws IOException {
        for (FatVolume v : view.fatVolumes().values()) {
            v.flush();
        }
        staging.flush();
    }

    /** Locates a spec and refuses what cannot be written there; null for a no-op (an existing mount point). */
    private Step locate(FileSpec spec) throws IOException {
        ImagePath p = ImagePath.locate(view, spec.path());
        int part = p.partition();
        if (p.isMountPoint() && spec.type() != FileSpec.Type.DIRECTORY) {
            throw new InvalidInputException(spec.path() + ": is the mount point of partition " + part);
        }
        // A mount point is there whatever the plan says; only a rule changes it, where modes and owners are stored.
        boolean fat = view.fat(part).isPresent();
        if (p.isMountPoint() && (fat || view.ext4(part).isPresent() && !rules.containsKey(spec.path()))) {
            return null;
        }
        TargetFilesystem fs = target(p);
        fs.refuse(p, spec);
        fs.refuseNonDirectoryParents(p);
        return new Step(p, fs, spec, fs.storesAttributes() ? rules.get(spec.path()) : null);
    }

    /** The rules for paths the plan does not write: each must name an existing path where modes are stored. */
    private List<Step> locateRulesAlone(ImagePlan plan) throws IOException {
        Set<String> planned = new HashSet<>();
        for (FileSpec f : plan.files()) {
            planned.add(f.path());
        }
        List<Step> steps = new ArrayList<>();
        for (OverlayManifest.Rule r : OverlayManifest.sorted(rules)) {
            if (planned.contains(r.path())) {
                continue;
            }
            ImagePath p = ImagePath.locate(view, r.path());
            TargetFilesystem fs = target(p);
            if (!fs.storesAttributes()) {
                throw new InvalidInputException(r.where() + ": " + r.path() + " is not on an ext4 partition; FAT"
                        + " has no modes or owners");
            }
            Optional<TargetFilesystem.Entry> e = fs.stat(p.inner());
            if (e.isEmpty()) {
                throw new InvalidInputException(r.where() + ": " + r.path() + " is neither in the overlay nor in"
                        + " the image");
            }
            if (e.get().kind() == TargetFilesystem.Kind.SPECIAL) {
                throw new InvalidInputException(r.where() + ": " + r.path() + " is a device, FIFO or socket; the"
                        + " build manifest records files, directories and symlinks only, so remove the rule");
            }
            steps.add(Step.ruleAlone(p, fs, r));
        }
        return steps;
    }

    /**
     * The filesystem a path lies on, FAT or ext4; an ext4 one's writer is opened here, which checks that it can be
     * written. A partition holding neither cannot be written, and the refusal says why.
     */
    private TargetFilesystem target(ImagePath p) throws IOException {
        int part = p.partition();
        TargetFilesystem fs = targets.get(part);
        if (fs == null) {
            Optional<FatVolume> fat = view.fat(part);
            if (fat.isPresent()) {
                fs = new FatTarget(fat.get(), now);
            } else if (view.ext4(part).isPresent()) {
                fs = new Ext4Target(staging.writer(part), now);
            } else {
                throw view.unreadable(p.path(), part);
            }
            targets.put(part, fs);
        }
        return fs;
    }

    /**
     * Checks each spec against what will be at its path when its turn comes: what an earlier step leaves there (an
     * edit may follow the plan's own file), else what the image holds. The writer checks again against the
     * filesystem itself, which also sees the parents earlier steps make.
     */
    private static void check(List<Step> steps) throws IOException {
        record Key(int partition, String entry) {
        }
        Map<Key, TargetFilesystem.Kind> left = new HashMap<>();
        for (Step s : steps) {
            if (s.isRuleAlone()) {
                continue;
            }
            Key k = new Key(s.path().partition(), s.fs().entryKey(s.path().inner()));
            Optional<TargetFilesystem.Kind> at = left.containsKey(k) ? Optional.of(left.get(k))
                    : s.fs().stat(s.path().inner()).map(TargetFilesystem.Entry::kind);
            s.refuse(at);
            left.put(k, s.leaves().orElseThrow());
        }
    }
}
