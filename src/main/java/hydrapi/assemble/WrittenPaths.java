// SPDX-License-Identifier: Apache-2.0
package hydrapi.assemble;

import hydrapi.trust.BuildManifest;
import hydrapi.trust.Sha256Sums;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The paths a build wrote, each in the state it was left in (a later write of the same path replaces the entry),
 * for the build manifest.
 */
final class WrittenPaths {

    private final Map<String, BuildManifest.Entry> entries = new HashMap<>();

    void add(List<BuildManifest.Entry> written) {
        for (BuildManifest.Entry e : written) {
            entries.put(e.path(), e);
        }
    }

    /** Unsorted; the manifest sorts. */
    List<BuildManifest.Entry> entries() {
        return List.copyOf(entries.values());
    }

    /** An entry; {@code content} is a file's bytes or a symlink's target, null for a directory. */
    static BuildManifest.Entry entry(ImagePath p, BuildManifest.Kind kind, byte[] content, Attributes a) {
        return hashed(p, kind, content == null ? null : Sha256Sums.hex(content), a);
    }

    /** An entry whose content's SHA-256 the caller computed ({@code sha256Hex}). */
    static BuildManifest.Entry hashed(ImagePath p, BuildManifest.Kind kind, String sha256Hex, Attributes a) {
        return new BuildManifest.Entry(p.path(), kind, sha256Hex, a.mode(), a.uid(), a.gid());
    }
}
