// SPDX-License-Identifier: Apache-2.0
package hydrapi.fat;

import hydrapi.InvalidInputException;
import java.util.ArrayList;
import java.util.List;

/** Absolute paths inside the boot partition, split into names: "/overlays/x.dtbo" → [overlays, x.dtbo]. */
final class FatPath {

    private FatPath() {
    }

    static List<String> split(String path) throws InvalidInputException {
        if (path == null || !path.startsWith("/")) {
            throw new InvalidInputException("FAT path '" + path + "' is not absolute; start it with /");
        }
        List<String> out = new ArrayList<>();
        for (String part : path.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            if (part.equals(".") || part.equals("..")) {
                throw new InvalidInputException("FAT path '" + path + "' contains '.' or '..'; give a plain path");
            }
            out.add(part);
        }
        return out;
    }
}
