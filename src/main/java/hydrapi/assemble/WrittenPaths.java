// SPDX-License-Identifier: Apache-2.0
package hydrapi.assemble;

import hydrapi.image.ImageView;
import hydrapi.image.MountTable;
import hydrapi.trust.BuildManifest;
import hydrapi.trust.Sha256Sums;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The paths a build wrote, each in the state it was left in (a later write of the same path replaces the entry),
 * for the build manifest. FAT keeps no modes or owners, so for the boot partition what the Pi shows is recorded.
 */
final class WrittenPaths {

    private final Map<String, BuildManifest.Entry> entries = new HashMap<>();

    /** Records an ext4 path; {@code content} is a file's bytes or a symlink's target, null for a directory. */
    void ext4(String path, BuildManifest.Kind kind, byte[] content, int mode, int uid, int gid) {
        entries.put(path, new BuildManifest.Entry(path, kind, content == null ? null : Sha256Sums.hex(content), mode,
                uid, gid));
    }

    /** Records an ext4 file whose content's SHA-256 the caller computed ({@code sha256Hex}). */
    void ext4Hashed(String path, BuildManifest.Kind kind, String sha256Hex, int mode, int uid, int gid) {
        entries.put(path, new BuildManifest.Entry(path, kind, sha256Hex, mode, uid, gid));
    }

    /** Records a FAT path as the running Pi shows it: mode 0755, root:root (vfat's default fmask/dmask 0022). */
    void fat(String path, BuildManifest.Kind kind, byte[] content) {
        ext4(path, kind, content, ImageView.FAT_MODE, 0, 0);
    }

    /** Unsorted; the manifest sorts. */
    List<BuildManifest.Entry> entries() {
        return List.copyOf(entries.values());
    }

    /** The image path of {@code inner} on the partition mounted where {@code where} lies. */
    static String imagePath(MountTable.Located where, String inner) {
        String mp = where.mount().mountPoint();
        return mp.equals("/") ? inner : inner.equals("/") ? mp : mp + inner;
    }
}
