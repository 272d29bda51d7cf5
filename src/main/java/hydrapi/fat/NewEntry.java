// SPDX-License-Identifier: Apache-2.0
package hydrapi.fat;

import hydrapi.ImageFullException;
import java.util.TreeSet;

/**
 * The entries planned for a new name: the exact 8.3 form alone (no long-name entries, NT lowercase flags as
 * needed), or the long name plus a short name generated against the directory's existing short names.
 */
record NewEntry(String name, ShortName exact, String longName) {

    static NewEntry plan(Directory dir, String name) throws ImageFullException {
        NewEntry e = planInEmpty(name);
        e.shortName(dir);
        return e;
    }

    static NewEntry planInEmpty(String name) {
        ShortName exact = ShortName.exact(name);
        return new NewEntry(name, exact, exact == null ? name : null);
    }

    int slots() {
        return 1 + (longName == null ? 0 : LongNameEntry.entriesFor(longName));
    }

    ShortName shortName(Directory dir) throws ImageFullException {
        if (exact != null) {
            return exact;
        }
        TreeSet<String> taken = new TreeSet<>();
        for (Directory.Record r : dir.records()) {
            taken.add(r.shortName());
        }
        return ShortName.generate(longName, taken);
    }
}
