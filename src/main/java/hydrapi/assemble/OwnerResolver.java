// SPDX-License-Identifier: Apache-2.0
package hydrapi.assemble;

import hydrapi.InvalidInputException;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * User and group names of the image, from its own /etc/passwd and /etc/group (passwd(5), group(5): name:x:id:…),
 * never from the machine running hydrapi.
 */
final class OwnerResolver {

    private final Map<String, Integer> users;
    private final Map<String, Integer> groups;

    OwnerResolver(byte[] passwd, byte[] group) {
        this.users = ids(passwd);
        this.groups = ids(group);
    }

    private static Map<String, Integer> ids(byte[] file) {
        Map<String, Integer> m = new HashMap<>();
        if (file == null) {
            return m;
        }
        for (String line : new String(file, StandardCharsets.UTF_8).split("\n")) {
            String[] f = line.split(":", -1);
            if (f.length >= 3 && !f[0].isEmpty() && !m.containsKey(f[0])) {
                try {
                    m.put(f[0], Integer.parseInt(f[2]));
                } catch (NumberFormatException ignored) {
                    // a malformed line names nobody
                }
            }
        }
        return m;
    }

    int uid(String nameOrId, String where) throws InvalidInputException {
        return resolve(nameOrId, users, "user", "/etc/passwd", where);
    }

    int gid(String nameOrId, String where) throws InvalidInputException {
        return resolve(nameOrId, groups, "group", "/etc/group", where);
    }

    private static int resolve(String v, Map<String, Integer> names, String kind, String file, String where)
            throws InvalidInputException {
        if (v.chars().allMatch(Character::isDigit)) {
            try {
                return Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw new InvalidInputException(where + ": " + kind + " id " + v + " is too large");
            }
        }
        Integer id = names.get(v);
        if (id == null) {
            throw new InvalidInputException(where + ": no " + kind + " '" + v + "' in the image's " + file);
        }
        return id;
    }
}
