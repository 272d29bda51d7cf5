// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Names already looked up, per directory inode: the inode each names, or 0 for a name known to be absent. A build
 * resolves the same parents for every file it writes (each path, its parents, their symlink checks), and a lookup
 * costs block reads through the decoded base; this turns all but the first into a map hit (issue 14). The writer
 * keeps it in step ({@link #put} on link and unlink) and drops it on rollback. Bounded: cleared when full.
 */
final class LookupCache {

    /** About 100 bytes an entry; a build of thousands of files needs a few thousand. */
    static final int MAX_ENTRIES = 100_000;

    private record Key(long dirNo, String name) {
    }

    private final Map<Key, Long> entries = new HashMap<>();

    /** The cached inode number (0: known absent), or null when the name was not looked up. */
    Long get(long dirNo, byte[] name) {
        return entries.get(key(dirNo, name));
    }

    void put(long dirNo, byte[] name, long inodeNo) {
        if (entries.size() >= MAX_ENTRIES) {
            entries.clear();
        }
        entries.put(key(dirNo, name), inodeNo);
    }

    void clear() {
        entries.clear();
    }

    int size() {
        return entries.size();
    }

    /** ISO-8859-1 maps each byte to one char, so any name (UTF-8 or not) is its own key. */
    private static Key key(long dirNo, byte[] name) {
        return new Key(dirNo, new String(name, StandardCharsets.ISO_8859_1));
    }
}
