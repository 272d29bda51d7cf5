// SPDX-License-Identifier: Apache-2.0
package hydrapi.assemble;

import hydrapi.plan.Content;
import hydrapi.plan.FileSpec;
import hydrapi.trust.BuildManifest;
import hydrapi.trust.Sha256Sums;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Writes located steps through their filesystems, the same way on each: missing parents first (0755 root:root), then
 * the path, a summary line per step ({@link #changes()}), and every path left, in the state it is left in.
 */
final class StepWriter {

    private final List<BuildResult.Change> changes = new ArrayList<>();

    /** One line per step written, in order. */
    List<BuildResult.Change> changes() {
        return List.copyOf(changes);
    }

    /** Writes one step; returns each path it leaves (missing parents first), as the running Pi will show it. */
    List<BuildManifest.Entry> write(Step s) throws IOException {
        if (s.isRuleAlone()) {
            return List.of(setAttributes(s));
        }
        FileSpec spec = s.spec();
        TargetFilesystem fs = s.fs();
        String inner = s.path().inner();
        Optional<TargetFilesystem.Entry> existing = fs.stat(inner);
        // Checked before any write already; again here against the filesystem itself, which also sees the parents
        // earlier steps made.
        s.refuse(existing.map(TargetFilesystem.Entry::kind));
        boolean edit = spec.content() instanceof Content.Edit;
        Attributes a = edit && existing.isPresent() ? existing.get().attributes() : Attributes.of(spec);
        if (s.rule() != null) {
            a = a.with(s.rule(), fs.owners());
        }
        a = fs.shown(a);
        List<BuildManifest.Entry> left = new ArrayList<>();
        String parent = s.path().parent().inner();
        List<String> made = fs.missingDirs(parent);
        if (!made.isEmpty()) {
            fs.mkdirs(parent, Attributes.ROOT_DIRECTORY);
            for (String d : made) {
                left.add(WrittenPaths.entry(s.path().at(d), BuildManifest.Kind.DIRECTORY, null,
                        fs.shown(Attributes.ROOT_DIRECTORY)));
            }
        }
        switch (spec.type()) {
            case DIRECTORY -> {
                if (existing.isEmpty()) {
                    fs.mkdirs(inner, a);
                    note(s, "mkdir", 0);
                    left.add(WrittenPaths.entry(s.path(), BuildManifest.Kind.DIRECTORY, null, a));
                } else if (s.rule() != null) {
                    fs.setAttributes(inner, a);
                    note(s, "attributes", 0);
                    left.add(WrittenPaths.entry(s.path(), BuildManifest.Kind.DIRECTORY, null, a));
                }
            }
            case FILE -> {
                String action = edit ? "edited" : existing.isPresent() ? "replaced" : "created";
                if (spec.content() instanceof Content.HostFile h) {
                    note(s, action, fs.writeFile(inner, h.path(), a));
                    // Hashed in a second read: a large host file is never whole in memory.
                    left.add(WrittenPaths.hashed(s.path(), BuildManifest.Kind.FILE,
                            Sha256Sums.hash(h.path(), done -> { }), a));
                } else {
                    byte[] bytes = spec.content() instanceof Content.Edit e ? e.change().apply(fs.read(inner))
                            : ((Content.Bytes) spec.content()).bytes();
                    fs.writeFile(inner, bytes, a);
                    note(s, action, bytes.length);
                    left.add(WrittenPaths.entry(s.path(), BuildManifest.Kind.FILE, bytes, a));
                }
            }
            case SYMLINK -> {
                fs.symlink(inner, spec.linkTarget(), a);
                note(s, existing.isPresent() ? "replaced" : "symlink", spec.linkTarget().length());
                // A symlink's own permissions are always 0777 (symlink(7)): a mode asked for has nothing to set.
                left.add(WrittenPaths.entry(s.path(), BuildManifest.Kind.SYMLINK,
                        spec.linkTarget().getBytes(StandardCharsets.UTF_8), new Attributes(0777, a.uid(), a.gid())));
            }
        }
        return left;
    }

    /** A rule alone: chmod and chown of what the image holds at its path. */
    private BuildManifest.Entry setAttributes(Step s) throws IOException {
        TargetFilesystem fs = s.fs();
        String inner = s.path().inner();
        TargetFilesystem.Entry e = fs.stat(inner).orElseThrow();
        Attributes a = e.attributes().with(s.rule(), fs.owners());
        fs.setAttributes(inner, a);
        note(s, "attributes", 0);
        return switch (e.kind()) {
            case DIRECTORY -> WrittenPaths.entry(s.path(), BuildManifest.Kind.DIRECTORY, null, a);
            case SYMLINK -> WrittenPaths.entry(s.path(), BuildManifest.Kind.SYMLINK,
                    e.linkTarget().getBytes(StandardCharsets.UTF_8), a);
            case FILE -> WrittenPaths.entry(s.path(), BuildManifest.Kind.FILE, fs.read(inner), a);
            case SPECIAL -> throw new IllegalStateException(s.path().path() + ": a rule for a special file is refused"
                    + " when located");
        };
    }

    private void note(Step s, String action, long sizeBytes) {
        changes.add(new BuildResult.Change(s.path().path(), action, sizeBytes));
    }
}
