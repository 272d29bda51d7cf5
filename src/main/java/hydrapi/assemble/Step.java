// SPDX-License-Identifier: Apache-2.0
package hydrapi.assemble;

import hydrapi.InvalidInputException;
import hydrapi.plan.Content;
import hydrapi.plan.FileSpec;

import java.util.Optional;

/**
 * One write of a plan, located: a spec with the overlay manifest's rule for its path (null if none, and always on
 * FAT, which has nothing a rule sets), or a rule alone ({@code spec} null) for an existing path the plan does not
 * write, which changes only its mode and owners.
 */
record Step(ImagePath path, TargetFilesystem fs, FileSpec spec, OverlayManifest.Rule rule) {

    static Step ruleAlone(ImagePath path, TargetFilesystem fs, OverlayManifest.Rule rule) {
        return new Step(path, fs, null, rule);
    }

    boolean isRuleAlone() {
        return spec == null;
    }

    /** What this step leaves at its path; empty for a rule alone, which leaves what is there. */
    Optional<TargetFilesystem.Kind> leaves() {
        if (spec == null) {
            return Optional.empty();
        }
        return Optional.of(switch (spec.type()) {
            case FILE -> TargetFilesystem.Kind.FILE;
            case DIRECTORY -> TargetFilesystem.Kind.DIRECTORY;
            case SYMLINK -> TargetFilesystem.Kind.SYMLINK;
        });
    }

    /** Refuses the spec if what is at its path ({@code at}) forbids it: another kind in the way, an edit of nothing. */
    void refuse(Optional<TargetFilesystem.Kind> at) throws InvalidInputException {
        boolean directory = at.isPresent() && at.get() == TargetFilesystem.Kind.DIRECTORY;
        switch (spec.type()) {
            case DIRECTORY -> {
                if (at.isPresent() && !directory) {
                    throw new InvalidInputException(spec.path() + ": a file of that name is in the way of a"
                            + " directory");
                }
            }
            case FILE -> {
                if (directory) {
                    throw new InvalidInputException(spec.path() + ": a directory of that name is in the way of a"
                            + " file");
                }
                if (spec.content() instanceof Content.Edit e
                        && (at.isEmpty() || at.get() != TargetFilesystem.Kind.FILE)) {
                    throw new InvalidInputException(spec.path() + ": not in the image, so it cannot be edited ("
                            + e.description() + ")");
                }
            }
            case SYMLINK -> {
                if (directory) {
                    throw new InvalidInputException(spec.path() + ": a directory of that name is in the way of a"
                            + " symlink");
                }
            }
        }
    }
}
