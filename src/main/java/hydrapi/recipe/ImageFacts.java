// SPDX-License-Identifier: Apache-2.0
package hydrapi.recipe;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * What a recipe may know of the base image, read by the pipeline before anything is written. Paths are as the
 * running system sees them and are read on the root filesystem, which holds everything a recipe asks about; reads
 * are lazy, so an image whose root cannot be read fails only a build whose recipes ask.
 */
public interface ImageFacts {

    /** Kind of a filesystem entry, as far as a recipe cares. */
    enum Kind { FILE, DIRECTORY, SYMLINK, OTHER }

    /** One entry of the root: its name in its directory, permission bits and, for a symlink, its target. */
    record Entry(String name, Kind kind, int mode, String linkTarget) {
    }

    /** The root's release and architecture, and the first-boot machinery its boot partition and dpkg show. */
    ImageRelease release() throws IOException;

    /** /etc/passwd and /etc/group as the base holds them; refused when the image has none. */
    AccountSnapshot accounts() throws IOException;

    /** Where the Pi mounts its boot partition (from the image's fstab; /boot/firmware when it says nothing). */
    String bootMount() throws IOException;

    /** The entry at {@code path} (not following a last symlink), or empty. */
    Optional<Entry> stat(String path) throws IOException;

    /** The entries of directory {@code dir}, sorted by name. */
    List<Entry> list(String dir) throws IOException;

    /** The bytes of regular file {@code path}. */
    byte[] read(String path) throws IOException;
}
