// SPDX-License-Identifier: Apache-2.0
package hydrapi.assemble;

import hydrapi.InvalidInputException;
import hydrapi.ext4.Ext4Entry;
import hydrapi.ext4.Ext4Volume;
import hydrapi.ext4.Ext4Writer;
import hydrapi.ext4.FileContent;
import hydrapi.fat.FatEntry;
import hydrapi.fat.FatVolume;
import hydrapi.image.ImageView;
import hydrapi.image.MountTable;
import hydrapi.io.ByteRange;
import hydrapi.io.OverlayDevice;
import hydrapi.io.PreferredRanges;
import hydrapi.plan.Content;
import hydrapi.plan.FileSpec;
import hydrapi.plan.ImagePlan;
import hydrapi.trust.BuildManifest;
import hydrapi.trust.Sha256Sums;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Applies a plan to the filesystems of an image. Every spec is located and checked before the first byte is
 * written, so a refused path changes nothing. Rules:
 * <ul>
 * <li>Directories that already exist keep their mode and owner unless the overlay manifest names them: an
 *     overlay's intermediate directories ({@code DIR/boot}, {@code DIR/etc}) only say where files go. Missing
 *     parents are created 0755 root:root.</li>
 * <li>An edit ({@link Content.Edit}) keeps the file's mode and owner; a created or replaced file takes the spec's.</li>
 * <li>Writes never pass through a symlink of the image: a path whose parent is a symlink is refused, naming it
 *     (the real path is unambiguous; following links could land outside the intended tree or partition).</li>
 * <li>The account databases (/etc/passwd, /etc/group, /etc/shadow, /etc/gshadow) are edited first, so owner names
 *     in the manifest can name users the same build adds.</li>
 * </ul>
 * Each ext4 filesystem is changed through an overlay of its own, written down to the disk overlay by
 * {@link #flush()}. Every path written (missing parents included) is recorded in the state it is left in, for the
 * build manifest; {@link #writeUnrecorded} writes the manifest itself, which cannot list its own hash.
 */
final class PlanApplier {

    private static final Set<String> ACCOUNT_FILES = Set.of("/etc/passwd", "/etc/group", "/etc/shadow",
            "/etc/gshadow");

    private final ImageView view;
    private final Instant now;
    private final Map<String, OverlayManifest.Rule> rules;
    private final Ext4Staging staging;
    private final Map<Integer, OwnerResolver> resolvers = new TreeMap<>();
    private final List<BuildResult.Change> changes = new ArrayList<>();
    private final WrittenPaths written = new WrittenPaths();
    private boolean recording = true;

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

    private record Step(FileSpec spec, MountTable.Located where, int partition, boolean fat) {
    }

    /** The changes made so far, in order, for the build's summary. */
    List<BuildResult.Change> changes() {
        return List.copyOf(changes);
    }

    /** Every path written by {@link #apply}, in its final state (unsorted; the manifest sorts). */
    List<BuildManifest.Entry> written() {
        return written.entries();
    }

    /** Applies the plan and the overlay manifest's rules; nothing reaches the disk before {@link #flush()}. */
    void apply(ImagePlan plan) throws IOException {
        List<Step> first = new ArrayList<>();
        List<Step> rest = new ArrayList<>();
        for (FileSpec spec : plan.files()) {
            Step s = locate(spec);
            if (s != null) {
                (!s.fat() && ACCOUNT_FILES.contains(s.where().innerPath()) ? first : rest).add(s);
            }
        }
        List<OverlayManifest.Rule> orphanRules = new ArrayList<>();
        for (OverlayManifest.Rule r : OverlayManifest.sorted(rules)) {
            if (plan.files().stream().noneMatch(f -> f.path().equals(r.path()))) {
                orphanRules.add(r);
            }
        }
        for (OverlayManifest.Rule r : orphanRules) {
            MountTable.Located loc = view.locate(r.path());
            if (view.fat(loc.mount().partition()).isPresent()) {
                throw new InvalidInputException(r.where() + ": " + r.path() + " is not on an ext4 partition; FAT"
                        + " has no modes or owners");
            }
            if (view.ext4(loc.mount().partition()).isEmpty()) {
                throw view.unreadable(r.path(), loc.mount().partition());
            }
            if (view.ext4(loc.mount().partition()).get().stat(loc.innerPath()).isEmpty()) {
                throw new InvalidInputException(r.where() + ": " + r.path() + " is neither in the overlay nor in"
                        + " the image");
            }
        }
        for (Step s : first) {
            applyExt4(s);
        }
        for (Step s : rest) {
            if (s.fat()) {
                applyFat(s);
            } else {
                applyExt4(s);
            }
        }
        for (OverlayManifest.Rule r : orphanRules) {
            MountTable.Located loc = view.locate(r.path());
            int part = loc.mount().partition();
            Ext4Writer w = writer(part);
            Ext4Entry e = w.volume().stat(loc.innerPath()).orElseThrow();
            int mode = r.mode() != null ? r.mode() : e.mode() & 07777;
            int uid = r.owner() != null ? owners(part).uid(r.owner(), r.where()) : e.uid();
            int gid = r.group() != null ? owners(part).gid(r.group(), r.where()) : e.gid();
            w.setAttributes(loc.innerPath(), mode, uid, gid, now);
            changes.add(new BuildResult.Change(r.path(), "attributes", 0));
            BuildManifest.Kind kind = e.isDirectory() ? BuildManifest.Kind.DIRECTORY
                    : e.isSymlink() ? BuildManifest.Kind.SYMLINK : BuildManifest.Kind.FILE;
            byte[] content = e.isSymlink() ? e.linkTarget().getBytes(StandardCharsets.UTF_8)
                    : e.isRegularFile() ? w.volume().readFile(loc.innerPath()) : null;
            record(r.path(), kind, content, mode, uid, gid);
        }
    }

    /** Writes one more file, as {@link #apply} would, without recording it: the manifest of what was recorded. */
    void writeUnrecorded(FileSpec spec) throws IOException {
        Step s = locate(spec);
        recording = false;
        try {
            if (s.fat()) {
                applyFat(s);
            } else {
                applyExt4(s);
            }
        } finally {
            recording = true;
        }
    }

    /** Writes every change down to the disk overlay. */
    void flush() throws IOException {
        for (FatVolume v : view.fatVolumes().values()) {
            v.flush();
        }
        staging.flush();
    }

    private void record(String path, BuildManifest.Kind kind, byte[] content, int mode, int uid, int gid) {
        if (recording) {
            written.ext4(path, kind, content, mode, uid, gid);
        }
    }

    private void recordFat(String path, BuildManifest.Kind kind, byte[] content) {
        if (recording) {
            written.fat(path, kind, content);
        }
    }

    /** Locates a spec and refuses what cannot be written; null for a no-op (an existing mount point). */
    private Step locate(FileSpec spec) throws IOException {
        MountTable.Located loc = view.locate(spec.path());
        int part = loc.mount().partition();
        boolean mountPoint = loc.innerPath().equals("/");
        if (mountPoint && spec.type() != FileSpec.Type.DIRECTORY) {
            throw new InvalidInputException(spec.path() + ": is the mount point of partition " + part);
        }
        if (view.fat(part).isPresent()) {
            if (spec.type() == FileSpec.Type.SYMLINK) {
                throw new InvalidInputException(spec.path() + ": a symlink cannot be stored on the FAT boot"
                        + " partition; put a regular file there");
            }
            return mountPoint ? null : new Step(spec, loc, part, true);
        }
        if (view.ext4(part).isPresent()) {
            if (mountPoint && !rules.containsKey(spec.path())) {
                return null;
            }
            ImagePaths.refuseSymlinkParents(view.ext4(part).get(), spec.path(), loc.innerPath());
            return new Step(spec, loc, part, false);
        }
        throw view.unreadable(spec.path(), part);
    }

    private void applyFat(Step s) throws IOException {
        FatVolume fat = view.fat(s.partition()).orElseThrow();
        String inner = s.where().innerPath();
        Optional<FatEntry> existing = fat.stat(inner);
        switch (s.spec().type()) {
            case DIRECTORY -> {
                if (existing.isPresent() && !existing.get().directory()) {
                    throw new InvalidInputException(s.spec().path() + ": a file of that name is in the way of a"
                            + " directory");
                }
                if (existing.isEmpty()) {
                    List<String> made = ImagePaths.missingDirs(inner, p -> fat.stat(p).isPresent());
                    fat.mkdirs(inner, now);
                    changes.add(new BuildResult.Change(s.spec().path(), "mkdir", 0));
                    for (String d : made) {
                        recordFat(WrittenPaths.imagePath(s.where(), d), BuildManifest.Kind.DIRECTORY, null);
                    }
                }
            }
            case FILE -> {
                if (existing.isPresent() && existing.get().directory()) {
                    throw new InvalidInputException(s.spec().path() + ": a directory of that name is in the way of"
                            + " a file");
                }
                byte[] bytes = contentOf(s.spec(), existing.isPresent() ? fat.readFile(inner) : null);
                List<String> made = ImagePaths.missingDirs(ImagePaths.parentOf(inner), p -> fat.stat(p).isPresent());
                if (!made.isEmpty()) {
                    fat.mkdirs(ImagePaths.parentOf(inner), now);
                }
                fat.writeFile(inner, bytes, now);
                changes.add(new BuildResult.Change(s.spec().path(), action(s.spec(), existing.isPresent()),
                        bytes.length));
                for (String d : made) {
                    recordFat(WrittenPaths.imagePath(s.where(), d), BuildManifest.Kind.DIRECTORY, null);
                }
                recordFat(s.spec().path(), BuildManifest.Kind.FILE, bytes);
            }
            case SYMLINK -> throw new IllegalStateException("refused in locate()");
        }
    }

    private void applyExt4(Step s) throws IOException {
        Ext4Writer w = writer(s.partition());
        String inner = s.where().innerPath();
        FileSpec spec = s.spec();
        OverlayManifest.Rule rule = rules.get(spec.path());
        Optional<Ext4Entry> existing = w.volume().stat(inner);
        boolean edit = spec.content() instanceof Content.Edit;
        int mode = spec.mode();
        int uid = spec.uid();
        int gid = spec.gid();
        if (edit && existing.isPresent()) {
            mode = existing.get().mode() & 07777;
            uid = existing.get().uid();
            gid = existing.get().gid();
        }
        if (rule != null) {
            mode = rule.mode() != null ? rule.mode() : mode;
            uid = rule.owner() != null ? owners(s.partition()).uid(rule.owner(), rule.where()) : uid;
            gid = rule.group() != null ? owners(s.partition()).gid(rule.group(), rule.where()) : gid;
        }
        List<String> made = ImagePaths.missingDirs(ImagePaths.parentOf(inner), p -> w.volume().stat(p).isPresent());
        if (!made.isEmpty()) {
            w.mkdirs(ImagePaths.parentOf(inner), 0755, 0, 0, now);
            for (String d : made) {
                record(WrittenPaths.imagePath(s.where(), d), BuildManifest.Kind.DIRECTORY, null, 0755, 0, 0);
            }
        }
        switch (spec.type()) {
            case DIRECTORY -> {
                if (existing.isPresent() && !existing.get().isDirectory()) {
                    throw new InvalidInputException(spec.path() + ": a file of that name is in the way of a"
                            + " directory");
                }
                if (existing.isEmpty()) {
                    w.mkdirs(inner, mode, uid, gid, now);
                    changes.add(new BuildResult.Change(spec.path(), "mkdir", 0));
                    record(spec.path(), BuildManifest.Kind.DIRECTORY, null, mode, uid, gid);
                } else if (rule != null) {
                    w.setAttributes(inner, mode, uid, gid, now);
                    changes.add(new BuildResult.Change(spec.path(), "attributes", 0));
                    record(spec.path(), BuildManifest.Kind.DIRECTORY, null, mode, uid, gid);
                }
            }
            case FILE -> {
                if (existing.isPresent() && existing.get().isDirectory()) {
                    throw new InvalidInputException(spec.path() + ": a directory of that name is in the way of a"
                            + " file");
                }
                if (spec.content() instanceof Content.HostFile h) {
                    // Copied piece by piece and hashed in a second read: never whole in memory, whatever its size.
                    try (FileChannel ch = FileChannel.open(h.path(), StandardOpenOption.READ)) {
                        long size = ch.size();
                        w.writeFile(inner, FileContent.of(ch, size), mode, uid, gid, now);
                        changes.add(new BuildResult.Change(spec.path(), action(spec, existing.isPresent()), size));
                        if (recording) {
                            written.ext4Hashed(spec.path(), BuildManifest.Kind.FILE,
                                    Sha256Sums.hash(h.path(), done -> { }), mode, uid, gid);
                        }
                    }
                    break;
                }
                byte[] current = edit && existing.isPresent() && existing.get().isRegularFile()
                        ? w.volume().readFile(inner) : null;
                byte[] bytes = contentOf(spec, current);
                w.writeFile(inner, bytes, mode, uid, gid, now);
                changes.add(new BuildResult.Change(spec.path(), action(spec, existing.isPresent()), bytes.length));
                record(spec.path(), BuildManifest.Kind.FILE, bytes, mode, uid, gid);
            }
            case SYMLINK -> {
                if (existing.isPresent() && existing.get().isDirectory()) {
                    throw new InvalidInputException(spec.path() + ": a directory of that name is in the way of a"
                            + " symlink");
                }
                w.symlink(inner, spec.linkTarget(), uid, gid, now);
                changes.add(new BuildResult.Change(spec.path(), existing.isPresent() ? "replaced" : "symlink",
                        spec.linkTarget().length()));
                record(spec.path(), BuildManifest.Kind.SYMLINK, spec.linkTarget().getBytes(StandardCharsets.UTF_8),
                        0777, uid, gid);
            }
        }
        if (ACCOUNT_FILES.contains(inner)) {
            resolvers.remove(s.partition());
        }
    }

    private OwnerResolver owners(int part) throws IOException {
        OwnerResolver r = resolvers.get(part);
        if (r == null) {
            Ext4Volume v = writer(part).volume();
            r = new OwnerResolver(readIfFile(v, "/etc/passwd"), readIfFile(v, "/etc/group"));
            resolvers.put(part, r);
        }
        return r;
    }

    private static byte[] readIfFile(Ext4Volume v, String path) throws IOException {
        Optional<Ext4Entry> e = v.stat(path);
        return e.isPresent() && e.get().isRegularFile() ? v.readFile(path) : null;
    }

    private Ext4Writer writer(int part) throws IOException {
        return staging.writer(part);
    }

    private static String action(FileSpec spec, boolean existed) {
        return spec.content() instanceof Content.Edit ? "edited" : existed ? "replaced" : "created";
    }

    private static byte[] contentOf(FileSpec spec, byte[] current) throws IOException {
        Content c = spec.content();
        if (c instanceof Content.Bytes b) {
            return b.bytes();
        }
        if (c instanceof Content.HostFile h) {
            return Files.readAllBytes(h.path());
        }
        Content.Edit e = (Content.Edit) c;
        if (current == null) {
            throw new InvalidInputException(spec.path() + ": not in the image, so it cannot be edited ("
                    + e.description() + ")");
        }
        return e.change().apply(current);
    }
}
