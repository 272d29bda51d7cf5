// SPDX-License-Identifier: Apache-2.0
package hydrapi.recipe;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * One of /etc/passwd, /etc/group, /etc/shadow, /etc/gshadow: lines of colon-separated fields keyed by the first
 * (passwd(5), group(5), shadow(5), gshadow(5)). Lines it does not touch come back byte for byte.
 */
final class ColonFile {

    private final List<String> lines;

    private ColonFile(List<String> lines) {
        this.lines = lines;
    }

    static ColonFile parse(byte[] bytes) {
        return parse(new String(bytes, StandardCharsets.UTF_8));
    }

    static ColonFile parse(String text) {
        List<String> lines = new ArrayList<>();
        for (String l : text.split("\n", -1)) {
            lines.add(l);
        }
        if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        return new ColonFile(lines);
    }

    /** The fields of {@code name}'s line, or null. */
    String[] find(String name) {
        int i = indexOf(name);
        return i < 0 ? null : lines.get(i).split(":", -1);
    }

    void set(String name, String[] fields) {
        int i = indexOf(name);
        if (i < 0) {
            throw new IllegalStateException("no line for " + name);
        }
        lines.set(i, String.join(":", fields));
    }

    void append(String... fields) {
        lines.add(String.join(":", fields));
    }

    /** The numbers in field {@code field} (2 = UID in passwd, GID in group), and who holds each. */
    String holderOf(int field, int id) {
        for (String l : lines) {
            String[] f = l.split(":", -1);
            if (f.length > field && f[field].equals(Integer.toString(id))) {
                return f[0];
            }
        }
        return null;
    }

    Set<Integer> ids(int field) {
        Set<Integer> ids = new TreeSet<>();
        for (String l : lines) {
            String[] f = l.split(":", -1);
            if (f.length > field) {
                try {
                    ids.add(Integer.parseInt(f[field]));
                } catch (NumberFormatException e) {
                    // NIS "+" lines and comments hold no ID.
                }
            }
        }
        return ids;
    }

    byte[] bytes() {
        StringBuilder sb = new StringBuilder();
        for (String l : lines) {
            sb.append(l).append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private int indexOf(String name) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(name + ":")) {
                return i;
            }
        }
        return -1;
    }
}
