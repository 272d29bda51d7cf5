// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import hydrapi.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The paths and names the writer accepts: absolute, no {@code .} or {@code ..}, names of 1 to 255 bytes. */
final class PathNames {

    private PathNames() {
    }

    /** The components of an absolute path, empty ones (from {@code //} or a final {@code /}) dropped. */
    static List<String> components(String path) throws InvalidInputException {
        if (path == null || !path.startsWith("/")) {
            throw new InvalidInputException("ext4: path '" + path + "' is not absolute");
        }
        List<String> out = new ArrayList<>();
        for (String c : path.split("/")) {
            if (c.isEmpty()) {
                continue;
            }
            if (c.equals(".") || c.equals("..")) {
                throw new InvalidInputException("ext4: path '" + path + "' has '.' or '..' components");
            }
            out.add(c);
        }
        return out;
    }

    /** A component as a directory entry's name bytes (UTF-8). */
    static byte[] name(String c) throws InvalidInputException {
        byte[] b = c.getBytes(StandardCharsets.UTF_8);
        if (b.length == 0 || b.length > 255 || c.indexOf('\0') >= 0) {
            throw new InvalidInputException("ext4: name '" + c + "' must be 1 to 255 bytes without NUL");
        }
        return b;
    }
}
