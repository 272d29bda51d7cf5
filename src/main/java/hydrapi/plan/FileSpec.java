// SPDX-License-Identifier: Apache-2.0
package hydrapi.plan;

import java.util.Objects;

/**
 * One path the image must hold after the build, as the running Pi sees it ({@code /boot/firmware/config.txt},
 * {@code /etc/hostname}). Modes are the permission bits (07777); owners are numeric.
 */
public record FileSpec(String path, Type type, int mode, int uid, int gid, Content content, String linkTarget) {

    /** What kind of filesystem object. */
    public enum Type { FILE, DIRECTORY, SYMLINK }

    public FileSpec {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(type, "type");
        if (!path.startsWith("/") || path.contains("//") || (path.length() > 1 && path.endsWith("/"))) {
            throw new IllegalArgumentException("not a normalised absolute path: " + path);
        }
        for (String part : path.substring(1).split("/")) {
            if (part.equals(".") || part.equals("..")) {
                throw new IllegalArgumentException("path with . or ..: " + path);
            }
        }
        if ((mode & ~07777) != 0) {
            throw new IllegalArgumentException("mode " + Integer.toOctalString(mode) + " has more than permission bits");
        }
        if ((type == Type.FILE) != (content != null)) {
            throw new IllegalArgumentException(path + ": a file, and only a file, has content");
        }
        if ((type == Type.SYMLINK) != (linkTarget != null)) {
            throw new IllegalArgumentException(path + ": a symlink, and only a symlink, has a target");
        }
    }

    public static FileSpec file(String path, int mode, Content content) {
        return new FileSpec(path, Type.FILE, mode, 0, 0, content, null);
    }

    public static FileSpec directory(String path, int mode) {
        return new FileSpec(path, Type.DIRECTORY, mode, 0, 0, null, null);
    }

    public static FileSpec symlink(String path, String target) {
        return new FileSpec(path, Type.SYMLINK, 0777, 0, 0, null, target);
    }

    /** The parent directory's path ("/" for a top-level entry). */
    public String parent() {
        int i = path.lastIndexOf('/');
        return i <= 0 ? "/" : path.substring(0, i);
    }
}
