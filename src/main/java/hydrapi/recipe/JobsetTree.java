// SPDX-License-Identifier: Apache-2.0
package hydrapi.recipe;

import hydrapi.InvalidInputException;
import hydrapi.plan.Content;
import hydrapi.plan.FileSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A jobset directory as the image holds it: the same tree below {@code target}, owned by the hydra user. Modes are
 * normalised (0755 directories, 0644 files, 0755 where the owner may execute), the only bit Nix's path inputs keep,
 * so the image does not depend on the build machine's umask. Version-control folders stay behind: the evaluator
 * would copy them into the store with the rest.
 */
final class JobsetTree {

    private static final List<String> SKIPPED = List.of(".git", ".hg", ".svn");

    private JobsetTree() {
    }

    static List<FileSpec> specs(Path dir, String target, int uid, int gid) throws IOException {
        List<FileSpec> out = new ArrayList<>();
        out.add(new FileSpec(target, FileSpec.Type.DIRECTORY, 0755, uid, gid, null, null));
        List<Path> paths;
        try (Stream<Path> s = Files.walk(dir)) {
            paths = s.filter(p -> !p.equals(dir) && !skipped(dir.relativize(p))).sorted().toList();
        }
        for (Path p : paths) {
            StringBuilder path = new StringBuilder(target);
            for (Path part : dir.relativize(p)) {
                path.append('/').append(part);
            }
            String at = path.toString();
            if (Files.isSymbolicLink(p)) {
                out.add(new FileSpec(at, FileSpec.Type.SYMLINK, 0777, uid, gid, null,
                        Files.readSymbolicLink(p).toString()));
            } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                out.add(new FileSpec(at, FileSpec.Type.DIRECTORY, 0755, uid, gid, null, null));
            } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                int mode = Files.isExecutable(p) ? 0755 : 0644;
                out.add(new FileSpec(at, FileSpec.Type.FILE, mode, uid, gid, new Content.HostFile(p), null));
            } else {
                throw new InvalidInputException("jobset directory " + dir + ": " + p
                        + " is neither a file, a directory nor a symlink");
            }
        }
        return out;
    }

    private static boolean skipped(Path rel) {
        for (Path part : rel) {
            if (SKIPPED.contains(part.toString())) {
                return true;
            }
        }
        return false;
    }
}
