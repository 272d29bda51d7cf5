// SPDX-License-Identifier: Apache-2.0
package hydrapi.assemble;

import hydrapi.InvalidInputException;
import hydrapi.ext4.Ext4Entry;
import hydrapi.ext4.Ext4Volume;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Walks of a path inside one filesystem of the image: its parents, the ones missing, the ones refused. */
final class ImagePaths {

    private ImagePaths() {
    }

    /** The directories of {@code dir} (itself included) that do not exist yet, outermost first. */
    static List<String> missingDirs(String dir, IoPredicate exists) throws IOException {
        List<String> missing = new ArrayList<>();
        for (String d = dir; !d.equals("/") && !exists.test(d); d = parentOf(d)) {
            missing.add(0, d);
        }
        return missing;
    }

    /** A test of a path that may read the image. */
    @FunctionalInterface
    interface IoPredicate {
        boolean test(String path) throws IOException;
    }

    /** Refuses a path whose parents include a symlink or a file of the image: writes never pass through one. */
    static void refuseSymlinkParents(Ext4Volume vol, String imagePath, String inner) throws IOException {
        String cur = "";
        String[] parts = inner.substring(1).split("/");
        for (int i = 0; i < parts.length - 1; i++) {
            cur += "/" + parts[i];
            Optional<Ext4Entry> e = vol.stat(cur);
            if (e.isEmpty()) {
                return;
            }
            if (e.get().isSymlink()) {
                throw new InvalidInputException(imagePath + ": " + cur + " is a symlink in the image (-> "
                        + e.get().linkTarget() + "); hydrapi never writes through symlinks, give the real path");
            }
            if (!e.get().isDirectory()) {
                throw new InvalidInputException(imagePath + ": " + cur + " is a file in the image, not a directory");
            }
        }
    }

    /** The parent of an absolute path inside a filesystem; "/" for a top-level name. */
    static String parentOf(String inner) {
        int i = inner.lastIndexOf('/');
        return i <= 0 ? "/" : inner.substring(0, i);
    }
}
