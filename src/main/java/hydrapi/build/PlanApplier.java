// SPDX-License-Identifier: Apache-2.0
package hydrapi.build;

import hydrapi.InvalidInputException;
import hydrapi.UnsupportedImageException;
import hydrapi.ext4.Ext4Entry;
import hydrapi.fat.FatEntry;
import hydrapi.fat.FatVolume;
import hydrapi.plan.Content;
import hydrapi.plan.FileSpec;
import hydrapi.plan.ImagePlan;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Applies a plan to the filesystems of an image. Every spec is located and checked before the first byte is
 * written, so a refused path changes nothing. Directories that already exist keep their mode and owner: an
 * overlay's intermediate directories ({@code DIR/boot}, {@code DIR/etc}) only say where files go.
 */
final class PlanApplier {

    private PlanApplier() {
    }

    private record Step(FileSpec spec, MountTable.Located where, int partition) {
    }

    static List<BuildResult.Change> apply(ImagePlan plan, ImageView view, Instant now) throws IOException {
        List<Step> steps = new ArrayList<>();
        for (FileSpec spec : plan.files()) {
            MountTable.Located loc = view.locate(spec.path());
            int part = loc.mount().partition();
            boolean mountPoint = loc.innerPath().equals("/");
            if (view.fat(part).isPresent()) {
                if (spec.type() == FileSpec.Type.SYMLINK) {
                    throw new InvalidInputException(spec.path() + ": a symlink cannot be stored on the FAT boot"
                            + " partition; put a regular file there");
                }
                if (mountPoint && spec.type() != FileSpec.Type.DIRECTORY) {
                    throw new InvalidInputException(spec.path() + ": is the boot partition's mount point");
                }
                if (!mountPoint) {
                    steps.add(new Step(spec, loc, part));
                }
            } else if (view.ext4(part).isPresent()) {
                Optional<Ext4Entry> existing = view.ext4(part).get().stat(loc.innerPath());
                boolean existingDir = existing.isPresent() && existing.get().isDirectory();
                if (spec.type() == FileSpec.Type.DIRECTORY && existingDir) {
                    continue;
                }
                throw new UnsupportedImageException(spec.path() + ": root filesystem editing not available yet"
                        + " (partition " + part + ", ext4); only paths under "
                        + view.bootMount().orElse(MountTable.DEFAULT_BOOT_MOUNT) + " can be changed for now");
            } else {
                throw new UnsupportedImageException(spec.path() + ": partition " + part
                        + " holds no FAT or ext4 filesystem hydrapi can write");
            }
        }
        List<BuildResult.Change> changes = new ArrayList<>();
        for (Step s : steps) {
            FatVolume fat = view.fat(s.partition()).orElseThrow();
            String inner = s.where().innerPath();
            Optional<FatEntry> existing = fat.stat(inner);
            switch (s.spec().type()) {
                case DIRECTORY -> {
                    if (existing.isPresent() && !existing.get().directory()) {
                        throw new InvalidInputException(s.spec().path() + ": a file of that name is in the way"
                                + " of a directory");
                    }
                    if (existing.isEmpty()) {
                        fat.mkdirs(inner, now);
                        changes.add(new BuildResult.Change(s.spec().path(), "mkdir", 0));
                    }
                }
                case FILE -> {
                    if (existing.isPresent() && existing.get().directory()) {
                        throw new InvalidInputException(s.spec().path() + ": a directory of that name is in the way"
                                + " of a file");
                    }
                    byte[] bytes = contentOf(s.spec(), existing.isPresent() ? fat.readFile(inner) : null);
                    String parent = parentOf(inner);
                    if (!parent.equals("/") && fat.stat(parent).isEmpty()) {
                        fat.mkdirs(parent, now);
                    }
                    fat.writeFile(inner, bytes, now);
                    String action = s.spec().content() instanceof Content.Edit ? "edited"
                            : existing.isPresent() ? "replaced" : "created";
                    changes.add(new BuildResult.Change(s.spec().path(), action, bytes.length));
                }
                case SYMLINK -> throw new IllegalStateException("refused above");
            }
        }
        for (FatVolume v : view.fatVolumes().values()) {
            v.flush();
        }
        return changes;
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

    private static String parentOf(String inner) {
        int i = inner.lastIndexOf('/');
        return i <= 0 ? "/" : inner.substring(0, i);
    }
}
