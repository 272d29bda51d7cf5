// SPDX-License-Identifier: Apache-2.0
package hydrapi.assemble;

import hydrapi.InvalidInputException;
import hydrapi.plan.Content;
import hydrapi.plan.FileSpec;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Turns an overlay directory that mirrors the image's tree into file specs: {@code DIR/boot/firmware/config.txt}
 * becomes {@code /boot/firmware/config.txt}. Modes come from the local file (on hosts without POSIX permissions:
 * 0755 for directories, 0644 for files), owner root; symlinks are kept as symlinks, never followed.
 */
public final class OverlayScanner {

    /** The input refusals name ({@link InvalidInputException#input()}). */
    public static final String OVERLAY = "overlay";

    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    /** Version-control metadata, never part of the tree an overlay describes (a git checkout is the usual overlay). */
    static final Set<String> VCS = Set.of(".git", ".hg", ".svn", ".bzr");

    private OverlayScanner() {
    }

    public static List<FileSpec> scan(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw InvalidInputException.about(OVERLAY, dir, "not a directory");
        }
        List<FileSpec> out = new ArrayList<>();
        List<Path> paths;
        try (Stream<Path> s = Files.walk(dir)) {
            Path manifest = dir.resolve(OverlayManifest.FILE_NAME);
            paths = s.filter(p -> !p.equals(dir) && !p.equals(manifest) && !inVcsDir(dir.relativize(p))).sorted()
                    .toList();
        }
        for (Path p : paths) {
            StringBuilder rel = new StringBuilder();
            for (Path part : dir.relativize(p)) {
                rel.append('/').append(part);
            }
            String path = rel.toString();
            requireReadableName(dir, path);
            if (Files.isSymbolicLink(p)) {
                String target = Files.readSymbolicLink(p).toString().replace('\\', '/');
                requireReadableName(dir, path + " -> " + target);
                out.add(FileSpec.symlink(path, target));
            } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                out.add(FileSpec.directory(path, mode(p, 0755)));
            } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                out.add(FileSpec.file(path, mode(p, 0644), new Content.HostFile(p)));
            } else {
                throw InvalidInputException.about(OVERLAY, p, "neither a file, a directory nor a symlink");
            }
        }
        return out;
    }

    private static boolean inVcsDir(Path relative) {
        for (Path part : relative) {
            if (VCS.contains(part.toString())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Java decodes file names with the locale's charset (sun.jnu.encoding, fixed when the JVM starts): under LANG=POSIX
     * "café" reads as "caf\uFFFD\uFFFD", and the image would get that name instead. Refused, as is a name that is not
     * UTF-8 at all, since the image's name would then depend on the locale of the build.
     */
    private static void requireReadableName(Path dir, String path) throws InvalidInputException {
        if (path.indexOf('\uFFFD') >= 0) {
            String charset = System.getProperty("sun.jnu.encoding", "?");
            throw new InvalidInputException(dir + ": the name " + path + " cannot be read as UTF-8 (file names are"
                    + " decoded as " + charset + " here); run hydrapi in a UTF-8 locale (e.g. LC_ALL=C.UTF-8)"
                    + (charset.equalsIgnoreCase("UTF-8") ? " and rename the file to UTF-8" : ""));
        }
    }

    private static int mode(Path p, int fallback) throws IOException {
        if (!POSIX) {
            return fallback;
        }
        try {
            // Linux and macOS: the whole st_mode, so setuid, setgid and sticky bits survive.
            return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            // "unix" view missing: fall back to the nine POSIX permission bits.
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
        int mode = 0;
        for (PosixFilePermission perm : perms) {
            mode |= 1 << (8 - perm.ordinal());
        }
        return mode;
    }
}
