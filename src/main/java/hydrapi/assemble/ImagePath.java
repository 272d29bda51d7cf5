// SPDX-License-Identifier: Apache-2.0
package hydrapi.assemble;

import hydrapi.InvalidInputException;
import hydrapi.image.ImageView;
import hydrapi.image.MountTable;

/**
 * A path of the image as the running Pi sees it ({@code /boot/firmware/config.txt}), with where it lies: the
 * partition mounted there, by the image's own fstab, and the path inside that filesystem ({@code /config.txt}).
 *
 * @param path  the path on the running system, as the plan and the build manifest name it
 * @param mount the mount holding it
 * @param inner the path inside the mounted filesystem; "/" for the mount point itself
 */
record ImagePath(String path, MountTable.Mount mount, String inner) {

    /** Where {@code path} lies in the image; a path no partition is mounted at is refused, naming the mounts. */
    static ImagePath locate(ImageView view, String path) throws InvalidInputException {
        MountTable.Located loc = view.locate(path);
        return new ImagePath(path, loc.mount(), loc.innerPath());
    }

    int partition() {
        return mount.partition();
    }

    boolean isMountPoint() {
        return inner.equals("/");
    }

    /** Another path of the same filesystem ({@code otherInner}), as the Pi sees it. */
    ImagePath at(String otherInner) {
        String mp = mount.mountPoint();
        String p = mp.equals("/") ? otherInner : otherInner.equals("/") ? mp : mp + otherInner;
        return new ImagePath(p, mount, otherInner);
    }

    /** The directory holding it in its filesystem; the mount point is its own (nothing above it is on this one). */
    ImagePath parent() {
        return at(parentOf(inner));
    }

    /** The parent of an absolute path inside a filesystem; "/" for a top-level name and for "/" itself. */
    static String parentOf(String inner) {
        int i = inner.lastIndexOf('/');
        return i <= 0 ? "/" : inner.substring(0, i);
    }
}
